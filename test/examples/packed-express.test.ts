import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll } from 'vitest';
import { describeHttpApiExample } from './http-api.contract.js';

/**
 * The Express example as a host app would run it: the SDK is built and packed into a
 * tarball, installed with its peer drivers and Express into a fresh app folder (mode 700),
 * the example's files are copied there importing `@nexfit/sdk` instead of the sources, and
 * the server runs from that folder as its own process. The shared HTTP suite then drives it.
 */

const run = promisify(execFile);
const root = join(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'nexfit-packed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const versionOf = (name: string) => (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** Builds the package into a copy of its publishable files and packs it: the tarball's path. */
async function packTarball(): Promise<string> {
  const pkg = join(work, 'package');
  mkdirSync(pkg);
  for (const file of ['package.json', 'README.md', 'data']) cpSync(join(root, file), join(pkg, file), { recursive: true });
  await run(join(root, 'node_modules/.bin/tsup'), ['--out-dir', join(pkg, 'dist')], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: pkg });
  return join(work, stdout.trim().split('\n').at(-1)!);
}

/** A fresh app folder with the tarball, the required peer drivers and Express installed, and the example in it. */
async function installApp(tarball: string): Promise<string> {
  const app = join(work, 'app');
  mkdirSync(app, { mode: 0o700 });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'gym-api', version: '1.0.0', private: true, type: 'module' }));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }> };
  const required = Object.keys(manifest.peerDependencies).filter((name) => !manifest.peerDependenciesMeta?.[name]?.optional);
  const packages = [tarball, ...required.map((name) => `${name}@${versionOf(name)}`), `express@${versionOf('express')}`];
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=dev', ...packages], { cwd: app, maxBuffer: 64 * 1024 * 1024 });
  // The example's own files, importing the installed package instead of the repository's sources.
  const rewrite = (source: string) =>
    source
      .replaceAll(/from '(\.\.\/)+src\/index\.js'/g, "from '@nexfit/sdk'")
      .replaceAll(/from '(\.\.\/)+src\/testing\.js'/g, "from '@nexfit/sdk/testing'");
  mkdirSync(join(app, 'shared'));
  for (const file of ['express-server.ts', 'shared/nexfit-http-api.ts']) {
    const source = rewrite(readFileSync(join(root, 'examples', file), 'utf8'));
    if (source.includes('/src/')) throw new Error(`${file} still imports the repository's sources`);
    writeFileSync(join(app, file), source);
  }
  // Types stripped, the app's own two files joined; every package stays an import resolved from the app's node_modules.
  await build({ entryPoints: [join(app, 'express-server.ts')], outfile: join(app, 'server.mjs'), bundle: true, platform: 'node', format: 'esm', packages: 'external', logLevel: 'silent' });
  return app;
}

/** Starts the app's server on the test's stores and resolves with its base URL once it listens. */
function startServer(app: string, env: Record<string, string>): Promise<{ base: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['server.mjs'], { cwd: app, env: { PATH: process.env['PATH'] ?? '', PORT: '0', NODE_ENV: 'production', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the packed example did not start:\n${output}`)), 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /NexFit API on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ base: match[1]!, child });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the packed example exited with ${code}:\n${output}`));
    });
  });
}

describeHttpApiExample(
  'Express from the packed tarball',
  async (t) => {
    const app = await installApp(await packTarball());
    const { base, child } = await startServer(app, { MONGODB_URI: t.mongo.uri, MONGODB_DB: t.mongo.dbName, DATABASE_URL: t.pg.url });
    return {
      base,
      stop: () =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  },
  { timeoutMs: 600_000 },
);

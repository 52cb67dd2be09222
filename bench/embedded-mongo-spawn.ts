import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveTestMongo, type ResolvedStore } from '../src/embedded/test-stores.js';

/**
 * The MongoDB of a bench or simulation run: `MONGODB_URI` or a real mongod when there is one
 * (as the tests choose), else the embedded server started in a child process of its own —
 * never in the calling process, where its work would share one thread with the client while a
 * real mongod always runs beside the application, on another core.
 */
export async function resolveMongoBesideProcess(): Promise<ResolvedStore<string>> {
  const chosen = await resolveTestMongo();
  if (chosen.kind !== 'embedded') return chosen;
  await chosen.stop();
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'embedded-mongo-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdout.setEncoding('utf8');
  let out = '';
  const uri = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the embedded MongoDB process exited (${code}) before printing its URI`)));
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
  });
  return {
    kind: 'embedded',
    uri,
    description: `embedded MongoDB-wire-compatible server in its own process (pid ${child.pid}) at ${uri}`,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

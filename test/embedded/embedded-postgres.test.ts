import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/embedded/embedded-postgres.js';
import { locatePostgresBinaries, postgresUser, reachableBy, runsAsRoot } from '../../src/embedded/postgres-binaries.js';

const modulePath = fileURLToPath(new URL('../../src/embedded/embedded-postgres.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('the embedded PostgreSQL', () => {
  it('runs a real PostgreSQL with the requested prepared-transaction setting and removes it on stop', async () => {
    const server = await startEmbeddedPostgres({ maxPreparedTransactions: 7 });
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query('SHOW max_prepared_transactions');
    expect(rows[0].max_prepared_transactions).toBe('7');
    const numeric = await client.query('SELECT 0.1::numeric(10,2) + 0.2::numeric(10,2) AS sum');
    expect(numeric.rows[0].sum).toBe('0.30');
    await client.end();
    await server.stop();
    const after = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 2000 });
    await expect(after.connect()).rejects.toThrow();
  });

  it('leaves the host process\'s exit code alone', () => {
    const script = `const { startEmbeddedPostgres } = await import(${JSON.stringify(modulePath)});
      const server = await startEmbeddedPostgres(); await server.stop(); process.exitCode = 7;`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(child.stderr).toBe('');
    expect(child.status).toBe(7);
  });

  it.runIf(runsAsRoot())('runs for root from a project in a folder only root can enter (mode 700)', () => {
    // The project seen through a private folder: with --preserve-symlinks every module, and the
    // binaries' path, lives under it, as after a clone into root's home or a `mktemp -d` folder.
    const project = mkdtempSync(path.join(tmpdir(), 'nexfit-private-project-'));
    try {
      expect(statSync(project).mode & 0o777).toBe(0o700);
      symlinkSync(path.join(projectRoot, 'node_modules'), path.join(project, 'node_modules'));
      symlinkSync(path.join(projectRoot, 'src'), path.join(project, 'src'));
      const binaries = locatePostgresBinaries();
      const privateInitdb = path.join(project, path.relative(projectRoot, binaries.initdb));
      // The failure this guards against: the postgres user cannot run a binary under the folder.
      expect(reachableBy(postgresUser(), { ...binaries, initdb: privateInitdb }, tmpdir())).toBe(false);
      writeFileSync(path.join(project, 'start-stores.mjs'), `
        const { startEmbeddedPostgres } = await import(${JSON.stringify(path.join(project, 'src/embedded/embedded-postgres.ts'))});
        const { startEmbeddedMongo } = await import(${JSON.stringify(path.join(project, 'src/embedded/mongo/server.ts'))});
        const { default: pg } = await import('pg');
        const { MongoClient } = await import('mongodb');
        const postgres = await startEmbeddedPostgres();
        const mongo = await startEmbeddedMongo();
        const client = new pg.Client({ connectionString: postgres.url });
        await client.connect();
        const { rows } = await client.query('SELECT current_user AS who, 1 + 1 AS two');
        await client.end();
        const mongoClient = new MongoClient(mongo.uri);
        await mongoClient.db('private').collection('c').insertOne({ a: 1 });
        const count = await mongoClient.db('private').collection('c').countDocuments();
        await mongoClient.close();
        await mongo.stop();
        await postgres.stop();
        console.log(JSON.stringify({ who: rows[0].who, two: rows[0].two, count }));
      `);
      const child = spawnSync(process.execPath, ['--preserve-symlinks', '--preserve-symlinks-main', '--import', 'tsx', 'start-stores.mjs'], {
        cwd: project,
        encoding: 'utf8',
        timeout: 90_000,
      });
      expect(child.stderr).toBe('');
      expect(child.status).toBe(0);
      expect(JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}')).toEqual({ who: 'postgres', two: 2, count: 1 });
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});

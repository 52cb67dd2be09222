import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/embedded/embedded-postgres.js';

const modulePath = fileURLToPath(new URL('../../src/embedded/embedded-postgres.ts', import.meta.url));

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
});

import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { detectPreparedTransactions } from '../../../src/stores/postgres/capabilities.js';
import { useTestPostgres } from '../../support/stores.js';

const pg = useTestPostgres();

describe('detectPreparedTransactions', () => {
  it("agrees with the server's max_prepared_transactions", async () => {
    const capability = await detectPreparedTransactions(pg.kysely);
    const { rows } = await sql<{ max_prepared_transactions: string }>`SHOW max_prepared_transactions`.execute(pg.kysely);
    const configured = Number(rows[0]?.max_prepared_transactions);
    expect(capability).toEqual({ maxPreparedTransactions: configured, enabled: configured > 0 });
    if (pg.kind === 'embedded') expect(capability.enabled).toBe(true);
  });

  it('matches what PREPARE TRANSACTION actually does', async () => {
    const { enabled } = await detectPreparedTransactions(pg.kysely);
    const client = await pg.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT 1');
      const gid = `nexfit-probe-${Date.now()}`;
      const prepared = await client.query(`PREPARE TRANSACTION '${gid}'`).then(
        () => true,
        () => false,
      );
      if (prepared) await client.query(`ROLLBACK PREPARED '${gid}'`);
      else await client.query('ROLLBACK').catch(() => {});
      expect(prepared).toBe(enabled);
    } finally {
      client.release();
    }
  });
});

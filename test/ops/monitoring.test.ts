import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createTestKeyring } from '../../src/core/keyring.js';
import type { PoolEvent } from '../../src/core/pool-metrics.js';
import { createNexfit } from '../../src/create-nexfit.js';
import { healthReport } from '../../src/ops/health-report.js';
import { growthRates, recordSizeSnapshot } from '../../src/ops/health/growth.js';
import { topStatements } from '../../src/ops/health/top-statements.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit();

describe('pool metrics', () => {
  it('shows connections in use, idle and waiting for both drivers, in the report and through the observer', async () => {
    const events: PoolEvent[] = [];
    const nexfit = await createNexfit({
      mongo: { uri: t.mongo.uri, dbName: t.mongo.dbName },
      postgres: { connectionString: t.pg.url, max: 2 },
      keyring: createTestKeyring(),
      observer: { onPoolEvent: (e) => void events.push(e) },
    });
    try {
      // Four queries on a pool of two: two run, two wait.
      const sleeping = Promise.all([1, 2, 3, 4].map(() => sql`SELECT pg_sleep(0.4)`.execute(nexfit.pg)));
      await new Promise((r) => setTimeout(r, 150));
      const busy = nexfit.poolMetrics();
      expect(busy.postgres).toMatchObject({ total: 2, inUse: 2, idle: 0, waiting: 2, max: 2 });
      const report = await healthReport({ db: nexfit.mongo.db, pg: t.nexfit.pg, pools: busy });
      expect(report.pools).toEqual(busy);
      expect(report.problems).toContain('2 queries wait for a PostgreSQL connection (2 in use of 2)');
      await sleeping;
      expect(nexfit.poolMetrics().postgres).toMatchObject({ total: 2, inUse: 0, idle: 2, waiting: 0 });

      await Promise.all([1, 2, 3].map(() => nexfit.mongo.db.collection('foods').find({}).toArray()));
      const mongo = nexfit.poolMetrics().mongo;
      expect(mongo.total).toBeGreaterThanOrEqual(1);
      expect(mongo.inUse).toBe(0);
      expect(mongo.idle).toBe(mongo.total);
      expect(events.some((e) => e.store === 'mongo' && e.event === 'connectionCheckedOut')).toBe(true);
      expect(events.some((e) => e.store === 'postgres' && e.event === 'acquire')).toBe(true);
    } finally {
      await nexfit.close();
    }
  });
});

describe('top statements', () => {
  it('lists pg_stat_statements when the extension is there, and says why not otherwise', async () => {
    const top = await topStatements(t.nexfit.pg, 5);
    if (top.available) {
      expect(top.statements.length).toBeLessThanOrEqual(5);
      for (const s of top.statements) expect(s).toMatchObject({ query: expect.any(String), calls: expect.any(Number), totalMs: expect.any(Number) });
    } else {
      console.log(`[nexfit] pg_stat_statements: ${top.reason}`);
      expect(top.reason).toMatch(/pg_stat_statements/);
    }
    expect((await healthReport({ db: t.nexfit.mongo.db, pg: t.nexfit.pg })).topStatements.available).toBe(top.available);
  });
});

describe('growth rates', () => {
  it('turns stored size snapshots into rows and bytes per day per table and collection', async () => {
    const day0 = new Date('2026-11-01T03:00:00Z');
    const day2 = new Date('2026-11-03T03:00:00Z');
    const grow = async (n: number, from: number) => {
      await sql`
        INSERT INTO transactions (transaction_id, user_id, amount, payment_method, transaction_type, status)
        SELECT 'growth-' || i, lpad(to_hex(i), 24, '0'), 10.00, 'card', 'purchase', 'completed' FROM generate_series(${from}::int, ${from + n - 1}::int) AS i`.execute(t.nexfit.pg);
      await sql`ANALYZE transactions`.execute(t.nexfit.pg);
      for (let i = 0; i < n / 100; i++) await t.nexfit.repositories.foods.create(createInputs.foods({ name: `Growth food ${from}-${i}` }));
    };
    await grow(1_000, 1);
    await recordSizeSnapshot({ db: t.nexfit.mongo.db, pg: t.nexfit.pg, at: day0 });
    expect(await growthRates(t.nexfit.pg, { at: day0 })).toEqual([]); // one snapshot: no rate yet
    await grow(3_000, 1_001);
    await recordSizeSnapshot({ db: t.nexfit.mongo.db, pg: t.nexfit.pg, at: day2 });

    const rates = await growthRates(t.nexfit.pg, { at: day2 });
    const transactions = rates.find((r) => r.store === 'postgres' && r.target === 'transactions');
    expect(transactions).toMatchObject({ from: day0, to: day2, rows: 4_000 });
    expect(transactions!.rowsPerDay).toBe(1_500);
    expect(transactions!.bytesPerDay!).toBeGreaterThan(0);
    expect(rates.find((r) => r.store === 'mongo' && r.target === 'foods')).toMatchObject({ rowsPerDay: 15 });

    const report = await healthReport({ db: t.nexfit.mongo.db, pg: t.nexfit.pg, at: day2 });
    expect(report.growth).toEqual(rates);
  });
});

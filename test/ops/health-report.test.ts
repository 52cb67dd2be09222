import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { detectPreparedTransactions } from '../../src/stores/postgres/capabilities.js';
import { healthReport } from '../../src/ops/health-report.js';
import { SlowOperationRecorder } from '../../src/ops/slow-operations.js';
import { MONGO_COLLECTIONS } from '../../src/modules/mongo-collections.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit();
const report = (extra: { observerStats?: SlowOperationRecorder; inDoubtAfterMs?: number } = {}) =>
  healthReport({ db: t.nexfit.mongo.db, pg: t.nexfit.pg, ...extra });

describe('healthReport', () => {
  it('finds nothing to fix on a freshly migrated instance', async () => {
    const health = await report();
    expect(health.problems).toEqual([]);
    const declared = Object.values(MONGO_COLLECTIONS).map((d) => d.name);
    const collections = new Map(health.mongo.collections.map((c) => [c.name, c]));
    for (const name of declared) {
      expect(collections.get(name), name).toMatchObject({ declared: true, exists: true, indexes: { missing: [], unexpected: [], differing: [] } });
    }
    expect(collections.get('nexfit_meta')?.count).toBe(1); // the applied layout version
    expect(collections.get('workout_logs')?.indexes.present).toEqual(expect.arrayContaining(['_id_', 'userId_startTime']));

    const tables = health.postgres.tables.map((s) => s.table);
    expect(tables).toEqual(expect.arrayContaining(['transactions', 'invoices', 'audit_logs', 'audit_logs_archive', 'analytics_daily']));
    expect(health.postgres.tables.every((s) => s.totalBytes > 0)).toBe(true);
    expect(health.postgres.partitions.map((p) => [p.table, p.missing])).toEqual([['analytics_daily', []], ['audit_logs', []]]);
    expect(health.postgres.partitions.find((p) => p.table === 'audit_logs')?.present.length).toBeGreaterThanOrEqual(4);
    expect(health.slowOperations).toBeNull();
  });

  it('lists PostgreSQL indexes never scanned, but never the unique ones that enforce constraints', async () => {
    await sql`CREATE INDEX health_probe_idx ON nexfit_outbox (type)`.execute(t.nexfit.pg);
    try {
      const { unusedIndexes } = (await report()).postgres;
      expect(unusedIndexes).toContainEqual({ table: 'nexfit_outbox', index: 'health_probe_idx', sizeBytes: expect.any(Number) });
      expect(unusedIndexes.some((u) => u.index.endsWith('_pkey') || u.index.endsWith('_key'))).toBe(false);
    } finally {
      await sql`DROP INDEX health_probe_idx`.execute(t.nexfit.pg);
    }
  });

  it('reports index usage from $indexStats where the server has it, and says when it has not', async () => {
    const health = await report();
    const logs = health.mongo.collections.find((c) => c.name === 'workout_logs');
    if (health.mongo.indexUsage.available) {
      expect(logs?.unusedIndexes).toEqual(expect.arrayContaining(['userId_startTime']));
      expect(logs?.unusedIndexes).not.toContain('_id_');
    } else {
      expect(t.mongo.kind).toBe('embedded');
      expect(health.mongo.indexUsage.reason).toMatch(/indexStats/);
      expect(logs?.unusedIndexes).toBeNull();
    }
  });

  it('reports a dropped index as missing and an extra one as unexpected', async () => {
    const logs = t.nexfit.mongo.db.collection('workout_logs');
    await logs.dropIndex('userId_startTime');
    await logs.createIndex({ endTime: 1 }, { name: 'endTime_adhoc' });
    try {
      const health = await report();
      const found = health.mongo.collections.find((c) => c.name === 'workout_logs');
      expect(found?.indexes.missing).toEqual(['userId_startTime']);
      expect(found?.indexes.unexpected).toEqual(['endTime_adhoc']);
      expect(health.problems).toEqual(['MongoDB workout_logs lacks indexes: userId_startTime']);
    } finally {
      await logs.dropIndex('endTime_adhoc');
      await logs.createIndex({ userId: 1, startTime: -1 }, { name: 'userId_startTime' });
    }
    expect((await report()).problems).toEqual([]);
  });

  it('shows a prepared transaction left behind as a unit of work in doubt', async (ctx) => {
    const { enabled } = await detectPreparedTransactions(t.nexfit.pg);
    if (!enabled) ctx.skip('max_prepared_transactions = 0 on this PostgreSQL: no prepared transaction can be left behind');
    const client = new pg.Client({ connectionString: t.pg.url });
    await client.connect();
    const gid = 'nexfit_uow_health_report_test';
    try {
      await client.query('BEGIN');
      await client.query("INSERT INTO audit_logs (entity_type, entity_id, action) VALUES ('test', 't1', 'create')");
      await client.query(`PREPARE TRANSACTION '${gid}'`);

      const young = await report();
      expect(young.unitsOfWork.prepared).toEqual([]);

      const health = await report({ inDoubtAfterMs: 0 });
      expect(health.unitsOfWork.preparedTransactions.enabled).toBe(true);
      expect(health.unitsOfWork.prepared).toEqual([{ gid, preparedAt: expect.any(Date) }]);
      expect(health.problems).toEqual(['1 unit(s) of work in doubt (run recoverInDoubt / nexfit uow recover)']);
    } finally {
      await client.query(`ROLLBACK PREPARED '${gid}'`).catch(() => {});
      await client.end();
    }
  });

  it('shows a pending ordered-mode intent as a unit of work in doubt', async () => {
    await t.nexfit.pg
      .insertInto('nexfit_uow_intents')
      .values({ unit_id: 'nexfit_uow_pending_test', status: 'pending', compensation: '[]', created_at: sql<Date>`now() - interval '5 minutes'` })
      .execute();
    try {
      const health = await report();
      expect(health.unitsOfWork.pendingIntents).toEqual([{ unitId: 'nexfit_uow_pending_test', createdAt: expect.any(Date) }]);
      expect(health.unitsOfWork.prepared).toEqual([]);
    } finally {
      await t.nexfit.pg.deleteFrom('nexfit_uow_intents').where('unit_id', '=', 'nexfit_uow_pending_test').execute();
    }
  });

  it('reports partitions missing for the months ahead', async () => {
    const farAhead = new Date(Date.UTC(new Date().getUTCFullYear() + 3, 0, 15));
    const health = await healthReport({ db: t.nexfit.mongo.db, pg: t.nexfit.pg, at: farAhead, partitionMonthsAhead: 1 });
    const audit = health.postgres.partitions.find((p) => p.table === 'audit_logs');
    const year = farAhead.getUTCFullYear();
    expect(audit?.missing).toEqual([`audit_logs_${year}_01`, `audit_logs_${year}_02`]);
    expect(health.postgres.partitions.find((p) => p.table === 'analytics_daily')?.missing).toEqual([`analytics_daily_${year}`]);
    expect(health.problems).toHaveLength(2);
  });

  it('includes the slow operations an observer recorded', async () => {
    const recorder = new SlowOperationRecorder({ thresholdMs: 0, capacity: 2 });
    recorder.onStoreOperation({ store: 'postgres', target: 'invoices', operation: 'create', durationMs: 250, ok: true });
    const health = await report({ observerStats: recorder });
    expect(health.slowOperations?.slowest).toEqual([expect.objectContaining({ target: 'invoices', durationMs: 250 })]);
  });
});

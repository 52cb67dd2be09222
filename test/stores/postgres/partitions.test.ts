import { sql, type Kysely } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, NotFoundError } from '../../../src/core/errors.js';
import type { Database } from '../../../src/stores/postgres/database.js';
import { migratePostgresToLatest } from '../../../src/stores/postgres/migrator.js';
import {
  detachPartition,
  dropPartitionsOlderThan,
  ensurePartitions,
  ensureRollingPartitions,
  listPartitions,
  partitionPeriods,
} from '../../../src/stores/postgres/partitions.js';
import { useTestPostgres } from '../../support/stores.js';

const pg = useTestPostgres();
const db = () => pg.kysely as Kysely<Database>;
const utc = (iso: string) => new Date(`${iso}T00:00:00Z`);

async function partitionOf(table: 'analytics_daily' | 'audit_logs', id: string): Promise<string> {
  const { rows } = await sql<{ partition: string }>`
    SELECT tableoid::regclass::text AS partition FROM ${sql.table(table)} WHERE id = ${id}`.execute(pg.kysely);
  return rows[0]?.partition ?? 'missing';
}

async function tableExists(name: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>`SELECT to_regclass(${name}) IS NOT NULL AS found`.execute(pg.kysely);
  return rows[0]?.found === true;
}

describe('partition maintenance', () => {
  beforeAll(async () => {
    await migratePostgresToLatest(pg.kysely);
  });

  it('names periods after the design document and covers both ends of a range', () => {
    expect(partitionPeriods('analytics_daily', utc('2024-12-31'), utc('2026-01-01')).map((p) => p.name)).toEqual([
      'analytics_daily_2024',
      'analytics_daily_2025',
      'analytics_daily_2026',
    ]);
    const months = partitionPeriods('audit_logs', new Date('2025-11-30T23:59:59Z'), utc('2026-01-15'));
    expect(months.map((p) => [p.name, p.from.toISOString(), p.to.toISOString()])).toEqual([
      ['audit_logs_2025_11', '2025-11-01T00:00:00.000Z', '2025-12-01T00:00:00.000Z'],
      ['audit_logs_2025_12', '2025-12-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'],
      ['audit_logs_2026_01', '2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    ]);
  });

  it('starts with a window around the database date and a default partition per table', async () => {
    const { rows } = await sql<{ now: Date }>`SELECT now() AS now`.execute(pg.kysely);
    const now = rows[0]!.now;
    const year = now.getUTCFullYear();
    const analytics = await listPartitions(pg.kysely, 'analytics_daily');
    expect(analytics.map((p) => p.name)).toEqual([
      `analytics_daily_${year - 1}`,
      `analytics_daily_${year}`,
      `analytics_daily_${year + 1}`,
      'analytics_daily_default',
    ]);
    expect(analytics[1]).toMatchObject({ from: utc(`${year}-01-01`), to: utc(`${year + 1}-01-01`), isDefault: false });
    expect(analytics[3]).toMatchObject({ from: null, to: null, isDefault: true });

    const audit = await listPartitions(pg.kysely, 'audit_logs');
    const expected = partitionPeriods(
      'audit_logs',
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)),
      new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 3, 1)),
    );
    expect(audit.map((p) => p.name)).toEqual([...expected.map((p) => p.name), 'audit_logs_default']);
    expect(audit[0]?.from).toEqual(expected[0]?.from);
  });

  it('is idempotent', async () => {
    const first = await ensureRollingPartitions(pg.kysely);
    expect(first.analytics_daily.created).toEqual([]);
    expect(first.audit_logs.created).toEqual([]);
    expect(first.audit_logs.existing).toHaveLength(5);
  });

  it('is safe when two callers ensure the same range at once', async () => {
    const range = { table: 'analytics_daily', from: utc('2030-01-01'), to: utc('2032-06-30') } as const;
    const [a, b] = await Promise.all([ensurePartitions(pg.kysely, range), ensurePartitions(pg.kysely, range)]);
    expect([...a.created, ...b.created].sort()).toEqual(['analytics_daily_2030', 'analytics_daily_2031', 'analytics_daily_2032']);
    expect([...a.existing, ...b.existing]).toHaveLength(3);
    const names = (await listPartitions(pg.kysely, 'analytics_daily')).map((p) => p.name);
    expect(names.filter((n) => n.startsWith('analytics_daily_203'))).toEqual([
      'analytics_daily_2030',
      'analytics_daily_2031',
      'analytics_daily_2032',
    ]);
  });

  it('routes rows to the partition of their date or instant', async () => {
    const daily = await db()
      .insertInto('analytics_daily')
      .values([
        { business_id: 'b1', date: '2030-12-31' },
        { business_id: 'b1', date: '2031-01-01' },
      ])
      .returning('id')
      .execute();
    expect(await partitionOf('analytics_daily', daily[0]!.id)).toBe('analytics_daily_2030');
    expect(await partitionOf('analytics_daily', daily[1]!.id)).toBe('analytics_daily_2031');

    await ensurePartitions(pg.kysely, { table: 'audit_logs', from: utc('2030-01-01'), to: utc('2030-02-01') });
    // 23:30 on 31 January in Istanbul is already February in UTC: months are UTC months.
    const audit = await db()
      .insertInto('audit_logs')
      .values({ entity_type: 'invoice', entity_id: 'i1', action: 'issue', created_at: '2030-01-31T23:30:00+03:00' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await partitionOf('audit_logs', audit.id)).toBe('audit_logs_2030_01');
    const late = await db()
      .insertInto('audit_logs')
      .values({ entity_type: 'invoice', entity_id: 'i1', action: 'pay', created_at: '2030-02-01T02:30:00+03:00' })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await partitionOf('audit_logs', late.id)).toBe('audit_logs_2030_01');
  });

  it('keeps unique (business_id, date) across partitions for upserts', async () => {
    const upsert = (attendance: number) =>
      db()
        .insertInto('analytics_daily')
        .values({ business_id: 'b2', date: '2031-05-05', class_attendance: attendance })
        .onConflict((oc) => oc.columns(['business_id', 'date']).doUpdateSet({ class_attendance: attendance }))
        .execute();
    await upsert(3);
    await upsert(7);
    const rows = await db().selectFrom('analytics_daily').select('class_attendance').where('business_id', '=', 'b2').execute();
    expect(rows).toEqual([{ class_attendance: 7 }]);
  });

  it('catches rows outside every partition in the default one and moves them when their partition is created', async () => {
    const stray = await db()
      .insertInto('audit_logs')
      .values({ entity_type: 'user', entity_id: 'u1', action: 'erase', created_at: utc('2040-05-10') })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(await partitionOf('audit_logs', stray.id)).toBe('audit_logs_default');

    const result = await ensurePartitions(pg.kysely, { table: 'audit_logs', from: utc('2040-04-01'), to: utc('2040-06-01') });
    expect(result).toEqual({
      created: ['audit_logs_2040_04', 'audit_logs_2040_05', 'audit_logs_2040_06'],
      existing: [],
      movedFromDefault: 1,
    });
    expect(await partitionOf('audit_logs', stray.id)).toBe('audit_logs_2040_05');

    // The moved partition is a full member: same indexes as its siblings, and it takes new rows.
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'audit_logs_2040_05'`.execute(pg.kysely);
    const siblings = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'audit_logs_2040_04'`.execute(pg.kysely);
    expect(rows[0]?.n).toBe(siblings.rows[0]?.n);
    const next = await db()
      .insertInto('audit_logs')
      .values({ entity_type: 'user', entity_id: 'u1', action: 'erase', created_at: utc('2040-05-11') })
      .returning('id')
      .executeTakeFirstOrThrow();
    expect(BigInt(next.id)).toBeGreaterThan(BigInt(stray.id));
    expect(await partitionOf('audit_logs', next.id)).toBe('audit_logs_2040_05');
  });

  it('reports a row estimate once the planner has statistics', async () => {
    await sql`ANALYZE analytics_daily`.execute(pg.kysely);
    const p2030 = (await listPartitions(pg.kysely, 'analytics_daily')).find((p) => p.name === 'analytics_daily_2030');
    expect(p2030?.rowEstimate).toBe(1);
  });

  it('detaches or drops partitions older than a cutoff, never the default one', async () => {
    await ensurePartitions(pg.kysely, { table: 'analytics_daily', from: utc('2001-01-01'), to: utc('2003-12-31') });
    await db().insertInto('analytics_daily').values({ business_id: 'old', date: '2001-07-01' }).execute();

    const detached = await dropPartitionsOlderThan(pg.kysely, 'analytics_daily', utc('2003-01-01'), { mode: 'detach' });
    expect(detached).toEqual({ mode: 'detach', partitions: ['analytics_daily_2001', 'analytics_daily_2002'] });
    expect(await tableExists('analytics_daily_2001')).toBe(true);
    const archived = await sql<{ n: number }>`SELECT count(*)::int AS n FROM analytics_daily_2001`.execute(pg.kysely);
    expect(archived.rows[0]?.n).toBe(1);
    const visible = await db().selectFrom('analytics_daily').select('id').where('business_id', '=', 'old').execute();
    expect(visible).toEqual([]);

    const dropped = await dropPartitionsOlderThan(pg.kysely, 'analytics_daily', utc('2004-01-01'), { mode: 'drop' });
    expect(dropped.partitions).toEqual(['analytics_daily_2003']);
    expect(await tableExists('analytics_daily_2003')).toBe(false);
    expect((await listPartitions(pg.kysely, 'analytics_daily')).some((p) => p.isDefault)).toBe(true);
  });

  it('refuses to recreate a partition whose name belongs to a detached archive', async () => {
    const error = await ensurePartitions(pg.kysely, { table: 'analytics_daily', from: utc('2001-01-01'), to: utc('2001-01-01') }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigurationError);
  });

  it('detaches a single partition by name', async () => {
    await detachPartition(pg.kysely, 'audit_logs', 'audit_logs_2040_06');
    expect((await listPartitions(pg.kysely, 'audit_logs')).map((p) => p.name)).not.toContain('audit_logs_2040_06');
    await expect(detachPartition(pg.kysely, 'audit_logs', 'audit_logs_1999_01')).rejects.toBeInstanceOf(NotFoundError);
    await expect(detachPartition(pg.kysely, 'audit_logs', 'audit_logs_default')).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('runs inside a caller transaction and rolls back with it', async () => {
    await db()
      .transaction()
      .execute(async (trx) => {
        const result = await ensurePartitions(trx, { table: 'analytics_daily', from: utc('2050-01-01'), to: utc('2050-01-01') });
        expect(result.created).toEqual(['analytics_daily_2050']);
        throw new Error('abort');
      })
      .catch(() => {});
    expect(await tableExists('analytics_daily_2050')).toBe(false);
  });

  it('explains that migrations must run first when the table is missing', async () => {
    await expect(listPartitions(pg.kysely, 'audit_logs', { schema: 'no_such_schema' })).rejects.toBeInstanceOf(ConfigurationError);
  });
});

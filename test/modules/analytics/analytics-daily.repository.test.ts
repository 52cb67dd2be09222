import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import type { BusinessId } from '../../../src/core/ids.js';
import { AnalyticsDailyRepository } from '../../../src/modules/analytics/analytics-daily.repository.js';
import type { CreateAnalyticsDailyInput } from '../../../src/modules/analytics/analytics-daily.schema.js';
import { oid } from '../support/factories.js';
import { countRows, explain, lastQuery, planNodes, scannedIndexes, useRepositoryDb } from '../support/postgres-repositories.js';

const test = useRepositoryDb();
let analytics: AnalyticsDailyRepository;

beforeAll(() => {
  analytics = new AnalyticsDailyRepository(test.db, test.deps);
});

const businessId = (n: number) => oid(n) as BusinessId;

function aDay(overrides: Partial<CreateAnalyticsDailyInput> = {}): CreateAnalyticsDailyInput {
  return { businessId: businessId(1), date: '2026-03-01', newMembers: 3, activeMembers: 120, totalRevenue: 4_500_10, classAttendance: 42, ...overrides };
}

describe('AnalyticsDailyRepository', () => {
  it('writes a day’s roll-up and reads it back exactly', async () => {
    const row = await analytics.upsert(aDay({ metrics: { refunds: 2 } }));
    expect(row).toMatchObject({ date: '2026-03-01', totalRevenue: 4_500_10, newMembers: 3, subscriptionRenewals: 0, metrics: { refunds: 2 } });
    expect(await analytics.findByBusinessAndDate(businessId(1), '2026-03-01')).toEqual(row);
  });

  it('is idempotent: the same day written twice leaves one row with the latest figures', async () => {
    const first = await analytics.upsert(aDay({ businessId: businessId(2) }));
    const before = await countRows(test.db, 'analytics_daily');
    const again = await analytics.upsert(aDay({ businessId: businessId(2), newMembers: 5, totalRevenue: 9_999_999_999_99 }));
    expect(await countRows(test.db, 'analytics_daily')).toBe(before);
    expect(again).toMatchObject({ newMembers: 5, totalRevenue: 9_999_999_999_99, createdAt: first.createdAt });
  });

  it('survives two concurrent runs for the same day', async () => {
    await Promise.all([analytics.upsert(aDay({ businessId: businessId(3) })), analytics.upsert(aDay({ businessId: businessId(3), newMembers: 9 }))]);
    expect(await analytics.listByBusiness(businessId(3), { from: '2026-03-01', to: '2026-03-01' })).toHaveLength(1);
  });

  it('lists a business’s days in a range, both ends inclusive, across partitions', async () => {
    for (const date of ['2025-12-31', '2026-01-01', '2026-01-02', '2026-01-05']) await analytics.upsert(aDay({ businessId: businessId(4), date }));
    await analytics.upsert(aDay({ businessId: businessId(5), date: '2026-01-01' }));
    const days = await analytics.listByBusiness(businessId(4), { from: '2025-12-31', to: '2026-01-02' });
    expect(days.map((d) => d.date)).toEqual(['2025-12-31', '2026-01-01', '2026-01-02']);
  });

  it('refuses invalid figures, reversed ranges and operator objects, writing nothing', async () => {
    const before = await countRows(test.db, 'analytics_daily');
    await expect(analytics.upsert(aDay({ newMembers: -1 }))).rejects.toBeInstanceOf(ValidationError);
    await expect(analytics.upsert(aDay({ totalRevenue: 0.5 }))).rejects.toBeInstanceOf(ValidationError);
    await expect(analytics.listByBusiness(businessId(4), { from: '2026-02-01', to: '2026-01-01' })).rejects.toBeInstanceOf(ValidationError);
    await expect(analytics.listByBusiness(businessId(4), { from: { $gt: '' }, to: '2026-01-01' } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(await countRows(test.db, 'analytics_daily')).toBe(before);
  });

  it('reads a business’s range through idx_analytics_daily_business_date', async () => {
    await sql`
      INSERT INTO analytics_daily (business_id, date, new_members)
      SELECT lpad(to_hex(100 + g % 40), 24, '0'), date '2025-01-01' + g / 40, 1 FROM generate_series(1, 2000) AS g`.execute(test.db);
    await sql`ANALYZE analytics_daily`.execute(test.db);
    await analytics.listByBusiness(businessId(110), { from: '2025-01-10', to: '2025-01-20' });
    const plan = await explain(test, lastQuery(test.queries, /from "analytics_daily" where "business_id"/));
    // A partition's copy of the index is named after the partition: analytics_daily_2025_business_id_date_idx.
    expect(scannedIndexes(plan).some((name) => /^analytics_daily_2025_business_id_date/.test(name))).toBe(true);
    expect(planNodes(plan).filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'analytics_daily_2025')).toEqual([]);
  });
});

import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { BusinessId } from '../../core/ids.js';
import { calendarDateSchema } from '../../core/schema-primitives.js';
import type { BulkCreateOptions, BulkCreateResult } from '../../stores/bulk.js';
import type { RepositoryDeps } from '../../stores/repository-deps.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { BulkInsertTable } from '../../stores/postgres/bulk-insert.js';
import { calendarDateOf, decimalOf, instantOf, jsonTextOf, minorOf } from '../../stores/postgres/column-values.js';
import type { AnalyticsDailyRow, Database, NewAnalyticsDailyRow } from '../../stores/postgres/database.js';
import { PostgresRepository } from '../../stores/postgres/postgres-repository.js';
import { analyticsDailySchema, createAnalyticsDailyInputSchema, upsertAnalyticsDailyInputSchema, type AnalyticsDaily, type CreateAnalyticsDailyData, type CreateAnalyticsDailyInput } from './analytics-daily.schema.js';

/** The longest range one report reads: ten years of days, one row per day at most. */
const MAX_RANGE_DAYS = 3_660;
const DAY_MS = 86_400_000;

const rangeSchema = z
  .strictObject({ from: calendarDateSchema, to: calendarDateSchema })
  .refine((r) => r.from <= r.to, { error: '`from` must not be after `to`', path: ['to'] })
  .refine((r) => (Date.parse(r.to) - Date.parse(r.from)) / DAY_MS < MAX_RANGE_DAYS, { error: `A range spans at most ${MAX_RANGE_DAYS} days`, path: ['to'] });

/** A range of calendar days, both ends inclusive (`YYYY-MM-DD`). */
export type AnalyticsDateRange = z.input<typeof rangeSchema>;

/** The roll-up columns an upsert replaces; `id` and `created_at` of an existing row stay. */
const REPLACED_COLUMNS = [
  'new_members',
  'active_members',
  'total_revenue',
  'class_attendance',
  'subscription_renewals',
  'subscription_cancellations',
  'metrics',
] as const;

/**
 * The `analytics_daily` table: one roll-up row per business and day, partitioned by year.
 * The nightly job writes each day with {@link AnalyticsDailyRepository.upsert}, so running
 * it twice for the same day leaves the same row.
 *
 * @example
 * ```ts
 * const analytics = new AnalyticsDailyRepository(db, deps);
 * await analytics.upsert({ businessId, date: '2026-03-01', newMembers: 3, totalRevenue: 4_500_00 }, ctx);
 * const march = await analytics.listByBusiness(businessId, { from: '2026-03-01', to: '2026-03-31' });
 * ```
 */
export class AnalyticsDailyRepository extends PostgresRepository {
  constructor(db: Kysely<Database>, deps: RepositoryDeps) {
    super(db, deps, { entity: 'daily analytics', table: 'analytics_daily' });
  }

  /**
   * Writes the day's roll-up, replacing the one already stored for that business and day
   * (`ON CONFLICT (business_id, date) DO UPDATE`): idempotent, and safe when two runs race.
   */
  async upsert(input: CreateAnalyticsDailyInput, ctx?: StoreContext): Promise<AnalyticsDaily> {
    return this.run('upsert', async () => {
      const data = this.parse(upsertAnalyticsDailyInputSchema, input);
      const row = await this.dbOf(ctx)
        .insertInto('analytics_daily')
        .values(toNewRow(data))
        .onConflict((oc) =>
          oc.columns(['business_id', 'date']).doUpdateSet((eb) => Object.fromEntries(REPLACED_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)]))),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAnalyticsDaily(row);
    });
  }

  /**
   * Inserts many new days with one INSERT per chunk of rows (contract in `stores/bulk.ts`),
   * each validated as {@link AnalyticsDailyRepository.upsert} validates it. Unlike `upsert` it
   * never replaces a day: a (business, date) already stored, or repeated in the batch, is a
   * `CONFLICT` rejection. A day of a year without its partition lands in the DEFAULT
   * partition, as an upsert's does. By default the first bad row stops the batch.
   *
   * @example
   * ```ts
   * const { created } = await analytics.createMany([{ businessId, date: '2026-03-01', newMembers: 3 }, { businessId, date: '2026-03-02', newMembers: 1 }]);
   * ```
   */
  async createMany(inputs: readonly CreateAnalyticsDailyInput[], options?: BulkCreateOptions, ctx?: StoreContext): Promise<BulkCreateResult<AnalyticsDaily>> {
    return this.createRows(inputs, options, ctx, {
      ...BULK_TABLE,
      parse: (input) => this.parse(createAnalyticsDailyInputSchema, input),
      toRows: (_, rows) => rows.map(toNewRow),
      toEntity: toAnalyticsDaily,
    });
  }

  /** The roll-up of one business and day, or `null`. */
  async findByBusinessAndDate(businessId: BusinessId, date: string, ctx?: StoreContext): Promise<AnalyticsDaily | null> {
    return this.run('findByBusinessAndDate', async () => {
      const business = this.parse(analyticsDailySchema.shape.businessId, businessId);
      const day = this.parse(calendarDateSchema, date);
      const row = await this.dbOf(ctx)
        .selectFrom('analytics_daily')
        .selectAll()
        .where('business_id', '=', business)
        .where('date', '=', day)
        .executeTakeFirst();
      return row ? toAnalyticsDaily(row) : null;
    });
  }

  /**
   * A business's roll-ups from `from` to `to` (both inclusive), by date. At most one row
   * per day, so the range bounds the result; partitions outside it are pruned.
   */
  async listByBusiness(businessId: BusinessId, range: AnalyticsDateRange, ctx?: StoreContext): Promise<readonly AnalyticsDaily[]> {
    return this.run('listByBusiness', async () => {
      const business = this.parse(analyticsDailySchema.shape.businessId, businessId);
      const { from, to } = this.parse(rangeSchema, range);
      const rows = await this.dbOf(ctx)
        .selectFrom('analytics_daily')
        .selectAll()
        .where('business_id', '=', business)
        .where('date', '>=', from)
        .where('date', '<=', to)
        .orderBy('date')
        .execute();
      return rows.map(toAnalyticsDaily);
    });
  }
}

/** How `createMany` writes `analytics_daily`: the columns of {@link toNewRow} (timestamps default to the server's, as an upsert's do), keyed by (business, date). */
const BULK_TABLE: Omit<BulkInsertTable<CreateAnalyticsDailyData, AnalyticsDailyRow>, 'toRows'> = {
  table: 'analytics_daily',
  columns: [
    ['business_id', 'text'],
    ['date', 'date'],
    ['new_members', 'int4'],
    ['active_members', 'int4'],
    ['total_revenue', 'numeric'],
    ['class_attendance', 'int4'],
    ['subscription_renewals', 'int4'],
    ['subscription_cancellations', 'int4'],
    ['metrics', 'jsonb'],
  ],
  filled: ['created_at', 'updated_at'],
  key: { fields: ['businessId', 'date'], columns: ['business_id', 'date'], ofData: (data) => `${data.businessId}|${data.date}`, ofRow: (row) => `${row.business_id}|${calendarDateOf(row.date)}` },
};

/** Entity -> row: the one place the `analytics_daily` columns are written. */
function toNewRow(data: CreateAnalyticsDailyData): NewAnalyticsDailyRow {
  return {
    business_id: data.businessId,
    date: data.date,
    new_members: data.newMembers,
    active_members: data.activeMembers,
    total_revenue: decimalOf(data.totalRevenue),
    class_attendance: data.classAttendance,
    subscription_renewals: data.subscriptionRenewals,
    subscription_cancellations: data.subscriptionCancellations,
    metrics: jsonTextOf(data.metrics),
  };
}

/** Row -> entity: the one place the `analytics_daily` columns are read. */
function toAnalyticsDaily(row: AnalyticsDailyRow): AnalyticsDaily {
  return {
    businessId: row.business_id as BusinessId,
    date: calendarDateOf(row.date),
    newMembers: row.new_members,
    activeMembers: row.active_members,
    totalRevenue: minorOf(row.total_revenue),
    classAttendance: row.class_attendance,
    subscriptionRenewals: row.subscription_renewals,
    subscriptionCancellations: row.subscription_cancellations,
    metrics: row.metrics as AnalyticsDaily['metrics'],
    createdAt: instantOf(row.created_at),
    updatedAt: instantOf(row.updated_at),
  };
}

import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import type { BusinessId } from '../../core/ids.js';
import { decimalToMinor } from '../../core/money.js';
import { calendarDateSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import type { Database } from '../../stores/postgres/database.js';
import type { ServiceDeps } from '../service-deps.js';
import type { AnalyticsDaily, CreateAnalyticsDailyInput } from './analytics-daily.schema.js';
import type { AnalyticsDailyRepository } from './analytics-daily.repository.js';
import { businessDay, daysBetween } from './business-day.js';
import { documentDayFacts, facilitiesWithTimeZones, paymentDayFacts } from './rollup-sources.js';

const objectIdHex = z.string().regex(/^[0-9a-f]{24}$/);
const rollupDayInputSchema = z.strictObject({ date: calendarDateSchema, businessId: objectIdHex.optional() });
const backfillInputSchema = z
  .strictObject({ from: calendarDateSchema, to: calendarDateSchema, businessId: objectIdHex.optional() })
  .refine((r) => r.from <= r.to, { error: '`from` must not be after `to`', path: ['to'] });
const reportInputSchema = z.strictObject({
  businessId: objectIdHex,
  from: calendarDateSchema,
  to: calendarDateSchema,
  groupBy: z.enum(['day', 'week', 'month']).default('day'),
});

/** One period of a report: sums of the daily rows (active members: the period's peak day). */
export interface AnalyticsPeriod {
  /** First day of the period (`YYYY-MM-DD`; Monday for ISO weeks). */
  readonly period: string;
  readonly days: number;
  readonly newMembers: number;
  readonly activeMembersPeak: number;
  readonly totalRevenue: number;
  readonly classAttendance: number;
  readonly subscriptionRenewals: number;
  readonly subscriptionCancellations: number;
}

/**
 * The daily roll-up into `analytics_daily` (the design document's reporting table) and the
 * reports over it. A business is a facility; its day is its local calendar day.
 *
 * @example
 * ```ts
 * await analytics.rollupDay({ date: '2026-03-01' });                  // every facility
 * await analytics.backfill({ from: '2026-01-01', to: '2026-02-28', onProgress });
 * const months = await analytics.report({ businessId, from: '2026-01-01', to: '2026-06-30', groupBy: 'month' });
 * ```
 */
export class AnalyticsService {
  readonly #db: Db;
  readonly #pg: Kysely<Database>;
  readonly #daily: AnalyticsDailyRepository;
  readonly #deps: ServiceDeps;

  constructor(db: Db, pg: Kysely<Database>, daily: AnalyticsDailyRepository, deps: ServiceDeps) {
    this.#db = db;
    this.#pg = pg;
    this.#daily = daily;
    this.#deps = deps;
  }

  /**
   * Computes one day for one business (or every facility) from both stores and upserts it
   * (`ON CONFLICT (business_id, date) DO UPDATE`): running it again gives the same rows.
   * Aggregations run in the databases: a few aggregations per facility and one SQL query
   * for all of them, never a loop over rows.
   */
  async rollupDay(input: { readonly date: string; readonly businessId?: string }): Promise<readonly AnalyticsDaily[]> {
    const rows: AnalyticsDaily[] = [];
    for (const row of await this.recompute(input)) rows.push(await this.#daily.upsert(row));
    return rows;
  }

  /**
   * What {@link rollupDay} would write for one day, computed from both stores without
   * writing anything: reconciliation compares it with the stored rows.
   */
  async recompute(input: { readonly date: string; readonly businessId?: string }): Promise<readonly CreateAnalyticsDailyInput[]> {
    const { date, businessId } = this.#parse(rollupDayInputSchema, input);
    const facilities = await facilitiesWithTimeZones(this.#db, businessId);
    const windows = facilities.map((f) => ({ businessId: f.id, day: businessDay(date, f.timeZone) }));
    const payments = new Map((await paymentDayFacts(this.#pg, windows)).map((p) => [p.businessId, p]));
    const rows: CreateAnalyticsDailyInput[] = [];
    for (const { businessId: id, day } of windows) {
      const documents = await documentDayFacts(this.#db, id, day);
      const money = payments.get(id);
      rows.push({
        businessId: id as BusinessId,
        date,
        newMembers: documents.newMembers,
        activeMembers: documents.activeMembers,
        totalRevenue: decimalToMinor(money?.grossRevenue ?? '0'),
        classAttendance: documents.classAttendance,
        subscriptionRenewals: money?.renewals ?? 0,
        subscriptionCancellations: documents.cancellations,
        metrics: {
          refundsMinor: decimalToMinor(money?.refunds ?? '0'),
          payments: money?.payments ?? 0,
          bookings: documents.bookings,
          noShows: documents.noShows,
          dayStart: day.start.toISOString(),
          dayEnd: day.end.toISOString(),
        },
      });
    }
    return rows;
  }

  /** Rolls up every day of a range (both ends inclusive), reporting progress after each day. */
  async backfill(input: { readonly from: string; readonly to: string; readonly businessId?: string }, onProgress?: (done: number, total: number, date: string) => void): Promise<{ readonly days: number; readonly rows: number }> {
    const { from, to, businessId } = this.#parse(backfillInputSchema, input);
    const days = daysBetween(from, to);
    let rows = 0;
    for (const [i, date] of days.entries()) {
      rows += (await this.rollupDay({ date, ...(businessId ? { businessId } : {}) })).length;
      onProgress?.(i + 1, days.length, date);
    }
    return { days: days.length, rows };
  }

  /** A business's metrics over a range, by day, ISO week or month. */
  async report(input: { readonly businessId: string; readonly from: string; readonly to: string; readonly groupBy?: 'day' | 'week' | 'month' }): Promise<readonly AnalyticsPeriod[]> {
    const { businessId, from, to, groupBy } = this.#parse(reportInputSchema, input);
    const daily = await this.#daily.listByBusiness(businessId as BusinessId, { from, to });
    const periods = new Map<string, AnalyticsPeriod>();
    for (const row of daily) {
      const key = periodStart(row.date, groupBy);
      const p = periods.get(key);
      periods.set(key, {
        period: key,
        days: (p?.days ?? 0) + 1,
        newMembers: (p?.newMembers ?? 0) + row.newMembers,
        activeMembersPeak: Math.max(p?.activeMembersPeak ?? 0, row.activeMembers),
        totalRevenue: (p?.totalRevenue ?? 0) + row.totalRevenue,
        classAttendance: (p?.classAttendance ?? 0) + row.classAttendance,
        subscriptionRenewals: (p?.subscriptionRenewals ?? 0) + row.subscriptionRenewals,
        subscriptionCancellations: (p?.subscriptionCancellations ?? 0) + row.subscriptionCancellations,
      });
    }
    return [...periods.values()].sort((a, b) => a.period.localeCompare(b.period));
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: 'analytics request', ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}

function periodStart(date: string, groupBy: 'day' | 'week' | 'month'): string {
  const day = Temporal.PlainDate.from(date);
  if (groupBy === 'day') return day.toString();
  if (groupBy === 'month') return day.with({ day: 1 }).toString();
  return day.subtract({ days: day.dayOfWeek - 1 }).toString();
}

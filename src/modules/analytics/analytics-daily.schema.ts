import { z } from 'zod';
import { MAX_DECIMAL_10_2_MINOR } from '../../core/money.js';
import { idSchema } from '../../core/ids.js';
import { calendarDateSchema, countSchema, instantSchema, jsonObjectSchema } from '../../core/schema-primitives.js';

/**
 * The daily roll-up of one business (PostgreSQL `analytics_daily`, unique per business and
 * date). `totalRevenue` is in minor units and fits the seed's `DECIMAL(12,2)`.
 *
 * @example
 * ```ts
 * upsertAnalyticsDailyInputSchema.parse({ businessId, date: '2026-03-01', newMembers: 3, totalRevenue: 4_500_00 })
 * ```
 */
export const MAX_DECIMAL_12_2_MINOR = (MAX_DECIMAL_10_2_MINOR + 1) * 100 - 1;

const counter = countSchema.max(2_147_483_647);

const analyticsDailyFields = {
  businessId: idSchema('BusinessId'),
  date: calendarDateSchema,
  newMembers: counter,
  activeMembers: counter,
  totalRevenue: z.number().int().min(0).max(MAX_DECIMAL_12_2_MINOR).describe('Revenue of the day in minor units (kuruş for TRY)'),
  classAttendance: counter,
  subscriptionRenewals: counter,
  subscriptionCancellations: counter,
  metrics: jsonObjectSchema.nullable(),
};

/** A daily analytics roll-up (`analytics_daily` row) as the SDK returns it; its TypeScript type is inferred from this schema. */
export const analyticsDailySchema = z.strictObject({ ...analyticsDailyFields, createdAt: instantSchema, updatedAt: instantSchema });

/** The roll-up is written idempotently (insert or replace per business and date); counters default to 0. */
export const upsertAnalyticsDailyInputSchema = z.strictObject({
  ...analyticsDailyFields,
  newMembers: counter.default(0),
  activeMembers: counter.default(0),
  totalRevenue: analyticsDailyFields.totalRevenue.default(0),
  classAttendance: counter.default(0),
  subscriptionRenewals: counter.default(0),
  subscriptionCancellations: counter.default(0),
  metrics: analyticsDailyFields.metrics.default(null),
});
/** Alias: creating a row and upserting it take the same input. */
export const createAnalyticsDailyInputSchema = upsertAnalyticsDailyInputSchema;

/** A daily analytics roll-up (`analytics_daily` row) as the SDK returns it. */
export type AnalyticsDaily = z.output<typeof analyticsDailySchema>;
/** What a caller passes to create a daily analytics roll-up (`analytics_daily` row) (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateAnalyticsDailyInput = z.input<typeof upsertAnalyticsDailyInputSchema>;
/** A parsed create input of a daily analytics roll-up (`analytics_daily` row): normalised, branded ids, defaults filled. */
export type CreateAnalyticsDailyData = z.output<typeof upsertAnalyticsDailyInputSchema>;

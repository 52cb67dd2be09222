/**
 * The analytics module's only door: the `analytics_daily` schema and repository and the
 * roll-up service.
 *
 * @example
 * ```ts
 * const analytics = new AnalyticsService(db, pg, new AnalyticsDailyRepository(pg, deps), deps)
 * await analytics.rollupDay({ date: '2026-03-01' })
 * ```
 */
export * from './analytics-daily.schema.js';
export { AnalyticsDailyRepository } from './analytics-daily.repository.js';
export { AnalyticsService, type AnalyticsPeriod } from './analytics.service.js';

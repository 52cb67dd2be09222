import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import type { BodyArea } from '../../core/fitness-vocabulary.js';
import { idSchema } from '../../core/ids.js';
import { roundTo } from '../../core/rounding.js';
import { boundedArray, instantSchema, timeZoneSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import type { TrainingStatisticsRows, TrainingWeekRow } from './training-statistics.pipeline.js';

/** The longest window training statistics cover in one call, in days. */
export const MAX_TRAINING_STATISTICS_DAYS = 366;
/** The time zone weeks are read in when the caller names none. */
export const DEFAULT_TRAINING_TIME_ZONE = 'Europe/Istanbul';

const DAY_MS = 86_400_000;

/**
 * Validates what {@link TrainingStatisticsQuery} asks: `[from, to)` with `from` before `to`
 * and at most 366 days, an IANA `timeZone` (default `Europe/Istanbul`) and at most 100
 * exercise ids.
 *
 * @example
 * ```ts
 * trainingStatisticsQuerySchema.parse({ from: '2026-01-05', to: '2026-03-02', timeZone: 'UTC' })
 * ```
 */
export const trainingStatisticsQuerySchema = z
  .strictObject({
    from: instantSchema,
    to: instantSchema,
    timeZone: timeZoneSchema.default(DEFAULT_TRAINING_TIME_ZONE),
    exerciseIds: boundedArray(idSchema('ExerciseId'), 100).optional(),
  })
  .refine((q) => q.from.getTime() < q.to.getTime(), { error: M.endAfterStart.en, path: ['to'] })
  .refine((q) => q.to.getTime() - q.from.getTime() <= MAX_TRAINING_STATISTICS_DAYS * DAY_MS, { error: M.statisticsWindow.en, path: ['to'] });

/** What {@link WorkoutLogService.trainingStatistics} covers: workouts started in `[from, to)`. */
export type TrainingStatisticsQuery = z.input<typeof trainingStatisticsQuerySchema>;

/** Sums and means of some training (a week, or the whole window). */
export interface TrainingTotals {
  /** Workouts started in the period. */
  readonly sessions: number;
  /** Completed sets that are not warm-ups (drop sets and timed holds included). */
  readonly workingSets: number;
  /** Completed warm-up sets, counted apart: they add no reps, volume or muscle sets. */
  readonly warmupSets: number;
  /** Reps of the working sets. */
  readonly reps: number;
  /** Σ reps × weight (kg) of working sets with a load; body weight, timed and distance sets add none. To 0.01. */
  readonly volume: number;
  /** Mean load per rep (kg): `volume` / the reps of the sets that made it; `null` without any. To 0.01. */
  readonly averageLoad: number | null;
  /** Mean RPE of the working sets that logged one; `null` without any. To 0.01. */
  readonly averageRpe: number | null;
  /** Mean reps in reserve of the working sets that logged them; `null` without any. To 0.01. */
  readonly averageRir: number | null;
  /** Working sets per body area: 1 for each area the exercise works mainly, 0.5 for each it works secondarily. */
  readonly setsPerBodyArea: Readonly<Partial<Record<BodyArea, number>>>;
}

/** One ISO week of training (Monday to Sunday in the query's time zone). */
export interface TrainingWeek extends TrainingTotals {
  /** The ISO week, `2026-W10`. */
  readonly week: string;
  /** Its Monday, `2026-03-02`. */
  readonly weekStart: string;
}

/** A member's training statistics: every ISO week the window touches (empty ones with zeros), and the window's total. */
export interface TrainingStatistics {
  readonly from: Date;
  readonly to: Date;
  readonly timeZone: string;
  readonly weeks: readonly TrainingWeek[];
  readonly total: TrainingTotals;
}

type Sums = { -readonly [K in Exclude<keyof TrainingWeekRow, 'isoWeekYear' | 'isoWeek'> | 'sessions']: number } & { setsPerBodyArea: Partial<Record<BodyArea, number>> };

const emptySums = (): Sums => ({ sessions: 0, workingSets: 0, warmupSets: 0, reps: 0, volume: 0, loadedReps: 0, rpeSum: 0, rpeSets: 0, rirSum: 0, rirSets: 0, setsPerBodyArea: {} });
const mean = (sum: number, count: number) => (count === 0 ? null : roundTo(sum / count, 2));
const weekKey = (isoWeekYear: number, isoWeek: number) => `${isoWeekYear}-W${String(isoWeek).padStart(2, '0')}`;

function totalsOf(s: Sums): TrainingTotals {
  const areas = Object.keys(s.setsPerBodyArea).sort() as BodyArea[];
  return {
    sessions: s.sessions,
    workingSets: s.workingSets,
    warmupSets: s.warmupSets,
    reps: s.reps,
    volume: roundTo(s.volume, 2),
    averageLoad: mean(s.volume, s.loadedReps),
    averageRpe: mean(s.rpeSum, s.rpeSets),
    averageRir: mean(s.rirSum, s.rirSets),
    setsPerBodyArea: Object.fromEntries(areas.map((a) => [a, s.setsPerBodyArea[a]!])),
  };
}

function add(into: Sums, row: Omit<TrainingWeekRow, 'isoWeekYear' | 'isoWeek'>): void {
  for (const key of ['workingSets', 'warmupSets', 'reps', 'volume', 'loadedReps', 'rpeSum', 'rpeSets', 'rirSum', 'rirSets'] as const) into[key] += row[key];
}

/**
 * The statistics of a window from the pipeline's grouped rows (see
 * `trainingStatisticsPipeline`): lists every ISO week the window touches in `timeZone`, takes
 * the means from the sums, and adds the weeks up into the total. Works on a few dozen rows;
 * the logs themselves never leave the database.
 *
 * @example
 * ```ts
 * const stats = trainingStatisticsFromRows(rows, { from, to, timeZone: 'Europe/Istanbul' })
 * ```
 */
export function trainingStatisticsFromRows(rows: TrainingStatisticsRows, window: { from: Date; to: Date; timeZone: string }): TrainingStatistics {
  const weeks = new Map<string, { weekStart: string; sums: Sums }>();
  const last = localDate(new Date(window.to.getTime() - 1), window.timeZone);
  for (let day = mondayOf(localDate(window.from, window.timeZone)); Temporal.PlainDate.compare(day, last) <= 0; day = day.add({ weeks: 1 })) {
    weeks.set(weekKey(day.yearOfWeek!, day.weekOfYear!), { weekStart: day.toString(), sums: emptySums() });
  }
  const total = emptySums();
  for (const row of rows.weeks) {
    const week = weeks.get(weekKey(row.isoWeekYear, row.isoWeek));
    if (week) add(week.sums, row);
    add(total, row);
  }
  for (const row of rows.sessions) {
    const week = weeks.get(weekKey(row.isoWeekYear, row.isoWeek));
    if (week) week.sums.sessions += row.sessions;
    total.sessions += row.sessions;
  }
  for (const row of rows.muscles) {
    const week = weeks.get(weekKey(row.isoWeekYear, row.isoWeek));
    if (week) week.sums.setsPerBodyArea[row.bodyArea] = (week.sums.setsPerBodyArea[row.bodyArea] ?? 0) + row.sets;
    total.setsPerBodyArea[row.bodyArea] = (total.setsPerBodyArea[row.bodyArea] ?? 0) + row.sets;
  }
  return {
    from: window.from,
    to: window.to,
    timeZone: window.timeZone,
    weeks: [...weeks].map(([week, w]) => ({ week, weekStart: w.weekStart, ...totalsOf(w.sums) })),
    total: totalsOf(total),
  };
}

function localDate(instant: Date, timeZone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone).toPlainDate();
}

function mondayOf(day: Temporal.PlainDate): Temporal.PlainDate {
  return day.subtract({ days: day.dayOfWeek - 1 });
}

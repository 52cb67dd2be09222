import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { ConflictError, ValidationError, type ValidationIssue } from '../../core/errors.js';
import type { ExerciseId, UserId, WorkoutLogId } from '../../core/ids.js';
import { roundTo } from '../../core/rounding.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES } from '../../core/validation-messages.js';
import { parseOrThrow, type ValidationLocale } from '../../core/validation.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { ServiceDeps } from '../service-deps.js';
import type { WorkoutLogRepository } from './workout-log.repository.js';
import type { TimeRangeInput } from '../../stores/mongo/time-range.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { MAX_STATISTICS_WINDOW_DAYS } from './workout-log.repository.js';
import { createWorkoutLogInputSchema, workoutLogSchema, type CreateWorkoutLogInput, type LoggedExercise, type WorkoutLog } from './workout-log.schema.js';
import { repsBounds, type LoggedWorkoutSet, type RepsPrescription } from './workout-set.schema.js';
import type { WorkoutTemplateRepository } from './workout-template.repository.js';
import { fromKilograms, type WeightUnit } from './units.js';
import { nextPrescriptionInputSchema, type NextPrescriptionInput } from './prescription.schema.js';
import { computePrescription, type Prescription } from './progression.js';
import { trainingStatisticsFromRows, trainingStatisticsQuerySchema, type TrainingStatistics, type TrainingStatisticsQuery } from './training-statistics.js';
import type { WorkoutProgramRepository } from './workout-program.repository.js';
import { caloriesPerMinuteOf, workSecondsOf, type ExerciseCatalog, type ExerciseFacts } from './workout.service.js';

/** One personal record: its value and the workout it was set in (the earliest, on a tie). */
export interface PersonalRecord {
  /** In kilograms, the canonical unit records are compared in. */
  readonly value: number;
  /** The value in the records' `unit` (the one the member logs in), to 0.01. */
  readonly valueInUnit: number;
  readonly workoutLogId: WorkoutLogId;
  readonly achievedAt: Date;
}

/**
 * A user's records for one exercise; a record is absent when no set qualifies. Warm-up sets
 * and body weight sets (whose `weight` is only the added load) are never records.
 */
export interface ExerciseRecords {
  readonly exerciseId: ExerciseId;
  /** The unit the member logged their newest loaded set of the exercise in (`kg` when none says). */
  readonly unit: WeightUnit;
  /** The heaviest weight (kg) of a completed set with at least one rep. */
  readonly heaviestWeight?: PersonalRecord;
  /** The best estimated one-repetition maximum (kg), by Epley's formula. */
  readonly bestEstimatedOneRepMax?: PersonalRecord;
  /** The largest volume (kg) of the exercise in one workout: Σ reps × weight of its completed sets. */
  readonly bestSessionVolume?: PersonalRecord;
}

/** Training of one ISO week (Monday to Sunday in the chosen time zone). */
export interface WeeklyVolume {
  /** ISO week, `2026-W10`. */
  readonly week: string;
  readonly workouts: number;
  readonly completedSets: number;
  /** Σ reps × weight (kg) of completed sets; bodyweight and timed sets add none. */
  readonly volume: number;
}

/** Training streaks, see {@link WorkoutLogService.streaks}. */
export interface TrainingStreaks {
  readonly currentDays: number;
  readonly longestDays: number;
  readonly currentWeeks: number;
  readonly longestWeeks: number;
}

/** How one exercise of a workout compares with the template it followed. */
export interface ExerciseComparison {
  readonly exerciseId: ExerciseId;
  /** `done`: planned and logged; `skipped`: planned, not logged; `extra`: logged, not planned. */
  readonly status: 'done' | 'skipped' | 'extra';
  readonly plannedSets: number;
  readonly completedSets: number;
  readonly setsDelta: number;
  readonly plannedReps: number;
  readonly completedReps: number;
  readonly repsDelta: number;
}

/** A logged workout against the template it followed: sets and reps planned and done. */
export interface PlanComparison {
  readonly workoutLogId: WorkoutLogId;
  readonly exercises: readonly ExerciseComparison[];
  readonly plannedExercises: number;
  readonly doneExercises: number;
}

/**
 * Epley's estimated one-repetition maximum, `w × (1 + reps / 30)`; a single rep is the weight
 * itself (the formula would add 3 % to a lift already maximal).
 *
 * @example
 * ```ts
 * epleyOneRepMax(100, 5) // 116.67 (kg)
 * ```
 */
export function epleyOneRepMax(weight: number, reps: number): number {
  return reps <= 1 ? weight : weight * (1 + reps / 30);
}

const logIdSchema = workoutLogSchema.shape.id;
const userIdSchema = workoutLogSchema.shape.userId;
const exerciseIdSchema = workoutLogSchema.shape.exercises.element.shape.exerciseId;
const DEFAULT_TIME_ZONE = 'Europe/Istanbul';
const timeZoneSchema = z.string().refine((tz) => {
  try {
    Temporal.Now.zonedDateTimeISO(tz);
    return true;
  } catch {
    return false;
  }
}, 'Unknown IANA time zone');
const weeklyVolumeSchema = z.strictObject({ from: instantSchema, to: instantSchema, timeZone: timeZoneSchema.default(DEFAULT_TIME_ZONE) });
const streakSchema = z.strictObject({ asOf: instantSchema.optional(), timeZone: timeZoneSchema.default(DEFAULT_TIME_ZONE) });
const PAGE = 200;

/** How far after its start a programme's prescription is computed: ten years of logs at most. */
export const MAX_PRESCRIPTION_DAYS = 3_660;

const round2 = (n: number) => roundTo(n, 2);
const isWork = (s: LoggedWorkoutSet) => s.completed;
/** Records count completed working sets with a load of their own: no warm-ups, no body weight sets. */
const countsForRecords = (s: LoggedWorkoutSet) => s.completed && s.type !== 'warmup' && s.bodyweight !== true;

/**
 * Workout logs and what they tell: derived duration and calories, personal records, weekly
 * volume, streaks, and the comparison with the planned template.
 *
 * Rules:
 * - `duration` (minutes) is derived from `startTime`/`endTime` when both are given (rounded to
 *   the nearest minute), never trusted over them;
 * - `caloriesBurned`, when missing, is estimated like a template's: completed sets' work
 *   minutes × each exercise's kcal per minute from the catalogue;
 * - every logged exercise must exist and be visible to the user, and the template, when
 *   named, must exist;
 * - only completed sets count towards records, volume and comparisons.
 *
 * @example
 * ```ts
 * const logs = new WorkoutLogService(workoutLogs, templates, programs, exercises, deps)
 * await logs.logWorkout({ userId, startTime: '2026-03-02T07:00:00Z', endTime: '2026-03-02T07:45:00Z', exercises })
 * const records = await logs.personalRecords(userId, benchPressId)
 * ```
 */
export class WorkoutLogService {
  readonly #logs: WorkoutLogRepository;
  readonly #templates: WorkoutTemplateRepository;
  readonly #programs: WorkoutProgramRepository;
  readonly #catalog: ExerciseCatalog;
  readonly #deps: ServiceDeps;

  constructor(logs: WorkoutLogRepository, templates: WorkoutTemplateRepository, programs: WorkoutProgramRepository, catalog: ExerciseCatalog, deps: ServiceDeps) {
    this.#logs = logs;
    this.#templates = templates;
    this.#programs = programs;
    this.#catalog = catalog;
    this.#deps = deps;
  }

  /** Records a workout with its derived duration and (when missing) estimated calories. */
  async logWorkout(input: CreateWorkoutLogInput, uow?: UnitOfWork): Promise<WorkoutLog> {
    const data = this.#parse(createWorkoutLogInputSchema, input);
    const catalog = await this.#checkReferences(data.exercises, data.userId, data.workoutTemplateId, uow?.ctx);
    const duration = data.endTime ? Math.round((data.endTime.getTime() - data.startTime.getTime()) / 60_000) : data.duration;
    const caloriesBurned = data.caloriesBurned ?? estimateLoggedCalories(data.exercises, catalog);
    return this.#logs.create(
      { ...input, ...(duration === undefined ? {} : { duration }), caloriesBurned },
      uow?.ctx,
    );
  }

  /**
   * One user's workout logs, newest first, a page at a time; `range` bounds the start time.
   * Through a scope, the user themself or their active coach.
   *
   * @example
   * ```ts
   * const { items, nextCursor } = await asMember.workoutLogs.listLogs(memberId, { from: '2026-03-01' }, { limit: 20 });
   * ```
   */
  async listLogs(userId: UserId, range: TimeRangeInput = {}, page?: PageRequest, uow?: UnitOfWork): Promise<Page<WorkoutLog>> {
    return this.#logs.listByUser(this.#parse(userIdSchema, userId), range, page, uow?.ctx);
  }

  /** One workout log; `NotFoundError` when there is none. */
  async getLog(logId: WorkoutLogId, uow?: UnitOfWork): Promise<WorkoutLog> {
    return this.#logs.getById(this.#parse(logIdSchema, logId), uow?.ctx);
  }

  /**
   * The user's all-time records for one exercise (history read page by page on
   * `userId + startTime`): completed sets with a load and at least one rep, warm-up and body
   * weight sets left out; compared in kilograms, reported also in the member's unit.
   */
  async personalRecords(userId: UserId, exerciseId: ExerciseId, uow?: UnitOfWork): Promise<ExerciseRecords> {
    const user = this.#parse(userIdSchema, userId);
    const exercise = this.#parse(exerciseIdSchema, exerciseId);
    let heaviest: Omit<PersonalRecord, 'valueInUnit'> | undefined;
    let oneRepMax: Omit<PersonalRecord, 'valueInUnit'> | undefined;
    let volume: Omit<PersonalRecord, 'valueInUnit'> | undefined;
    let unit: WeightUnit | undefined;
    // Newest first: `>=` lets an older workout that ties take the record (the earliest sets it).
    const better = (candidate: number, current: { value: number } | undefined) => candidate > 0 && (current === undefined || candidate >= current.value);
    for await (const log of this.#history(user, uow?.ctx)) {
      const at = { workoutLogId: log.id, achievedAt: log.startTime };
      let sessionVolume = 0;
      for (const entry of log.exercises) {
        if (entry.exerciseId !== exercise) continue;
        for (const set of entry.sets.filter(countsForRecords)) {
          if (set.weight === undefined || (set.reps ?? 0) < 1) continue;
          unit ??= set.weightUnit ?? 'kg';
          const reps = set.reps!;
          sessionVolume += reps * set.weight;
          if (better(set.weight, heaviest)) heaviest = { value: set.weight, ...at };
          const e1rm = round2(epleyOneRepMax(set.weight, reps));
          if (better(e1rm, oneRepMax)) oneRepMax = { value: e1rm, ...at };
        }
      }
      if (better(round2(sessionVolume), volume)) volume = { value: round2(sessionVolume), ...at };
    }
    const shown = unit ?? 'kg';
    const inUnit = (record: Omit<PersonalRecord, 'valueInUnit'>): PersonalRecord => ({ ...record, valueInUnit: fromKilograms(record.value, shown, { decimals: 2 }) });
    return {
      exerciseId: exercise,
      unit: shown,
      ...(heaviest ? { heaviestWeight: inUnit(heaviest) } : {}),
      ...(oneRepMax ? { bestEstimatedOneRepMax: inUnit(oneRepMax) } : {}),
      ...(volume ? { bestSessionVolume: inUnit(volume) } : {}),
    };
  }

  /**
   * Volume per ISO week (weeks start on Monday in `timeZone`, default `Europe/Istanbul`) for
   * workouts started in `[from, to)`; every week of the range is listed, empty ones with zeros.
   * At most 366 days.
   */
  async weeklyVolume(userId: UserId, range: { from: Date | string; to: Date | string; timeZone?: string }, uow?: UnitOfWork): Promise<WeeklyVolume[]> {
    const user = this.#parse(userIdSchema, userId);
    const r = this.#parse(weeklyVolumeSchema, range);
    const logs = await this.#logs.listByUserBetween(user, r.from, r.to, uow?.ctx);
    const weeks = new Map<string, { workouts: number; completedSets: number; volume: number }>();
    for (let day = localDate(r.from, r.timeZone); Temporal.PlainDate.compare(day, localDate(new Date(r.to.getTime() - 1), r.timeZone)) <= 0; day = day.add({ days: 1 })) {
      weeks.set(isoWeekOf(day), weeks.get(isoWeekOf(day)) ?? { workouts: 0, completedSets: 0, volume: 0 });
    }
    for (const log of logs) {
      const week = weeks.get(isoWeekOf(localDate(log.startTime, r.timeZone)))!;
      week.workouts++;
      for (const entry of log.exercises) {
        for (const set of entry.sets.filter(isWork)) {
          week.completedSets++;
          if (set.bodyweight !== true) week.volume += (set.reps ?? 0) * (set.weight ?? 0);
        }
      }
    }
    return [...weeks].map(([week, w]) => ({ week, workouts: w.workouts, completedSets: w.completedSets, volume: round2(w.volume) }));
  }

  /**
   * Training statistics of the user's workouts started in `[from, to)` (at most 366 days),
   * per ISO week (Monday first in `timeZone`, default `Europe/Istanbul`; every week the window
   * touches is listed) and in total: sessions, working and warm-up sets, reps, volume (kg), mean
   * load per rep, mean RPE and RiR, and working sets per body area (an area the exercise works
   * secondarily counts half a set, as wger counts secondary muscles). `exerciseIds` narrows it
   * to some exercises. Computed inside MongoDB by one aggregation on `userId + startTime` (see
   * `trainingStatisticsPipeline`). Through a scope: the user themself or their active coach.
   *
   * @example
   * ```ts
   * const stats = await nexfit.workoutLogs.trainingStatistics(userId, { from: '2026-01-05', to: '2026-03-02', timeZone: 'Europe/Istanbul' })
   * stats.weeks[0] // { week: '2026-W02', weekStart: '2026-01-05', sessions: 3, workingSets: 42, volume: 10250, setsPerBodyArea: { chest: 9, triceps: 4.5 }, … }
   * ```
   */
  async trainingStatistics(userId: UserId, query: TrainingStatisticsQuery, uow?: UnitOfWork): Promise<TrainingStatistics> {
    const user = this.#parse(userIdSchema, userId);
    const q = this.#parse(trainingStatisticsQuerySchema, query);
    const rows = await this.#logs.trainingStatisticsRows(user, q, uow?.ctx);
    return trainingStatisticsFromRows(rows, q);
  }

  /**
   * Training streaks as of `asOf` (default now), over the last 366
   * days, in `timeZone` (default `Europe/Istanbul`):
   * - a day streak is a run of consecutive calendar days with at least one workout; the
   *   current one ends today, or yesterday when today has no workout yet (it is still alive);
   * - a week streak is a run of consecutive ISO weeks with at least one workout; the current
   *   one ends this week, or last week when this week has none yet.
   */
  async streaks(userId: UserId, options: { asOf?: Date | string; timeZone?: string } = {}, uow?: UnitOfWork): Promise<TrainingStreaks> {
    const user = this.#parse(userIdSchema, userId);
    const o = this.#parse(streakSchema, options);
    const asOf = o.asOf ?? this.#deps.clock.now();
    const to = new Date(asOf.getTime() + 1);
    const from = new Date(to.getTime() - MAX_STATISTICS_WINDOW_DAYS * 86_400_000);
    const logs = await this.#logs.listByUserBetween(user, from, to, uow?.ctx);
    const days = [...new Set(logs.map((l) => localDate(l.startTime, o.timeZone).toString()))].map((d) => Temporal.PlainDate.from(d));
    const today = localDate(asOf, o.timeZone);
    const dayRuns = runs(days, (a, b) => a.add({ days: 1 }).equals(b));
    const mondays = [...new Set(days.map((d) => mondayOf(d).toString()))].map((d) => Temporal.PlainDate.from(d));
    const weekRuns = runs(mondays, (a, b) => a.add({ weeks: 1 }).equals(b));
    const currentOf = (list: { end: Temporal.PlainDate; length: number }[], alive: (end: Temporal.PlainDate) => boolean) => list.find((r) => alive(r.end))?.length ?? 0;
    return {
      currentDays: currentOf(dayRuns, (end) => end.equals(today) || end.equals(today.subtract({ days: 1 }))),
      longestDays: Math.max(0, ...dayRuns.map((r) => r.length)),
      currentWeeks: currentOf(weekRuns, (end) => end.equals(mondayOf(today)) || end.equals(mondayOf(today).subtract({ weeks: 1 }))),
      longestWeeks: Math.max(0, ...weekRuns.map((r) => r.length)),
    };
  }

  /**
   * The workout against the template it was started from: per exercise, planned vs completed
   * sets and reps (deltas are done − planned), planned exercises that were skipped and extra
   * ones. `ConflictError('no_template')` for a workout logged without a template.
   */
  async compareWithPlan(logId: WorkoutLogId, uow?: UnitOfWork): Promise<PlanComparison> {
    const log = await this.getLog(logId, uow);
    if (log.workoutTemplateId === undefined) throw new ConflictError('no_template', `Workout ${log.id} was not logged from a template`);
    const template = await this.#templates.getById(log.workoutTemplateId, uow?.ctx);
    const done = new Map<string, LoggedWorkoutSet[]>();
    for (const entry of log.exercises) done.set(entry.exerciseId, [...(done.get(entry.exerciseId) ?? []), ...entry.sets.filter(isWork)]);
    const planned = [...template.exercises].sort((a, b) => a.order - b.order);
    const plannedIds = new Set<string>(planned.map((p) => p.exerciseId));
    const comparisons: ExerciseComparison[] = planned.map((p) => {
      const sets = done.get(p.exerciseId);
      return compare(p.exerciseId, sets === undefined ? 'skipped' : 'done', p.defaultSets, sets ?? []);
    });
    for (const [exerciseId, sets] of done) if (!plannedIds.has(exerciseId)) comparisons.push(compare(exerciseId as ExerciseId, 'extra', [], sets));
    return {
      workoutLogId: log.id,
      exercises: comparisons,
      plannedExercises: planned.length,
      doneExercises: comparisons.filter((c) => c.status === 'done').length,
    };
  }

  /**
   * What the member should do on `date` (default today in `timeZone`) of a programme they
   * started on `startedOn`: the day's template with working loads computed from the
   * programme's `progression` rules and the member's logs since the start, each rule
   * evaluation explained (see `computePrescription` for the rules). Loads are shown in `unit`
   * (default: the unit the member last logged the exercise in) and rounded with `rounding`
   * (default 2.5 kg or 5 lb). Deterministic: the same programme and logs give the same answer.
   * Through a scope: the member or their active coach, on a programme public, their own, or
   * written by their active coach.
   *
   * @example
   * ```ts
   * const today = await nexfit.workoutLogs.nextPrescription({ userId, programId, startedOn: '2026-03-02', date: '2026-03-16' })
   * today.exercises[0]?.sets[1]?.load // { value: 102.5, unit: 'kg' }
   * today.exercises[0]?.explanation // [{ rule: 'progression.0', period: 'week 2', fired: true, because: 'the last session, on 2026-03-02, met the target: …' }]
   * ```
   */
  async nextPrescription(input: NextPrescriptionInput, uow?: UnitOfWork): Promise<Prescription> {
    const q = this.#parse(nextPrescriptionInputSchema, input);
    const startedOn = Temporal.PlainDate.from(q.startedOn);
    const date = q.date === undefined ? localDate(this.#deps.clock.now(), q.timeZone) : Temporal.PlainDate.from(q.date);
    const span = startedOn.until(date, { largestUnit: 'days' }).days;
    if (span < 0 || span > MAX_PRESCRIPTION_DAYS) {
      const message = span < 0 ? VALIDATION_MESSAGES.programStart[this.#locale] : `At most ${MAX_PRESCRIPTION_DAYS} days after the programme start`;
      throw new ValidationError(`Invalid workout log input: date: ${message}`, [{ path: ['date'], code: 'custom', message }]);
    }
    const program = await this.#programs.getById(q.programId, uow?.ctx);
    const scheduled = program.schedule.find((d) => d.day === (span % program.metadata.duration) + 1);
    const template = scheduled?.workoutTemplateId === undefined ? undefined : await this.#templates.getById(scheduled.workoutTemplateId, uow?.ctx);
    const logs: WorkoutLog[] = [];
    const range = { from: startOfDay(startedOn, q.timeZone), to: startOfDay(date, q.timeZone) };
    if (template) for await (const log of this.#history(q.userId, uow?.ctx, range)) logs.push(log);
    return computePrescription({ program, template, logs, startedOn, date, timeZone: q.timeZone, unit: q.unit, rounding: q.rounding });
  }

  async *#history(userId: UserId, ctx?: StoreContext, range: { from?: Date; to?: Date } = {}): AsyncGenerator<WorkoutLog> {
    let after: string | undefined;
    do {
      const page = await this.#logs.listByUser(userId, range, { limit: PAGE, ...(after ? { after } : {}) }, ctx);
      yield* page.items;
      after = page.nextCursor ?? undefined;
    } while (after);
  }

  async #checkReferences(exercises: readonly LoggedExercise[], userId: UserId, templateId: WorkoutLog['workoutTemplateId'], ctx?: StoreContext): Promise<Map<string, ExerciseFacts>> {
    const found = await this.#catalog.findManyByIds([...new Set(exercises.map((e) => e.exerciseId))], ctx);
    const catalog = new Map(found.map((e) => [e.id as string, e]));
    const issues: ValidationIssue[] = [];
    exercises.forEach((entry, i) => {
      const e = catalog.get(entry.exerciseId);
      if (!e || !(e.isPublic || e.createdBy === userId)) issues.push({ path: ['exercises', i, 'exerciseId'], code: 'custom', message: 'No such exercise visible to the user' });
    });
    if (templateId !== undefined && !(await this.#templates.findById(templateId, ctx))) {
      issues.push({ path: ['workoutTemplateId'], code: 'custom', message: 'No such workout template' });
    }
    if (issues.length > 0) throw new ValidationError(`Invalid workout log: ${issues[0]!.path.join('.')}: ${issues[0]!.message}`, issues);
    return catalog;
  }

  get #locale(): ValidationLocale {
    return this.#deps.locale ?? 'en';
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: 'workout log input', ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}

/** kcal of the completed sets: work minutes × the exercise's kcal per minute, to one decimal. */
function estimateLoggedCalories(exercises: readonly LoggedExercise[], catalog: ReadonlyMap<string, ExerciseFacts>): number {
  let kcal = 0;
  for (const entry of exercises) {
    const rate = caloriesPerMinuteOf(catalog.get(entry.exerciseId));
    for (const set of entry.sets.filter(isWork)) kcal += (workSecondsOf(set) / 60) * rate;
  }
  return roundTo(kcal, 1);
}

function compare(exerciseId: ExerciseId, status: ExerciseComparison['status'], planned: readonly { reps?: RepsPrescription | undefined }[], done: readonly LoggedWorkoutSet[]): ExerciseComparison {
  // A rep range is planned as its lower bound: reaching it is doing what was planned.
  const plannedReps = planned.reduce((n, s) => n + (s.reps === undefined ? 0 : repsBounds(s.reps).min), 0);
  const completedReps = done.reduce((n, s) => n + (s.reps ?? 0), 0);
  return {
    exerciseId,
    status,
    plannedSets: planned.length,
    completedSets: done.length,
    setsDelta: done.length - planned.length,
    plannedReps,
    completedReps,
    repsDelta: completedReps - plannedReps,
  };
}

function startOfDay(day: Temporal.PlainDate, timeZone: string): Date {
  return new Date(day.toZonedDateTime({ timeZone }).epochMilliseconds);
}

function localDate(instant: Date, timeZone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone).toPlainDate();
}

function mondayOf(day: Temporal.PlainDate): Temporal.PlainDate {
  return day.subtract({ days: day.dayOfWeek - 1 });
}

function isoWeekOf(day: Temporal.PlainDate): string {
  return `${day.yearOfWeek}-W${String(day.weekOfYear).padStart(2, '0')}`;
}

/** Maximal runs of `next`-consecutive dates (input in any order), newest run first. */
function runs(dates: Temporal.PlainDate[], next: (a: Temporal.PlainDate, b: Temporal.PlainDate) => boolean): { end: Temporal.PlainDate; length: number }[] {
  const sorted = [...dates].sort(Temporal.PlainDate.compare);
  const out: { end: Temporal.PlainDate; length: number }[] = [];
  for (const d of sorted) {
    const last = out.at(-1);
    if (last && next(last.end, d)) out[out.length - 1] = { end: d, length: last.length + 1 };
    else out.push({ end: d, length: 1 });
  }
  return out.reverse();
}

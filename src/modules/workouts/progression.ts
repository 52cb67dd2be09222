import { Temporal } from 'temporal-polyfill';
import type { ExerciseId, WorkoutProgramId, WorkoutTemplateId } from '../../core/ids.js';
import type { WorkoutLog } from './workout-log.schema.js';
import type { DeloadRule, LoadProgressionRule, WorkoutProgram } from './workout-program.schema.js';
import { repsBounds, type LoggedWorkoutSet, type SetTarget, type SetType, type WorkoutSet } from './workout-set.schema.js';
import type { TemplateExercise, WorkoutTemplate } from './workout-template.schema.js';
import { DEFAULT_LOAD_ROUNDING, fromKilograms, loadableKilograms, toKilograms, type LoadRounding, type WeightUnit } from './units.js';

/** One evaluation of a rule: which rule, at the start of which period, whether it fired, and why. */
export interface ProgressionStep {
  /** `progression.<i>`: the rule's index in the programme's `progression`. */
  readonly rule: string;
  /** The period whose start it was evaluated at: `week 3`, `cycle 2`. */
  readonly period: string;
  readonly fired: boolean;
  readonly because: string;
}

/** One prescribed set: the template's set with today's load, in kilograms and in the lifter's unit. */
export type PrescribedSet = Omit<WorkoutSet, 'type'> & {
  readonly type: SetType;
  /** The load in the lifter's unit, rounded to what their plates allow. */
  readonly load?: { readonly value: number; readonly unit: WeightUnit };
};

/** Today's prescription of one exercise, with every rule evaluation that led to it, oldest first. */
export interface ExercisePrescription {
  readonly exerciseId: ExerciseId;
  readonly order: number;
  readonly supersetGroup?: string;
  readonly unit: WeightUnit;
  readonly sets: readonly PrescribedSet[];
  readonly explanation: readonly ProgressionStep[];
}

/** What a member should do on a day of a programme, and why. */
export interface Prescription {
  readonly programId: WorkoutProgramId;
  /** The calendar day, `YYYY-MM-DD`. */
  readonly date: string;
  /** 1-based day of the schedule (the programme repeats after `metadata.duration` days). */
  readonly programDay: number;
  readonly week: number;
  readonly cycle: number;
  readonly restDay: boolean;
  readonly deload: boolean;
  readonly workoutTemplateId?: WorkoutTemplateId;
  readonly exercises: readonly ExercisePrescription[];
}

/** What {@link computePrescription} works from; the service reads it from the stores. */
export interface PrescriptionContext {
  readonly program: WorkoutProgram;
  /** The template of the day's schedule entry; absent on a rest day. */
  readonly template?: WorkoutTemplate | undefined;
  /** The member's workouts since `startedOn` (any order); later ones are ignored. */
  readonly logs: readonly WorkoutLog[];
  readonly startedOn: Temporal.PlainDate;
  readonly date: Temporal.PlainDate;
  readonly timeZone: string;
  /** The unit loads are shown and rounded in; by default the unit the member last logged the exercise in. */
  readonly unit?: WeightUnit | undefined;
  /** The rounding of loads; by default 2.5 kg or 5 lb. */
  readonly rounding?: LoadRounding | undefined;
}

type Loads = ReadonlyMap<number, number>;
interface Session {
  readonly day: number;
  readonly date: string;
  readonly sets: readonly LoggedWorkoutSet[];
  /** The units of its loaded sets (`kg` when a set names none). */
  readonly units: readonly WeightUnit[];
}

const TOLERANCE = 1e-9;

/**
 * The prescription of `date` for a member who started the programme on `startedOn`,
 * computed from the programme's rules and the member's logs alone, so the same inputs always
 * give the same answer.
 *
 * - Day `d` (0-based since the start) is in week `⌊d / 7⌋ + 1`, cycle `⌊d / duration⌋ + 1`,
 *   and on schedule day `d mod duration + 1`.
 * - Working loads start at the template's, made loadable (rounded in the lifter's unit). Each
 *   load rule is evaluated at the start of every week or cycle after the first, in time order
 *   (rules in list order on the same day). A rule never fires at a start that falls in a
 *   deload week. With `onlyIfTargetMet` it fires only when the member's last session of the
 *   exercise in the period before met its target: every working set (warm-ups aside)
 *   completed with at least the target's reps (the top of a range), load, duration and
 *   distance — the target the set was logged with, else the prescription of that day. A
 *   period without a session of the exercise (missed) does not fire it.
 * - A rule adds, subtracts or replaces an amount in kg or lb, or adds or subtracts a
 *   percentage of the load; the result is rounded to the lifter's plates and never below 0.
 * - In a deload week the working loads are lightened by the deload's percentage, for that week
 *   only; warm-up sets are never progressed.
 *
 * @example
 * ```ts
 * const today = computePrescription({ program, template, logs, startedOn: Temporal.PlainDate.from('2026-03-02'), date: Temporal.PlainDate.from('2026-03-16'), timeZone: 'Europe/Istanbul' })
 * today.exercises[0]?.explanation // [{ rule: 'progression.0', period: 'week 2', fired: true, because: '…' }, …]
 * ```
 */
export function computePrescription(context: PrescriptionContext): Prescription {
  const { program, template } = context;
  const today = context.startedOn.until(context.date, { largestUnit: 'days' }).days;
  const duration = program.metadata.duration;
  const programDay = (today % duration) + 1;
  const week = Math.floor(today / 7) + 1;
  const scheduled = program.schedule.find((d) => d.day === programDay);
  const deloads = (program.progression ?? []).flatMap((r, i) => (r.kind === 'deload' ? [{ rule: r, index: i }] : []));
  const deloadOf = (w: number) => deloads.find((d) => w % d.rule.everyWeeks === 0);
  const base = {
    programId: program.id,
    date: context.date.toString(),
    programDay,
    week,
    cycle: Math.floor(today / duration) + 1,
  };
  if (!scheduled || scheduled.isRestDay || !template) return { ...base, restDay: true, deload: deloadOf(week) !== undefined, exercises: [] };
  const sessions = sessionsOf(context, today);
  const exercises = [...template.exercises]
    .sort((a, b) => a.order - b.order)
    .map((entry) => prescribeExercise(entry, sessions.get(entry.exerciseId) ?? [], context, today, deloadOf));
  return { ...base, restDay: false, deload: deloadOf(week) !== undefined, workoutTemplateId: template.id, exercises };
}

function prescribeExercise(
  entry: TemplateExercise,
  sessions: readonly Session[],
  context: PrescriptionContext,
  today: number,
  deloadOf: (week: number) => { rule: DeloadRule; index: number } | undefined,
): ExercisePrescription {
  const sets = entry.defaultSets;
  const lastUnit = [...sessions].reverse().find((s) => s.units.length > 0)?.units[0];
  const unit = context.unit ?? lastUnit ?? sets.find((s) => s.weightUnit !== undefined)?.weightUnit ?? 'kg';
  const rounding = context.rounding ?? DEFAULT_LOAD_ROUNDING[unit];
  const loadable = (kg: number) => loadableKilograms(Math.max(0, kg), unit, rounding);
  const shown = (loads: Loads) => [...loads.values()].map((kg) => fromKilograms(kg, unit)).join('/') + ` ${unit}`;
  const deloaded = (loads: Loads, day: number): Loads => {
    const deload = deloadOf(Math.floor(day / 7) + 1);
    return deload ? new Map([...loads].map(([i, kg]) => [i, loadable((kg * (100 - deload.rule.percent)) / 100)])) : loads;
  };

  const working = sets.flatMap((s, i) => (s.type !== 'warmup' && s.weight !== undefined ? [i] : []));
  const history: { from: number; loads: Loads }[] = [{ from: 0, loads: new Map(working.map((i) => [i, loadable(sets[i]!.weight!)])) }];
  const loadsOn = (day: number) => history.filter((h) => h.from <= day).at(-1)!.loads;
  const explanation: ProgressionStep[] = [];

  const rules = (context.program.progression ?? []).flatMap((r, index) =>
    r.kind === 'load' && (r.exerciseId === undefined || r.exerciseId === entry.exerciseId) ? [{ rule: r, index }] : [],
  );
  const starts = working.length === 0 ? [] : rules.flatMap(({ rule, index }) => {
    const length = rule.every === 'week' ? 7 : context.program.metadata.duration;
    const current = Math.floor(today / length) + 1;
    return Array.from({ length: Math.max(0, current - 1) }, (_, k) => ({ rule, index, period: k + 2, day: (k + 1) * length, length }));
  });
  starts.sort((a, b) => a.day - b.day || a.index - b.index);

  for (const start of starts) {
    const step = { rule: `progression.${start.index}`, period: `${start.rule.every} ${start.period}` };
    const startWeek = Math.floor(start.day / 7) + 1;
    if (deloadOf(startWeek)) {
      explanation.push({ ...step, fired: false, because: `week ${startWeek} is a deload week` });
      continue;
    }
    let reason: string;
    if (start.rule.onlyIfTargetMet) {
      const last = sessions.filter((s) => s.day >= start.day - start.length && s.day < start.day).at(-1);
      if (!last) {
        explanation.push({ ...step, fired: false, because: `no session of the exercise was logged in ${start.rule.every} ${start.period - 1}` });
        continue;
      }
      const miss = missedTarget(sets, last.sets, deloaded(loadsOn(last.day), last.day), unit);
      if (miss) {
        explanation.push({ ...step, fired: false, because: `the last session, on ${last.date}, missed the target: ${miss}` });
        continue;
      }
      reason = `the last session, on ${last.date}, met the target`;
    } else {
      reason = `it applies every ${start.rule.every} whatever was logged`;
    }
    const before = loadsOn(start.day);
    const after = new Map([...before].map(([i, kg]) => [i, changed(kg, start.rule)]));
    const floored = [...after.values()].some((kg) => kg < 0);
    const next = new Map([...after].map(([i, kg]) => [i, loadable(kg)]));
    history.push({ from: start.day, loads: next });
    explanation.push({ ...step, fired: true, because: `${reason}: ${shown(before)} → ${shown(next)}${floored ? ' (held at 0, not below)' : ''}` });
  }

  const deload = deloadOf(Math.floor(today / 7) + 1);
  if (deload && working.length > 0) {
    const week = Math.floor(today / 7) + 1;
    explanation.push({ rule: `progression.${deload.index}`, period: `week ${week}`, fired: true, because: `week ${week} is a deload week: working loads × ${(100 - deload.rule.percent) / 100}` });
  }
  const loads = deloaded(loadsOn(today), today);
  const prescribed: PrescribedSet[] = sets.map((set, i) => {
    const weight = loads.get(i) ?? (set.weight === undefined ? undefined : loadable(set.weight));
    return {
      ...set,
      type: set.type ?? 'normal',
      ...(weight === undefined ? {} : { weight, weightUnit: unit, load: { value: fromKilograms(weight, unit, rounding), unit } }),
    };
  });
  return {
    exerciseId: entry.exerciseId,
    order: entry.order,
    ...(entry.supersetGroup === undefined ? {} : { supersetGroup: entry.supersetGroup }),
    unit,
    sets: prescribed,
    explanation,
  };
}

/** The load after one firing of a rule, before rounding (may be negative). */
function changed(kg: number, rule: LoadProgressionRule): number {
  const amount = rule.unit === 'percent' ? (kg * rule.amount) / 100 : toKilograms(rule.amount, rule.unit);
  if (rule.change === 'replace') return amount;
  return rule.change === 'add' ? kg + amount : kg - amount;
}

/**
 * Why a session missed its target, or `undefined` when it met it. Working sets are compared
 * in order with the template's; each against the target it was logged with, else the day's
 * prescription.
 */
function missedTarget(planned: readonly WorkoutSet[], logged: readonly LoggedWorkoutSet[], loads: Loads, unit: WeightUnit): string | undefined {
  const done = logged.filter((s) => s.type !== 'warmup');
  let k = 0;
  for (const [i, plan] of planned.entries()) {
    if (plan.type === 'warmup') continue;
    const set = done[k++];
    const name = `set ${i + 1}`;
    if (!set) return `${name} was not logged`;
    if (!set.completed) return `${name} was not completed`;
    const target: SetTarget = set.target ?? { ...plan, ...(loads.has(i) ? { weight: loads.get(i)! } : {}) };
    if (target.reps !== undefined) {
      const needed = repsBounds(target.reps).max;
      if ((set.reps ?? 0) < needed) return `${name} had ${set.reps ?? 0} of ${needed} reps`;
    }
    if (target.weight !== undefined && (set.weight ?? 0) < target.weight - TOLERANCE) {
      return `${name} was lifted at ${fromKilograms(set.weight ?? 0, unit, { decimals: 2 })} of ${fromKilograms(target.weight, unit, { decimals: 2 })} ${unit}`;
    }
    if (target.duration !== undefined && (set.duration ?? 0) < target.duration) return `${name} lasted ${set.duration ?? 0} of ${target.duration} s`;
    if (target.distance !== undefined && (set.distance ?? 0) < target.distance - TOLERANCE) return `${name} covered ${set.distance ?? 0} of ${target.distance} m`;
  }
  return undefined;
}

/** Each exercise's sessions before `today`, oldest first, with the day (0-based since the start) they fell on. */
function sessionsOf(context: PrescriptionContext, today: number): Map<string, Session[]> {
  const byExercise = new Map<string, Session[]>();
  const ordered = [...context.logs].sort((a, b) => a.startTime.getTime() - b.startTime.getTime() || a.id.localeCompare(b.id));
  for (const log of ordered) {
    const local = Temporal.Instant.fromEpochMilliseconds(log.startTime.getTime()).toZonedDateTimeISO(context.timeZone).toPlainDate();
    const day = context.startedOn.until(local, { largestUnit: 'days' }).days;
    if (day < 0 || day >= today) continue;
    for (const entry of log.exercises) {
      const list = byExercise.get(entry.exerciseId) ?? [];
      list.push({ day, date: local.toString(), sets: entry.sets, units: entry.sets.filter((s) => s.weight !== undefined).map((s) => s.weightUnit ?? 'kg') });
      byExercise.set(entry.exerciseId, list);
    }
  }
  return byExercise;
}

import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { computePrescription } from '../../../src/modules/workouts/progression.js';
import {
  createWorkoutLogInputSchema,
  createWorkoutProgramInputSchema,
  createWorkoutTemplateInputSchema,
  workoutLogSchema,
  workoutProgramSchema,
  workoutTemplateSchema,
  type CreateWorkoutLogInput,
  type CreateWorkoutProgramInput,
  type WorkoutLog,
} from '../../../src/modules/workouts/index.js';
import type { LoggedWorkoutSetInput, WorkoutSetInput } from '../../../src/modules/workouts/workout-set.schema.js';
import { oid } from '../support/factories.js';

const squat = oid(0x51);
const bench = oid(0x52);
const coach = oid(0x61);
const member = oid(0x62);
const managed = (id: string) => ({ id, schemaVersion: 2, version: 1, createdAt: new Date('2026-01-01T00:00:00Z'), updatedAt: new Date('2026-01-01T00:00:00Z') });
const day = (iso: string) => Temporal.PlainDate.from(iso);

function templateOf(exercises: { exerciseId: string; sets: WorkoutSetInput[] }[]) {
  const data = createWorkoutTemplateInputSchema.parse({
    name: 'Strength',
    createdBy: coach,
    metadata: { difficulty: 'intermediate' },
    exercises: exercises.map((e, i) => ({ exerciseId: e.exerciseId, order: i + 1, defaultSets: e.sets })),
  });
  return workoutTemplateSchema.parse({ ...data, ...managed(oid(0x71)), reviews: { averageRating: 0, count: 0 } });
}

/** A programme with one training day a week (schedule days 1, 8, 15, …) over `weeks` weeks. */
function weeklyProgram(weeks: number, progression: CreateWorkoutProgramInput['progression'], templateId = oid(0x71)) {
  const data = createWorkoutProgramInputSchema.parse({
    name: 'Linear',
    createdBy: coach,
    metadata: { difficulty: 'intermediate', duration: weeks * 7 },
    schedule: Array.from({ length: weeks }, (_, w) => ({ day: w * 7 + 1, workoutTemplateId: templateId, isRestDay: false })),
    progression,
  });
  return workoutProgramSchema.parse({ ...data, ...managed(oid(0x81)), reviews: { averageRating: 0, count: 0 } });
}

let logSeq = 0;
function logOn(date: string, exerciseId: string, sets: LoggedWorkoutSetInput[]): WorkoutLog {
  const input: CreateWorkoutLogInput = { userId: member, startTime: `${date}T06:00:00Z`, exercises: [{ exerciseId, sets }] };
  return workoutLogSchema.parse({ ...createWorkoutLogInputSchema.parse(input), ...managed(oid(0x9000 + ++logSeq)) });
}

const warmup: WorkoutSetInput = { type: 'warmup', reps: 5, weight: 40 };
const fives = (weight: number, reps = [5, 5, 5]): LoggedWorkoutSetInput[] => [
  { type: 'warmup', reps: 5, weight: 40, completed: true },
  ...reps.map((r) => ({ reps: r, weight, completed: true })),
];

describe('computePrescription: +2.5 kg a week when the target was met, a deload every 4th week', () => {
  // Starts Monday 2026-03-02; trains every Monday. Squat: a 40 kg warm-up and 3 × 5 at 100 kg.
  const template = templateOf([{ exerciseId: squat, sets: [warmup, { reps: 5, weight: 100 }, { reps: 5, weight: 100 }, { reps: 5, weight: 100 }] }]);
  const program = weeklyProgram(8, [
    { kind: 'load', every: 'week', change: 'add', amount: 2.5, unit: 'kg' },
    { kind: 'deload', everyWeeks: 4, percent: 10 },
  ]);
  const logs = [
    logOn('2026-03-02', squat, fives(100)), // week 1: met
    logOn('2026-03-09', squat, fives(102.5, [5, 5, 4])), // week 2: the last set one rep short
    logOn('2026-03-16', squat, fives(102.5)), // week 3: met
    logOn('2026-03-23', squat, fives(92.5)), // week 4 (deload): met at the deload load
    // week 5 (from 2026-03-30): missed
  ];
  const at = (date: string) => computePrescription({ program, template, logs, startedOn: day('2026-03-02'), date: day(date), timeZone: 'Europe/Istanbul' });

  it('gives the template load on day one, rounded to 2.5 kg plates', () => {
    const today = at('2026-03-02');
    expect(today).toMatchObject({ programDay: 1, week: 1, cycle: 1, restDay: false, deload: false });
    expect(today.exercises[0]!.sets.map((s) => s.weight)).toEqual([40, 100, 100, 100]);
    expect(today.exercises[0]!.explanation).toEqual([]);
  });

  it('adds 2.5 kg in week 2 after a week 1 that met the target', () => {
    const today = at('2026-03-09');
    expect(today.exercises[0]!.sets.map((s) => s.weight)).toEqual([40, 102.5, 102.5, 102.5]);
    expect(today.exercises[0]!.explanation).toEqual([
      { rule: 'progression.0', period: 'week 2', fired: true, because: 'the last session, on 2026-03-02, met the target: 100/100/100 kg → 102.5/102.5/102.5 kg' },
    ]);
  });

  it('holds the load in week 3 because week 2 missed a rep', () => {
    const today = at('2026-03-16');
    expect(today.exercises[0]!.sets.map((s) => s.weight)).toEqual([40, 102.5, 102.5, 102.5]);
    expect(today.exercises[0]!.explanation[1]).toEqual({ rule: 'progression.0', period: 'week 3', fired: false, because: 'the last session, on 2026-03-09, missed the target: set 4 had 4 of 5 reps' });
  });

  it('lightens week 4 by 10 % (102.5 × 0.9 = 92.25, loaded as 92.5) and does not progress into it', () => {
    const today = at('2026-03-23');
    expect(today).toMatchObject({ week: 4, deload: true });
    expect(today.exercises[0]!.sets.map((s) => s.weight)).toEqual([40, 92.5, 92.5, 92.5]);
    expect(today.exercises[0]!.explanation.slice(2)).toEqual([
      { rule: 'progression.0', period: 'week 4', fired: false, because: 'week 4 is a deload week' },
      { rule: 'progression.1', period: 'week 4', fired: true, because: 'week 4 is a deload week: working loads × 0.9' },
    ]);
  });

  it('resumes from the pre-deload load in week 5 (the deload session met its own target), then holds after a missed week', () => {
    expect(at('2026-03-30').exercises[0]!.sets.map((s) => s.weight)).toEqual([40, 105, 105, 105]);
    const week6 = at('2026-04-06');
    expect(week6.exercises[0]!.sets.map((s) => s.weight)).toEqual([40, 105, 105, 105]);
    expect(week6.exercises[0]!.explanation.map((s) => [s.period, s.fired])).toEqual([
      ['week 2', true],
      ['week 3', false],
      ['week 4', false],
      ['week 5', true],
      ['week 6', false],
    ]);
    expect(week6.exercises[0]!.explanation.at(-1)!.because).toBe('no session of the exercise was logged in week 5');
  });

  it('is a rest day between training days and repeats the same answer for the same inputs', () => {
    expect(at('2026-03-11')).toMatchObject({ programDay: 10, restDay: true, exercises: [] });
    expect(at('2026-04-06')).toEqual(at('2026-04-06'));
  });

  it('never progresses warm-up sets', () => {
    expect(at('2026-04-27').exercises[0]!.sets[0]).toMatchObject({ type: 'warmup', weight: 40, load: { value: 40, unit: 'kg' } });
  });
});

describe('computePrescription: +5 % a cycle for a lifter who logs in pounds', () => {
  // Two-week cycles; bench 3 × 8–12 at 60 kg. 60 kg = 132.28 lb, loaded as 130 lb on 5 lb plates.
  const template = templateOf([{ exerciseId: bench, sets: [1, 2, 3].map(() => ({ reps: { min: 8, max: 12 }, weight: 60 })) }]);
  const data = createWorkoutProgramInputSchema.parse({
    name: 'Cycles',
    createdBy: coach,
    metadata: { difficulty: 'beginner', duration: 14 },
    schedule: [{ day: 1, workoutTemplateId: template.id, isRestDay: false }],
    progression: [{ kind: 'load', every: 'cycle', change: 'add', amount: 5, unit: 'percent', onlyIfTargetMet: false }],
  });
  const program = workoutProgramSchema.parse({ ...data, ...managed(oid(0x82)), reviews: { averageRating: 0, count: 0 } });
  const logs = [logOn('2026-03-02', bench, [{ reps: 12, weightIn: { value: 130, unit: 'lb' }, completed: true }])];

  it('shows pounds (the unit last logged) and adds 5 % each cycle, rounded to 5 lb: 130 → 135 → 140 → 145 lb', () => {
    const today = computePrescription({ program, template, logs, startedOn: day('2026-03-02'), date: day('2026-04-13'), timeZone: 'Europe/Istanbul' });
    expect(today).toMatchObject({ programDay: 1, week: 7, cycle: 4 });
    const exercise = today.exercises[0]!;
    expect(exercise.unit).toBe('lb');
    expect(exercise.sets.map((s) => s.load)).toEqual([1, 2, 3].map(() => ({ value: 145, unit: 'lb' })));
    expect(exercise.sets[0]!.weight).toBe(65.77089365); // 145 × 0.45359237
    expect(exercise.sets[0]!.reps).toEqual({ min: 8, max: 12 });
    expect(exercise.explanation.map((s) => s.because)).toEqual([
      'it applies every cycle whatever was logged: 130/130/130 lb → 135/135/135 lb',
      'it applies every cycle whatever was logged: 135/135/135 lb → 140/140/140 lb',
      'it applies every cycle whatever was logged: 140/140/140 lb → 145/145/145 lb',
    ]);
  });

  it('uses the unit and rounding the caller chooses over the logged one', () => {
    const today = computePrescription({ program, template, logs, startedOn: day('2026-03-02'), date: day('2026-03-16'), timeZone: 'Europe/Istanbul', unit: 'kg', rounding: { increment: 0.5 } });
    // 60 kg × 1.05 = 63 kg
    expect(today.exercises[0]!.sets.map((s) => s.load)).toEqual([1, 2, 3].map(() => ({ value: 63, unit: 'kg' })));
  });
});

describe('computePrescription: targets, ranges, other rules', () => {
  const template = templateOf([
    { exerciseId: squat, sets: [{ reps: { min: 8, max: 12 }, weight: 50 }] },
    { exerciseId: bench, sets: [{ reps: 10, weight: 10 }] },
  ]);

  it('needs the top of a rep range to count the target as met', () => {
    const program = weeklyProgram(4, [{ kind: 'load', exerciseId: squat, every: 'week', change: 'add', amount: 5, unit: 'kg' }], template.id);
    const logs = [logOn('2026-03-02', squat, [{ reps: 11, weight: 50, completed: true }]), logOn('2026-03-09', squat, [{ reps: 12, weight: 50, completed: true }])];
    const today = computePrescription({ program, template, logs, startedOn: day('2026-03-02'), date: day('2026-03-16'), timeZone: 'Europe/Istanbul' });
    expect(today.exercises[0]!.sets[0]!.weight).toBe(55);
    expect(today.exercises[0]!.explanation.map((s) => s.because)).toEqual([
      'the last session, on 2026-03-02, missed the target: set 1 had 11 of 12 reps',
      'the last session, on 2026-03-09, met the target: 50 kg → 55 kg',
    ]);
    // The rule names the squat only: the bench is not progressed nor explained.
    expect(today.exercises[1]).toMatchObject({ exerciseId: bench, explanation: [] });
    expect(today.exercises[1]!.sets[0]!.weight).toBe(10);
  });

  it('judges a set by the target it was logged with when there is one', () => {
    const program = weeklyProgram(4, [{ kind: 'load', exerciseId: squat, every: 'week', change: 'add', amount: 5, unit: 'kg' }], template.id);
    const logs = [logOn('2026-03-02', squat, [{ reps: 6, weight: 50, completed: true, target: { reps: 6, weight: 50 } }])];
    const today = computePrescription({ program, template, logs, startedOn: day('2026-03-02'), date: day('2026-03-09'), timeZone: 'Europe/Istanbul' });
    expect(today.exercises[0]!.explanation[0]!.fired).toBe(true);
  });

  it('subtracts down to 0 kg and holds there, and counts a workout by the member\'s local day', () => {
    const program = weeklyProgram(4, [{ kind: 'load', exerciseId: bench, every: 'week', change: 'subtract', amount: 5, unit: 'kg', onlyIfTargetMet: false }], template.id);
    const today = computePrescription({ program, template, logs: [], startedOn: day('2026-03-02'), date: day('2026-03-23'), timeZone: 'Europe/Istanbul' });
    expect(today.exercises[1]!.sets[0]!.weight).toBe(0);
    expect(today.exercises[1]!.explanation.at(-1)!.because).toBe('it applies every week whatever was logged: 0 kg → 0 kg (held at 0, not below)');
  });

  it('replaces the load with an absolute one', () => {
    const program = weeklyProgram(4, [{ kind: 'load', every: 'week', change: 'replace', amount: 45, unit: 'lb', onlyIfTargetMet: false }], template.id);
    const today = computePrescription({ program, template, logs: [], startedOn: day('2026-03-02'), date: day('2026-03-09'), timeZone: 'Europe/Istanbul', unit: 'lb' });
    expect(today.exercises.map((e) => e.sets[0]!.load)).toEqual([
      { value: 45, unit: 'lb' },
      { value: 45, unit: 'lb' },
    ]);
  });

  it('counts a missed workout logged late on Sunday evening UTC as the Monday it was in Istanbul', () => {
    const program = weeklyProgram(4, [{ kind: 'load', exerciseId: squat, every: 'week', change: 'add', amount: 5, unit: 'kg' }], template.id);
    // 2026-03-08T22:30Z is Monday 2026-03-09 01:30 in Istanbul: week 2, not week 1.
    const log = workoutLogSchema.parse({ ...createWorkoutLogInputSchema.parse({ userId: member, startTime: '2026-03-08T22:30:00Z', exercises: [{ exerciseId: squat, sets: [{ reps: 12, weight: 50, completed: true }] }] }), ...managed(oid(0x9999)) });
    const today = computePrescription({ program, template, logs: [log], startedOn: day('2026-03-02'), date: day('2026-03-16'), timeZone: 'Europe/Istanbul' });
    expect(today.exercises[0]!.explanation.map((s) => s.fired)).toEqual([false, true]);
  });
});

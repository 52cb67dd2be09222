import { ObjectId, type Document } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import type { ExerciseId, UserId } from '../../../src/core/ids.js';
import { ExerciseRepository } from '../../../src/modules/catalog/exercise.repository.js';
import type { CreateExerciseInput } from '../../../src/modules/catalog/exercise.schema.js';
import {
  createWorkoutsModule,
  trainingStatisticsPipeline,
  type CreateWorkoutLogInput,
  type LoggedWorkoutSetInput,
  type TrainingTotals,
  type WorkoutLog,
  type WorkoutLogService,
} from '../../../src/modules/workouts/index.js';
import { oid } from '../support/factories.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-25T09:00:00Z' });

let nextUser = 0x7a00;
const newUser = () => oid(++nextUser) as UserId;

// UTC−3 all year: a workout at 23:30 on a Sunday there starts at 02:30 UTC on Monday.
const ZONE = 'America/Argentina/Buenos_Aires';
// Monday 2 March 00:00 to Monday 23 March 00:00 local: ISO weeks 10, 11 and 12 of 2026.
const WINDOW = { from: '2026-03-02T03:00:00Z', to: '2026-03-23T03:00:00Z', timeZone: ZONE };

const set = (reps: number, weight: number, o: Partial<LoggedWorkoutSetInput> = {}): LoggedWorkoutSetInput => ({ reps, weight, completed: true, ...o });
const inPounds = (reps: number, pounds: number, o: Partial<LoggedWorkoutSetInput> = {}): LoggedWorkoutSetInput => ({ reps, weightIn: { value: pounds, unit: 'lb' }, completed: true, ...o });
const hold = (seconds: number): LoggedWorkoutSetInput => ({ type: 'timed_hold', duration: seconds, completed: true });

const EMPTY: TrainingTotals = { sessions: 0, workingSets: 0, warmupSets: 0, reps: 0, volume: 0, averageLoad: null, averageRpe: null, averageRir: null, setsPerBodyArea: {} };

describe('WorkoutLogService.trainingStatistics', () => {
  let logs: WorkoutLogService;
  let turkish: WorkoutLogService;
  let exercises: ExerciseRepository;
  let bench: ExerciseId; // chest; triceps and shoulders secondarily
  let squat: ExerciseId; // quadriceps and glutes
  let plank: ExerciseId; // core
  let pullUp: ExerciseId; // back; biceps secondarily
  const member = newUser();
  const logged: WorkoutLog[] = [];

  const exercise = async (name: string, metadata: Partial<CreateExerciseInput['metadata']>) =>
    (await exercises.create({ name, isPublic: true, metadata: { bodyAreas: ['chest'], type: 'strength', difficultyLevel: 'intermediate', ...metadata } })).id;
  const log = async (userId: UserId, startTime: string, entries: CreateWorkoutLogInput['exercises']) => {
    const created = await logs.logWorkout({ userId, startTime, exercises: entries });
    if (userId === member) logged.push(created);
    return created;
  };

  beforeAll(async () => {
    exercises = new ExerciseRepository(t.nexfit.mongo.db, t.deps);
    ({ logs } = createWorkoutsModule(t.nexfit.mongo.db, t.deps, exercises));
    ({ logs: turkish } = createWorkoutsModule(t.nexfit.mongo.db, { ...t.deps, locale: 'tr' }, exercises));
    bench = await exercise('Bench Press', { bodyAreas: ['chest'], secondaryBodyAreas: ['triceps', 'shoulders'] });
    squat = await exercise('Back Squat', { bodyAreas: ['quadriceps', 'glutes'] });
    plank = await exercise('Plank', { bodyAreas: ['core'] });
    pullUp = await exercise('Pull-up', { bodyAreas: ['back'], secondaryBodyAreas: ['biceps'] });

    // Week 10, Monday 07:00 local: a warm-up, two straight sets, a drop set, a missed set; two planks.
    await log(member, '2026-03-02T10:00:00Z', [
      { exerciseId: bench, sets: [set(10, 20, { type: 'warmup' }), set(5, 100), set(5, 100, { rpe: 8 }), set(8, 80, { type: 'drop' }), set(6, 60, { type: 'drop' }), set(5, 100, { completed: false })] },
      { exerciseId: plank, sets: [hold(60), hold(45)] },
    ]);
    // Week 10, Sunday 23:30 local (Monday 02:30 UTC): squats entered in pounds, pull-ups at body weight.
    await log(member, '2026-03-09T02:30:00Z', [
      { exerciseId: squat, sets: [inPounds(5, 225, { rir: 2 }), inPounds(5, 225, { rir: 1 })] },
      { exerciseId: pullUp, sets: [{ reps: 8, bodyweight: true, rpe: 9, completed: true }, set(6, 10, { bodyweight: true })] },
    ]);
    // Week 11: one heavy triple after a warm-up, and a workout with nothing logged in it.
    await log(member, '2026-03-11T21:00:00Z', [{ exerciseId: bench, sets: [set(5, 60, { type: 'warmup' }), set(3, 110, { rpe: 9.5 })] }]);
    await log(member, '2026-03-13T21:00:00Z', []);
    // Outside: the window's end (excluded), the day before its start, and someone else's workout.
    await log(member, '2026-03-23T03:00:00Z', [{ exerciseId: bench, sets: [set(1, 200)] }]);
    await log(member, '2026-03-01T12:00:00Z', [{ exerciseId: bench, sets: [set(1, 200)] }]);
    await log(newUser(), '2026-03-04T12:00:00Z', [{ exerciseId: bench, sets: [set(1, 200)] }]);
  });

  it('sums each ISO week of the member’s time zone, and the window, from hand-computed fixtures', async () => {
    const stats = await logs.trainingStatistics(member, WINDOW);
    expect(stats.timeZone).toBe(ZONE);
    expect(stats.weeks.map((w) => [w.week, w.weekStart])).toEqual([
      ['2026-W10', '2026-03-02'],
      ['2026-W11', '2026-03-09'],
      ['2026-W12', '2026-03-16'],
    ]);
    // Week 10: bench 4 working sets (2 straight + 2 drop; the warm-up apart, the missed set nowhere),
    // planks 2, squats 2, pull-ups 2. Reps 24 + 0 + 10 + 14. Volume 500 + 500 + 640 + 360 + 10 × 102.05828325
    // (225 lb); body weight and timed sets add none. Mean load 3020.5828325 / 34 loaded reps.
    expect(stats.weeks[0]).toEqual({
      week: '2026-W10',
      weekStart: '2026-03-02',
      sessions: 2,
      workingSets: 10,
      warmupSets: 1,
      reps: 48,
      volume: 3020.58,
      averageLoad: 88.84,
      averageRpe: 8.5,
      averageRir: 1.5,
      setsPerBodyArea: { back: 2, biceps: 1, chest: 4, core: 2, glutes: 2, quadriceps: 2, shoulders: 2, triceps: 2 },
    });
    expect(stats.weeks[1]).toEqual({
      week: '2026-W11',
      weekStart: '2026-03-09',
      sessions: 2,
      workingSets: 1,
      warmupSets: 1,
      reps: 3,
      volume: 330,
      averageLoad: 110,
      averageRpe: 9.5,
      averageRir: null,
      setsPerBodyArea: { chest: 1, shoulders: 0.5, triceps: 0.5 },
    });
    expect(stats.weeks[2]).toEqual({ week: '2026-W12', weekStart: '2026-03-16', ...EMPTY });
    // Total mean load 3350.5828325 / 37; mean RPE (8 + 9 + 9.5) / 3.
    expect(stats.total).toEqual({
      sessions: 4,
      workingSets: 11,
      warmupSets: 2,
      reps: 51,
      volume: 3350.58,
      averageLoad: 90.56,
      averageRpe: 8.83,
      averageRir: 1.5,
      setsPerBodyArea: { back: 2, biceps: 1, chest: 5, core: 2, glutes: 2, quadriceps: 2, shoulders: 2.5, triceps: 2.5 },
    });
  });

  it('puts the Sunday-night workout in the next week when the weeks are read in UTC', async () => {
    const stats = await logs.trainingStatistics(member, { ...WINDOW, timeZone: 'UTC' });
    // The window's instants reach into Monday 23 March in UTC: week 13 is listed too.
    expect(stats.weeks.map((w) => [w.week, w.sessions, w.workingSets])).toEqual([
      ['2026-W10', 1, 6],
      ['2026-W11', 3, 5],
      ['2026-W12', 0, 0],
      ['2026-W13', 0, 0],
    ]);
    expect(stats.total.sessions).toBe(4);
  });

  it('narrows to some exercises: only their sets, and only workouts holding one of them', async () => {
    const stats = await logs.trainingStatistics(member, { ...WINDOW, exerciseIds: [bench] });
    expect(stats.weeks[0]).toMatchObject({ sessions: 1, workingSets: 4, warmupSets: 1, reps: 24, volume: 2000, averageLoad: 83.33, averageRpe: 8, averageRir: null, setsPerBodyArea: { chest: 4, shoulders: 2, triceps: 2 } });
    expect(stats.weeks[1]).toMatchObject({ sessions: 1, workingSets: 1, volume: 330 });
    expect(stats.total).toMatchObject({ sessions: 2, workingSets: 5, reps: 27, volume: 2330 });
  });

  it('lists every week with zeros for a member with no workouts in the window', async () => {
    const stats = await logs.trainingStatistics(newUser(), { from: '2026-03-02T03:00:00Z', to: '2026-03-09T03:00:00Z', timeZone: ZONE });
    expect(stats.weeks).toEqual([{ week: '2026-W10', weekStart: '2026-03-02', ...EMPTY }]);
    expect(stats.total).toEqual(EMPTY);
  });

  it('agrees with the same figures computed in JavaScript over the logs', async () => {
    const stats = await logs.trainingStatistics(member, WINDOW);
    const from = Date.parse(WINDOW.from);
    const to = Date.parse(WINDOW.to);
    const inWindow = logged.filter((l) => l.startTime.getTime() >= from && l.startTime.getTime() < to);
    const sets = inWindow.flatMap((l) => l.exercises.flatMap((e) => e.sets.map((s) => ({ ...s, exerciseId: e.exerciseId })))).filter((s) => s.completed);
    const working = sets.filter((s) => s.type !== 'warmup');
    const loaded = working.filter((s) => (s.reps ?? 0) > 0 && (s.weight ?? 0) > 0 && s.bodyweight !== true);
    const volume = loaded.reduce((v, s) => v + s.reps! * s.weight!, 0);
    expect(stats.total.sessions).toBe(inWindow.length);
    expect(stats.total.workingSets).toBe(working.length);
    expect(stats.total.warmupSets).toBe(sets.length - working.length);
    expect(stats.total.reps).toBe(working.reduce((n, s) => n + (s.reps ?? 0), 0));
    expect(stats.total.volume).toBeCloseTo(volume, 2);
    expect(stats.total.averageLoad).toBeCloseTo(volume / loaded.reduce((n, s) => n + s.reps!, 0), 2);
  });

  it('runs the match on the userId_startTime index', async () => {
    const pipeline = trainingStatisticsPipeline({ userId: ObjectId.createFromHexString(member), from: new Date(WINDOW.from), to: new Date(WINDOW.to), timeZone: ZONE });
    const explain = await t.nexfit.mongo.db.collection('workout_logs').aggregate(pipeline).explain('queryPlanner');
    const scans = planStages(explain);
    expect(scans).toContainEqual({ stage: 'IXSCAN', indexName: 'userId_startTime' });
    expect(scans.map((s) => s.stage)).not.toContain('COLLSCAN');
  });

  it('refuses a window that ends before it starts, an unknown time zone and more than 366 days, in English and Turkish', async () => {
    const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as ValidationError);
    const reversed = { from: '2026-03-09T00:00:00Z', to: '2026-03-02T00:00:00Z' };
    const en = await failure(logs.trainingStatistics(member, reversed));
    expect(en).toBeInstanceOf(ValidationError);
    expect(en!.code).toBe('VALIDATION_FAILED');
    expect(en!.issues[0]).toMatchObject({ path: ['to'], message: 'The end must be after the start' });
    expect((await failure(turkish.trainingStatistics(member, reversed)))!.issues[0]).toMatchObject({ path: ['to'], message: 'Bitiş, başlangıçtan sonra olmalı' });

    const zone = { ...WINDOW, timeZone: 'Mars/Olympus' };
    expect((await failure(logs.trainingStatistics(member, zone)))!.issues[0]).toMatchObject({ path: ['timeZone'], message: 'Expected an IANA time zone such as Europe/Istanbul' });
    expect((await failure(turkish.trainingStatistics(member, zone)))!.issues[0]).toMatchObject({ path: ['timeZone'], message: 'Europe/Istanbul gibi bir IANA saat dilimi bekleniyor' });

    const long = { from: '2025-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' };
    expect((await failure(logs.trainingStatistics(member, long)))!.issues[0]).toMatchObject({ path: ['to'], message: 'A statistics window spans at most 366 days' });
    expect((await failure(turkish.trainingStatistics(member, long)))!.issues[0]).toMatchObject({ path: ['to'], message: 'Bir istatistik aralığı en fazla 366 gün olabilir' });
    // 366 days exactly is allowed.
    await expect(logs.trainingStatistics(member, { from: '2025-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' })).resolves.toMatchObject({ total: { sessions: 0 } });
  });

  it('refuses an exercise that works a body area both mainly and secondarily', async () => {
    const error = await exercise('Dips', { bodyAreas: ['chest', 'triceps'], secondaryBodyAreas: ['triceps'] }).catch((e: unknown) => e as ValidationError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]?.path).toEqual(['metadata', 'secondaryBodyAreas']);
  });
});

/** Every plan stage of an explain reply (any nesting: `$cursor`, `inputStage`, `queryPlan`), with its index. */
function planStages(node: unknown, out: { stage: string; indexName?: string }[] = []): { stage: string; indexName?: string }[] {
  if (Array.isArray(node)) for (const child of node) planStages(child, out);
  else if (node !== null && typeof node === 'object' && !(node instanceof ObjectId) && !(node instanceof Date)) {
    const doc = node as Document;
    if (typeof doc['stage'] === 'string' && ['IXSCAN', 'COLLSCAN'].includes(doc['stage'])) out.push({ stage: doc['stage'], ...(typeof doc['indexName'] === 'string' ? { indexName: doc['indexName'] } : {}) });
    for (const [key, value] of Object.entries(doc)) if (key !== 'rejectedPlans') planStages(value, out);
  }
  return out;
}

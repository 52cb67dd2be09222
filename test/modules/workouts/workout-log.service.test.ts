import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../src/core/errors.js';
import type { ExerciseId, UserId, WorkoutTemplateId } from '../../../src/core/ids.js';
import { ExerciseRepository } from '../../../src/modules/catalog/exercise.repository.js';
import type { CreateExerciseInput } from '../../../src/modules/catalog/exercise.schema.js';
import { createWorkoutsModule, epleyOneRepMax, type CreateWorkoutLogInput, type LoggedWorkoutSet, type WorkoutLogService, type WorkoutService } from '../../../src/modules/workouts/index.js';
import { oid } from '../support/factories.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

let nextUser = 0x7000;
/** A fresh user per test, so histories never mix. */
const newUser = () => oid(++nextUser) as UserId;

const done = (reps: number, weight?: number): LoggedWorkoutSet => ({ reps, ...(weight === undefined ? {} : { weight }), completed: true });
const missed = (reps: number, weight?: number): LoggedWorkoutSet => ({ ...done(reps, weight), completed: false });

describe('WorkoutLogService', () => {
  let logs: WorkoutLogService;
  let workouts: WorkoutService;
  let exercises: ExerciseRepository;
  let bench: ExerciseId; // 5 kcal per minute
  let plank: ExerciseId;
  let squat: ExerciseId;
  let hidden: ExerciseId;

  const exercise = async (name: string, o: Partial<CreateExerciseInput> = {}, metadata: Partial<CreateExerciseInput['metadata']> = {}) =>
    (await exercises.create({ name, isPublic: true, ...o, metadata: { bodyAreas: ['chest'], type: 'strength', difficultyLevel: 'beginner', ...metadata } })).id;

  /** A one-hour workout of `userId` starting at `start`, with the given exercises. */
  const workout = (userId: UserId, start: string, entries: CreateWorkoutLogInput['exercises'] = [], o: Partial<CreateWorkoutLogInput> = {}): CreateWorkoutLogInput => ({
    userId,
    startTime: start,
    exercises: entries,
    ...o,
  });

  beforeAll(async () => {
    exercises = new ExerciseRepository(t.nexfit.mongo.db, t.deps);
    ({ service: workouts, logs } = createWorkoutsModule(t.nexfit.mongo.db, t.deps, exercises));
    bench = await exercise('Bench Press', {}, { calories: 10, duration: 2 });
    plank = await exercise('Plank', {}, { bodyAreas: ['core'] });
    squat = await exercise('Squat', {}, { bodyAreas: ['quadriceps'] });
    hidden = await exercise('Gizli', { createdBy: oid(0x7fff), isPublic: false });
  });

  describe('logging a workout', () => {
    it('derives the duration from start and end, over what the caller sent', async () => {
      const log = await logs.logWorkout(workout(newUser(), '2026-03-02T07:00:00Z', [], { endTime: '2026-03-02T07:44:40Z', duration: 999 }));
      expect(log.duration).toBe(45);
    });

    it('estimates the calories of the completed sets when none are given', async () => {
      // 3 completed sets × 10 reps × 3 s = 1.5 min at 5 kcal/min; the missed set burns nothing here.
      const log = await logs.logWorkout(workout(newUser(), '2026-03-02T07:00:00Z', [{ exerciseId: bench, sets: [done(10, 60), done(10, 60), done(10, 60), missed(10, 60)] }]));
      expect(log.caloriesBurned).toBe(7.5);
      const given = await logs.logWorkout(workout(newUser(), '2026-03-02T07:00:00Z', [{ exerciseId: bench, sets: [done(10, 60)] }], { caloriesBurned: 320 }));
      expect(given.caloriesBurned).toBe(320);
    });

    it('refuses unknown or hidden exercises and unknown templates, naming the field', async () => {
      const user = newUser();
      const unknown = await logs.logWorkout(workout(user, '2026-03-02T07:00:00Z', [{ exerciseId: oid(0xdead), sets: [done(5)] }])).catch((e: unknown) => e);
      expect((unknown as ValidationError).issues[0]?.path).toEqual(['exercises', 0, 'exerciseId']);
      await expect(logs.logWorkout(workout(user, '2026-03-02T07:00:00Z', [{ exerciseId: hidden, sets: [done(5)] }]))).rejects.toBeInstanceOf(ValidationError);
      const noTemplate = await logs.logWorkout(workout(user, '2026-03-02T07:00:00Z', [], { workoutTemplateId: oid(0xbeef) })).catch((e: unknown) => e);
      expect((noTemplate as ValidationError).issues[0]?.path).toEqual(['workoutTemplateId']);
      await expect(logs.logWorkout(workout(user, '2026-03-02T07:00:00Z', [], { endTime: '2026-03-02T06:00:00Z' }))).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('personal records', () => {
    it('finds the heaviest set, the best Epley 1RM and the best session volume, of completed sets only', async () => {
      const user = newUser();
      const first = await logs.logWorkout(workout(user, '2026-02-02T07:00:00Z', [{ exerciseId: bench, sets: [done(5, 100), done(10, 80)] }]));
      const second = await logs.logWorkout(workout(user, '2026-02-04T07:00:00Z', [{ exerciseId: bench, sets: [done(1, 105), missed(3, 110)] }, { exerciseId: squat, sets: [done(5, 200)] }]));
      const third = await logs.logWorkout(workout(user, '2026-02-06T07:00:00Z', [{ exerciseId: bench, sets: [done(8, 90), done(8, 90), done(8, 90), done(20)] }]));
      const records = await logs.personalRecords(user, bench);
      expect(records.heaviestWeight).toMatchObject({ value: 105, workoutLogId: second.id });
      // Epley: 100 × (1 + 5/30) = 116.67 beats 90 × (1 + 8/30) = 114 and 80 × (1 + 10/30) = 106.67.
      expect(records.bestEstimatedOneRepMax).toMatchObject({ value: 116.67, workoutLogId: first.id, achievedAt: new Date('2026-02-02T07:00:00Z') });
      // 3 × 8 × 90 = 2160 beats 5 × 100 + 10 × 80 = 1300.
      expect(records.bestSessionVolume).toMatchObject({ value: 2160, workoutLogId: third.id });
    });

    it('credits a tie to the workout that set it first', async () => {
      const user = newUser();
      const earlier = await logs.logWorkout(workout(user, '2026-02-02T07:00:00Z', [{ exerciseId: bench, sets: [done(5, 80)] }]));
      await logs.logWorkout(workout(user, '2026-02-09T07:00:00Z', [{ exerciseId: bench, sets: [done(5, 80)] }]));
      expect((await logs.personalRecords(user, bench)).heaviestWeight?.workoutLogId).toBe(earlier.id);
    });

    it('has no records for an exercise never lifted with weight', async () => {
      const user = newUser();
      await logs.logWorkout(workout(user, '2026-02-02T07:00:00Z', [{ exerciseId: plank, sets: [{ duration: 60, completed: true }] }]));
      expect(await logs.personalRecords(user, plank)).toEqual({ exerciseId: plank, unit: 'kg' });
    });

    it('names the formula: Epley, a single rep being the weight itself', () => {
      expect(epleyOneRepMax(100, 1)).toBe(100);
      expect(epleyOneRepMax(60, 30)).toBe(120);
    });
  });

  describe('weekly volume', () => {
    it('sums Σ reps × weight of completed sets per ISO week in the user’s time zone, listing empty weeks', async () => {
      const user = newUser();
      await logs.logWorkout(workout(user, '2026-03-02T07:00:00Z', [{ exerciseId: bench, sets: [done(10, 50), missed(10, 50), done(12)] }]));
      // Sunday 22:30 UTC is Monday 01:30 in Istanbul: week 11 there, week 10 in UTC.
      await logs.logWorkout(workout(user, '2026-03-08T22:30:00Z', [{ exerciseId: squat, sets: [done(5, 100)] }]));
      const range = { from: '2026-03-01T21:00:00Z', to: '2026-03-22T21:00:00Z' };
      expect(await logs.weeklyVolume(user, range)).toEqual([
        { week: '2026-W10', workouts: 1, completedSets: 2, volume: 500 },
        { week: '2026-W11', workouts: 1, completedSets: 1, volume: 500 },
        { week: '2026-W12', workouts: 0, completedSets: 0, volume: 0 },
      ]);
      const utc = await logs.weeklyVolume(user, { from: '2026-03-02T00:00:00Z', to: '2026-03-09T00:00:00Z', timeZone: 'UTC' });
      expect(utc).toEqual([{ week: '2026-W10', workouts: 2, completedSets: 3, volume: 1000 }]);
    });

    it('refuses an unknown time zone or a window over a year', async () => {
      await expect(logs.weeklyVolume(newUser(), { from: '2026-03-01', to: '2026-03-08', timeZone: 'Mars/Olympus' })).rejects.toBeInstanceOf(ValidationError);
      await expect(logs.weeklyVolume(newUser(), { from: '2025-01-01', to: '2026-03-08' })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('streaks', () => {
    it('counts consecutive training days and ISO weeks, alive until the day or week after', async () => {
      const user = newUser();
      // Feb 10–14 (week 7), Feb 17 (week 8), Feb 26 – Mar 1 (week 9); today is Monday Mar 2 (week 10).
      for (const day of ['02-10', '02-11', '02-12', '02-13', '02-14', '02-17', '02-26', '02-27', '02-28', '03-01']) {
        await logs.logWorkout(workout(user, `2026-${day}T07:00:00Z`));
      }
      await logs.logWorkout(workout(user, '2026-02-28T18:00:00Z')); // a second workout the same day counts once
      expect(await logs.streaks(user)).toEqual({ currentDays: 4, longestDays: 5, currentWeeks: 3, longestWeeks: 3 });
      // Two days later the day streak is broken; the week streak lives until the end of week 10's successor.
      expect(await logs.streaks(user, { asOf: '2026-03-03T09:00:00Z' })).toMatchObject({ currentDays: 0, longestDays: 5, currentWeeks: 3 });
      expect(await logs.streaks(user, { asOf: '2026-03-10T09:00:00Z' })).toMatchObject({ currentWeeks: 0, longestWeeks: 3 });
    });

    it('reads days in the user’s time zone', async () => {
      const user = newUser();
      // 21:30 UTC on Feb 28 is already Mar 1 in Istanbul.
      await logs.logWorkout(workout(user, '2026-02-28T21:30:00Z'));
      await logs.logWorkout(workout(user, '2026-03-02T06:00:00Z'));
      expect((await logs.streaks(user)).currentDays).toBe(2);
      expect((await logs.streaks(user, { timeZone: 'UTC' })).currentDays).toBe(1);
    });

    it('is all zeros without workouts', async () => {
      expect(await logs.streaks(newUser())).toEqual({ currentDays: 0, longestDays: 0, currentWeeks: 0, longestWeeks: 0 });
    });
  });

  describe('comparison with the plan', () => {
    let template: WorkoutTemplateId;
    beforeAll(async () => {
      template = (
        await workouts.createTemplate({
          name: 'Plan',
          createdBy: oid(0x7ffe),
          metadata: { difficulty: 'beginner' },
          exercises: [
            { exerciseId: bench, order: 1, defaultSets: [{ reps: 10 }, { reps: 10 }, { reps: 10 }] },
            { exerciseId: plank, order: 2, defaultSets: [{ duration: 60 }] },
          ],
        })
      ).id;
    });

    it('lists planned exercises done or skipped and extra ones, with set and rep deltas', async () => {
      const log = await logs.logWorkout(
        workout(newUser(), '2026-03-02T07:00:00Z', [{ exerciseId: bench, sets: [done(10, 60), done(8, 60), missed(10, 60)] }, { exerciseId: squat, sets: [done(5, 100)] }], { workoutTemplateId: template }),
      );
      expect(await logs.compareWithPlan(log.id)).toEqual({
        workoutLogId: log.id,
        plannedExercises: 2,
        doneExercises: 1,
        exercises: [
          { exerciseId: bench, status: 'done', plannedSets: 3, completedSets: 2, setsDelta: -1, plannedReps: 30, completedReps: 18, repsDelta: -12 },
          { exerciseId: plank, status: 'skipped', plannedSets: 1, completedSets: 0, setsDelta: -1, plannedReps: 0, completedReps: 0, repsDelta: 0 },
          { exerciseId: squat, status: 'extra', plannedSets: 0, completedSets: 1, setsDelta: 1, plannedReps: 0, completedReps: 5, repsDelta: 5 },
        ],
      });
    });

    it('refuses to compare a workout logged without a template', async () => {
      const log = await logs.logWorkout(workout(newUser(), '2026-03-02T07:00:00Z'));
      await expect(logs.compareWithPlan(log.id)).rejects.toBeInstanceOf(ConflictError);
      await expect(logs.compareWithPlan(log.id)).rejects.toMatchObject({ reason: 'no_template' });
    });
  });
});

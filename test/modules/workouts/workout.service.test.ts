import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../../src/core/errors.js';
import type { ExerciseId, UserId, WorkoutTemplateId } from '../../../src/core/ids.js';
import { ExerciseRepository } from '../../../src/modules/catalog/exercise.repository.js';
import type { CreateExerciseInput } from '../../../src/modules/catalog/exercise.schema.js';
import { createWorkoutsModule, type CreateWorkoutProgramInput, type CreateWorkoutTemplateInput, type WorkoutService } from '../../../src/modules/workouts/index.js';
import { oid } from '../support/factories.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

const user = (n: number) => oid(0x6000 + n) as UserId;
const COACH = user(1);
const OTHER = user(2);
const CLIENT = user(3);

describe('WorkoutService', () => {
  let workouts: WorkoutService;
  let exercises: ExerciseRepository;
  let pushUp: ExerciseId; // public, 10 kcal over 2 minutes
  let plank: ExerciseId; // public, no calorie data
  let coachPrivate: ExerciseId;
  let otherPrivate: ExerciseId;

  const exercise = async (o: Partial<CreateExerciseInput> = {}, metadata: Partial<CreateExerciseInput['metadata']> = {}) =>
    (await exercises.create({ name: 'Şınav', isPublic: true, ...o, metadata: { bodyAreas: ['chest'], type: 'strength', difficultyLevel: 'beginner', ...metadata } })).id;

  /** A one-exercise template of the coach, overridable. */
  const template = (o: Partial<CreateWorkoutTemplateInput> = {}): CreateWorkoutTemplateInput => ({
    name: 'İtiş günü',
    createdBy: COACH,
    metadata: { difficulty: 'beginner' },
    exercises: [{ exerciseId: pushUp, order: 1, defaultSets: [{ reps: 10, restTime: 60 }] }],
    ...o,
  });

  const program = (o: Partial<CreateWorkoutProgramInput> = {}): CreateWorkoutProgramInput => ({
    name: '2 haftalık plan',
    createdBy: COACH,
    metadata: { difficulty: 'beginner', duration: 14 },
    schedule: [{ day: 1, isRestDay: true }],
    ...o,
  });

  beforeAll(async () => {
    exercises = new ExerciseRepository(t.nexfit.mongo.db, t.deps);
    ({ service: workouts } = createWorkoutsModule(t.nexfit.mongo.db, t.deps, exercises));
    pushUp = await exercise({}, { calories: 10, duration: 2 });
    plank = await exercise({ name: 'Plank' }, { bodyAreas: ['core'] });
    coachPrivate = await exercise({ name: 'Koç özel', createdBy: COACH, isPublic: false });
    otherPrivate = await exercise({ name: 'Başkasının özel', createdBy: OTHER, isPublic: false });
  });

  describe('composing a template', () => {
    it('derives the estimated duration and calories instead of trusting them', async () => {
      const created = await workouts.createTemplate(
        template({
          metadata: { difficulty: 'beginner', estimatedDuration: 999, estimatedCalories: 5_000 },
          exercises: [
            // 3 × (10 reps × 3 s + 60 s rest) = 270 s; 3 × 0.5 min × 5 kcal/min = 7.5 kcal
            { exerciseId: pushUp, order: 1, defaultSets: [{ reps: 10, restTime: 60 }, { reps: 10, restTime: 60 }, { reps: 10, restTime: 60 }] },
            // 60 s hold + 30 s rest = 90 s; no calorie data: 0 kcal
            { exerciseId: plank, order: 2, defaultSets: [{ duration: 60, restTime: 30 }] },
          ],
        }),
      );
      expect(created.metadata).toMatchObject({ estimatedDuration: 6, estimatedCalories: 8 });
    });

    it('targets the exercises’ body areas unless the author names them', async () => {
      const derived = await workouts.createTemplate(template({ exercises: [{ exerciseId: pushUp, order: 1, defaultSets: [{ reps: 5 }] }, { exerciseId: plank, order: 2, defaultSets: [{ duration: 30 }] }] }));
      expect(derived.metadata.targetBodyAreas).toEqual(['chest', 'core']);
      const named = await workouts.createTemplate(template({ metadata: { difficulty: 'beginner', targetBodyAreas: ['full_body'] } }));
      expect(named.metadata.targetBodyAreas).toEqual(['full_body']);
    });

    it('accepts the author’s own private exercises, in any listed order as long as orders run 1..n', async () => {
      const created = await workouts.createTemplate(
        template({ exercises: [{ exerciseId: coachPrivate, order: 2, defaultSets: [{ reps: 8 }] }, { exerciseId: pushUp, order: 1, defaultSets: [{ reps: 8 }] }] }),
      );
      expect(created.exercises).toHaveLength(2);
    });

    it.each([
      ['an unknown exercise', () => [{ exerciseId: oid(0xdead) as ExerciseId, order: 1, defaultSets: [{ reps: 8 }] }], ['exercises', 0, 'exerciseId']],
      ['someone else’s private exercise', () => [{ exerciseId: otherPrivate, order: 1, defaultSets: [{ reps: 8 }] }], ['exercises', 0, 'exerciseId']],
      ['a gap in the orders', () => [{ exerciseId: pushUp, order: 1, defaultSets: [{ reps: 8 }] }, { exerciseId: plank, order: 3, defaultSets: [{ reps: 8 }] }], ['exercises']],
      ['orders not starting at 1', () => [{ exerciseId: pushUp, order: 2, defaultSets: [{ reps: 8 }] }], ['exercises']],
      ['an exercise without sets', () => [{ exerciseId: pushUp, order: 1, defaultSets: [] }], ['exercises', 0, 'defaultSets']],
      ['a set that measures nothing', () => [{ exerciseId: pushUp, order: 1, defaultSets: [{ restTime: 60 }] }], ['exercises', 0, 'defaultSets', 0]],
      ['a weight without reps or duration', () => [{ exerciseId: pushUp, order: 1, defaultSets: [{ weight: 40, distance: 100 }] }], ['exercises', 0, 'defaultSets', 0, 'weight']],
      ['a rest over ten minutes', () => [{ exerciseId: pushUp, order: 1, defaultSets: [{ reps: 5, restTime: 601 }] }], ['exercises', 0, 'defaultSets', 0, 'restTime']],
    ] as const)('refuses %s, naming the field, and writes nothing', async (_label, exercisesOf, path) => {
      const before = (await workouts.listPublicTemplates({ limit: 100 })).items.length;
      const failure = await workouts.createTemplate(template({ exercises: exercisesOf() as never, isPublic: true })).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ValidationError);
      expect((failure as ValidationError).issues.map((i) => i.path)).toContainEqual(path);
      expect((await workouts.listPublicTemplates({ limit: 100 })).items.length).toBe(before);
    });

    it('refuses hostile input before reading', async () => {
      await expect(workouts.createTemplate({ ...template(), createdBy: { $ne: null } as never })).rejects.toBeInstanceOf(ValidationError);
    });

    it('lets only the author change a template, deriving the estimates again', async () => {
      const created = await workouts.createTemplate(template());
      await expect(workouts.updateTemplate(created.id, { name: 'Benim' }, OTHER)).rejects.toBeInstanceOf(ForbiddenError);
      const updated = await workouts.updateTemplate(created.id, { exercises: [{ exerciseId: pushUp, order: 1, defaultSets: [{ reps: 20, restTime: 120 }, { reps: 20, restTime: 120 }] }] }, COACH);
      // 2 × (60 s + 120 s) = 6 min; 2 × 1 min × 5 kcal/min = 10 kcal
      expect(updated.metadata).toMatchObject({ estimatedDuration: 6, estimatedCalories: 10 });
      await expect(workouts.updateTemplate(created.id, { exercises: [{ exerciseId: otherPrivate, order: 1, defaultSets: [{ reps: 1 }] }] }, COACH)).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('publishing', () => {
    it('makes a template public, for its author only', async () => {
      const created = await workouts.createTemplate(template({ name: 'Yayınlanacak' }));
      await expect(workouts.publishTemplate(created.id, OTHER)).rejects.toBeInstanceOf(ForbiddenError);
      expect((await workouts.getTemplate(created.id)).isPublic).toBe(false);
      const published = await workouts.publishTemplate(created.id, COACH);
      expect(published.isPublic).toBe(true);
      expect((await workouts.listPublicTemplates({ limit: 100 })).items.map((x) => x.id)).toContain(created.id);
    });

    it('refuses to publish a template that uses a private exercise', async () => {
      const created = await workouts.createTemplate(template({ exercises: [{ exerciseId: coachPrivate, order: 1, defaultSets: [{ reps: 8 }] }] }));
      await expect(workouts.publishTemplate(created.id, COACH)).rejects.toMatchObject({ reason: 'private_exercises', details: { exerciseIds: [coachPrivate] } });
      await expect(workouts.createTemplate(template({ isPublic: true, exercises: [{ exerciseId: coachPrivate, order: 1, defaultSets: [{ reps: 8 }] }] }))).rejects.toBeInstanceOf(ConflictError);
    });
  });

  describe('programmes', () => {
    let mine: WorkoutTemplateId;
    let othersPrivate: WorkoutTemplateId;
    let othersPublic: WorkoutTemplateId;
    beforeAll(async () => {
      mine = (await workouts.createTemplate(template())).id;
      othersPrivate = (await workouts.createTemplate(template({ createdBy: OTHER }))).id;
      othersPublic = (await workouts.createTemplate(template({ createdBy: OTHER, isPublic: true }))).id;
    });

    it('composes a schedule of training and rest days within the duration', async () => {
      const created = await workouts.createProgram(
        program({ schedule: [{ day: 1, workoutTemplateId: mine, isRestDay: false }, { day: 2, isRestDay: true }, { day: 14, workoutTemplateId: othersPublic, isRestDay: false }] }),
      );
      expect(created.schedule.map((d) => d.day)).toEqual([1, 2, 14]);
    });

    it.each([
      ['a day past the duration', [{ day: 15, isRestDay: true }]],
      ['day 0', [{ day: 0, isRestDay: true }]],
      ['the same day twice', [{ day: 3, isRestDay: true }, { day: 3, isRestDay: true }]],
      ['a rest day with a template', [{ day: 1, isRestDay: true, workoutTemplateId: oid(1) }]],
      ['a training day without a template', [{ day: 1, isRestDay: false }]],
    ])('refuses %s', async (_label, schedule) => {
      await expect(workouts.createProgram(program({ schedule: schedule as never }))).rejects.toBeInstanceOf(ValidationError);
    });

    it('refuses templates that do not exist or are private to someone else', async () => {
      const missing = await workouts.createProgram(program({ schedule: [{ day: 1, workoutTemplateId: oid(0xbeef), isRestDay: false }] })).catch((e: unknown) => e);
      expect((missing as ValidationError).issues[0]?.path).toEqual(['schedule', 0, 'workoutTemplateId']);
      await expect(workouts.createProgram(program({ schedule: [{ day: 1, workoutTemplateId: othersPrivate, isRestDay: false }] }))).rejects.toBeInstanceOf(ValidationError);
    });

    it('checks the schedule again when the duration shrinks', async () => {
      const created = await workouts.createProgram(program({ schedule: [{ day: 10, isRestDay: true }] }));
      await expect(workouts.updateProgram(created.id, { metadata: { difficulty: 'beginner', duration: 7 } }, COACH)).rejects.toBeInstanceOf(ValidationError);
      await expect(workouts.updateProgram(created.id, { name: 'x' }, OTHER)).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('publishes a programme for its author, once all its templates are public', async () => {
      const created = await workouts.createProgram(program({ schedule: [{ day: 1, workoutTemplateId: mine, isRestDay: false }] }));
      await expect(workouts.publishProgram(created.id, OTHER)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(workouts.publishProgram(created.id, COACH)).rejects.toMatchObject({ reason: 'private_templates' });
      await workouts.publishTemplate(mine, COACH);
      expect((await workouts.publishProgram(created.id, COACH)).isPublic).toBe(true);
    });
  });

  describe('ratings', () => {
    it('counts 50 concurrent reviews exactly and keeps the exact average', async () => {
      const rated = await workouts.createTemplate(template({ isPublic: true }));
      const stars = Array.from({ length: 50 }, (_, i) => [5, 4, 3, 5, 2, 4, 5, 1][i % 8]!);
      await Promise.all(stars.map((s, i) => workouts.rateTemplate(rated.id, user(100 + i), s)));
      const after = await workouts.getTemplate(rated.id);
      const sum = stars.reduce((a, b) => a + b, 0);
      expect(after.reviews).toEqual({ count: 50, averageRating: sum / 50 });
      expect(after.version).toBe(51);
    });

    it('keeps a repeating average exact as reviews accumulate', async () => {
      const rated = await workouts.createTemplate(template({ isPublic: true }));
      const stars = [5, 5, 4, 1, 2, 5, 3];
      for (const [i, s] of stars.entries()) {
        const after = await workouts.rateTemplate(rated.id, user(200 + i), s);
        const seen = stars.slice(0, i + 1);
        expect(after.reviews).toEqual({ count: seen.length, averageRating: seen.reduce((a, b) => a + b, 0) / seen.length });
      }
    });

    it('rates programmes the same way, concurrently', async () => {
      const publicTemplate = (await workouts.createTemplate(template({ isPublic: true }))).id;
      const rated = await workouts.createProgram(program({ isPublic: true, schedule: [{ day: 1, workoutTemplateId: publicTemplate, isRestDay: false }] }));
      await Promise.all([4, 5, 5, 2, 3, 4, 4, 1, 5, 5].map((s, i) => workouts.rateProgram(rated.id, user(300 + i), s)));
      expect((await workouts.getProgram(rated.id)).reviews).toEqual({ count: 10, averageRating: 3.8 });
    });

    it('refuses self-reviews, reviews of private workouts and ratings outside 1..5', async () => {
      const own = await workouts.createTemplate(template({ isPublic: true }));
      await expect(workouts.rateTemplate(own.id, COACH, 5)).rejects.toBeInstanceOf(ForbiddenError);
      const hidden = await workouts.createTemplate(template());
      await expect(workouts.rateTemplate(hidden.id, CLIENT, 5)).rejects.toBeInstanceOf(ForbiddenError);
      for (const bad of [0, 6, 4.5, '5']) await expect(workouts.rateTemplate(own.id, CLIENT, bad as never)).rejects.toBeInstanceOf(ValidationError);
      expect((await workouts.getTemplate(own.id)).reviews).toEqual({ count: 0, averageRating: 0 });
    });
  });
});

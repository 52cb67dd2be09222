import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ConcurrencyError, ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type UserId } from '../../../src/core/ids.js';
import { WorkoutTemplateRepository } from '../../../src/modules/workouts/workout-template.repository.js';
import { workoutTemplateSchema } from '../../../src/modules/workouts/workout-template.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs, oid } from '../support/factories.js';
import { describeMongoRepositoryContract } from '../../support/mongo-repository-contract.js';
import { indexesUsed } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();
const userId = (n: number): UserId => oid(n) as UserId;

describeMongoRepositoryContract({
  entity: 'workout template',
  collection: 'workout_templates',
  mongo,
  createRepository: (db, deps) => new WorkoutTemplateRepository(db, deps),
  validInput: (n) => createInputs.workout_templates({ name: `Şablon ${n}`, createdBy: userId(2) }),
  invalidInput: createInputs.workout_templates({ exercises: [] }),
  validPatch: { name: 'Pull day', isPublic: true },
  list: (repository, page) => repository.listByAuthor(userId(2), page),
  entitySchema: workoutTemplateSchema,
});

describe('WorkoutTemplateRepository', () => {
  let templates: WorkoutTemplateRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.workout_templates.name);

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.workout_templates] });
    templates = new WorkoutTemplateRepository(mongo.db, { clock: fixedClock('2026-03-01T09:00:00Z'), ids: defaultIdGenerator });
  });

  it('starts a new template with no reviews, and refuses reviews as input', async () => {
    const created = await templates.create(createInputs.workout_templates({ createdBy: userId(400) }));
    expect(created.reviews).toEqual({ averageRating: 0, count: 0 });
    await expect(templates.create({ ...createInputs.workout_templates(), reviews: { averageRating: 5, count: 100 } } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(templates.patch(created.id, { reviews: { averageRating: 5, count: 1 } } as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('lists an author’s templates, newest first, and nobody else’s', async () => {
    const first = await templates.create(createInputs.workout_templates({ name: 'A', createdBy: userId(401) }));
    const second = await templates.create(createInputs.workout_templates({ name: 'B', createdBy: userId(401) }));
    await templates.create(createInputs.workout_templates({ createdBy: userId(402) }));
    expect((await templates.listByAuthor(userId(401))).items.map((t) => t.id)).toEqual([second.id, first.id]);
  });

  it('lists public templates best rated first, across pages', async () => {
    const rated = async (name: string, averageRating: number, isPublic = true) => {
      const t = await templates.create(createInputs.workout_templates({ name, isPublic, createdBy: userId(403) }));
      return templates.setReviews(t.id, { averageRating, count: 3 });
    };
    const good = await rated('good', 4.8);
    const fair = await rated('fair', 3.1);
    const best = await rated('best', 4.9);
    await rated('private', 5, false);
    const pages: string[] = [];
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await templates.listPublic(after === undefined ? { limit: 2 } : { limit: 2, after });
      pages.push(...page.items.map((t) => t.name));
      ids.push(...page.items.map((t) => t.id));
      after = page.nextCursor ?? undefined;
    } while (after !== undefined);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pages.filter((name) => ['best', 'good', 'fair', 'private'].includes(name))).toEqual(['best', 'good', 'fair']);
    expect([best, good, fair].map((t) => t.version)).toEqual([2, 2, 2]);
  });

  it('updates the ratings aggregate only at the expected version and within bounds', async () => {
    const created = await templates.create(createInputs.workout_templates({ createdBy: userId(404) }));
    await templates.setReviews(created.id, { averageRating: 4, count: 1 }, { expectedVersion: 1 });
    await expect(templates.setReviews(created.id, { averageRating: 3, count: 2 }, { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(templates.setReviews(created.id, { averageRating: 6, count: 2 })).rejects.toBeInstanceOf(ValidationError);
    await expect(templates.setReviews(created.id, { averageRating: { $gt: 0 }, count: 2 } as never)).rejects.toBeInstanceOf(ValidationError);
    expect((await templates.getById(created.id)).reviews).toEqual({ averageRating: 4, count: 1 });
  });

  it('refuses an operator object as the author', async () => {
    await expect(templates.listByAuthor({ $ne: null } as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('serves the author list and the public list from their indexes', async () => {
    expect(await indexesUsed(collection(), { createdBy: ObjectId.createFromHexString(oid(401)) }, { _id: -1 })).toContain('createdBy');
    expect(await indexesUsed(collection(), { isPublic: true }, { 'reviews.averageRating': -1, _id: -1 })).toContain('isPublic_averageRating');
  });
  it('counts the templates that list an exercise, from the exercises.exerciseId index', async () => {
    const exerciseId = oid(0x7e7e01);
    const uses = (n: number) => ({ exerciseId, order: n, defaultSets: [{ reps: 8 }] });
    await templates.create(createInputs.workout_templates({ exercises: [uses(1)] }));
    await templates.create(createInputs.workout_templates({ exercises: [{ exerciseId: oid(0x7e7e02), order: 1, defaultSets: [] }, uses(2)] }));
    expect(await templates.countExerciseReferences(exerciseId as never)).toBe(2);
    expect(await templates.countExerciseReferences(oid(0x7e7e03) as never)).toBe(0);
    await expect(templates.countExerciseReferences({ $ne: null } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(await indexesUsed(collection(), { 'exercises.exerciseId': ObjectId.createFromHexString(exerciseId) })).toContain('exercises_exerciseId');
  });
  it('adds ratings atomically: every concurrent rating counted, the average exact', async () => {
    const created = await templates.create(createInputs.workout_templates());
    await Promise.all([5, 4, 4, 1, 5, 3].map((r) => templates.addRating(created.id, r)));
    const after = await templates.getById(created.id);
    expect(after.reviews).toEqual({ count: 6, averageRating: 22 / 6 });
    expect(after.version).toBe(7);
    await expect(templates.addRating(created.id, 7)).rejects.toBeInstanceOf(ValidationError);
    await expect(templates.addRating(oid(0xfeed) as never, 5)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

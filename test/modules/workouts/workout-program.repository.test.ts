import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type UserId } from '../../../src/core/ids.js';
import { WorkoutProgramRepository } from '../../../src/modules/workouts/workout-program.repository.js';
import { workoutProgramSchema } from '../../../src/modules/workouts/workout-program.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs, oid } from '../support/factories.js';
import { describeMongoRepositoryContract } from '../../support/mongo-repository-contract.js';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();
const userId = (n: number): UserId => oid(n) as UserId;

describeMongoRepositoryContract({
  entity: 'workout program',
  collection: 'workout_programs',
  mongo,
  createRepository: (db, deps) => new WorkoutProgramRepository(db, deps),
  validInput: (n) => createInputs.workout_programs({ name: `Program ${n}`, createdBy: userId(2) }),
  invalidInput: createInputs.workout_programs({ metadata: { difficulty: 'beginner', duration: 1 } }),
  validPatch: { name: '6 haftalık', isPublic: true },
  list: (repository, page) => repository.listByAuthor(userId(2), page),
  entitySchema: workoutProgramSchema,
});

describe('WorkoutProgramRepository', () => {
  let programs: WorkoutProgramRepository;

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.workout_programs] });
    programs = new WorkoutProgramRepository(mongo.db, { clock: fixedClock('2026-03-01T09:00:00Z'), ids: defaultIdGenerator });
  });

  it('checks a patch against the whole programme: the schedule must still fit the duration', async () => {
    const created = await programs.create(createInputs.workout_programs({ createdBy: userId(500) }));
    await expect(programs.patch(created.id, { metadata: { difficulty: 'beginner', duration: 1 } })).rejects.toBeInstanceOf(ValidationError);
    expect(await programs.getById(created.id)).toEqual(created);
  });

  it('lists public programmes best rated first', async () => {
    const low = await programs.create(createInputs.workout_programs({ name: 'low', isPublic: true, createdBy: userId(501) }));
    const high = await programs.create(createInputs.workout_programs({ name: 'high', isPublic: true, createdBy: userId(501) }));
    await programs.setReviews(low.id, { averageRating: 2.5, count: 4 });
    await programs.setReviews(high.id, { averageRating: 4.5, count: 4 });
    const names = (await programs.listPublic({ limit: 200 })).items.map((p) => p.name);
    expect(names.indexOf('high')).toBeLessThan(names.indexOf('low'));
    expect(names).not.toContain('4 haftalık başlangıç');
  });
});

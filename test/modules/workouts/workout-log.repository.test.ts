import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type UserId, type WorkoutTemplateId } from '../../../src/core/ids.js';
import { WorkoutLogRepository } from '../../../src/modules/workouts/workout-log.repository.js';
import { workoutLogSchema, type CreateWorkoutLogInput } from '../../../src/modules/workouts/workout-log.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs, oid } from '../support/factories.js';
import { describeMongoRepositoryContract } from '../../support/mongo-repository-contract.js';
import { indexesUsed } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';
import { createTestKeyring } from '../../../src/core/keyring.js';

const mongo = useTestMongo();
const userId = (n: number): UserId => oid(n) as UserId;
const templateId = (n: number): WorkoutTemplateId => oid(n) as WorkoutTemplateId;

/** 07:00 UTC on the `n`-th day of March 2026. */
const morning = (n: number): Date => new Date(Date.UTC(2026, 2, n, 7));

/** A one-hour workout of `user` starting on the morning of day `n`. */
function workout(user: number, n: number, overrides: Partial<CreateWorkoutLogInput> = {}): CreateWorkoutLogInput {
  return createInputs.workout_logs({ userId: userId(user), startTime: morning(n), endTime: new Date(morning(n).getTime() + 3_600_000), ...overrides });
}

describeMongoRepositoryContract({
  entity: 'workout log',
  collection: 'workout_logs',
  mongo,
  createRepository: (db, deps) => new WorkoutLogRepository(db, deps),
  validInput: (n) => workout(1, 1 + (n % 28)),
  invalidInput: workout(1, 2, { endTime: morning(1) }),
  validPatch: { feedback: { rating: 5, difficulty: 7 }, notes: 'iyi geçti' },
  list: (repository, page) => repository.listByUser(userId(1), {}, page),
  entitySchema: workoutLogSchema,
});

describe('WorkoutLogRepository', () => {
  let logs: WorkoutLogRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.workout_logs.name);

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.workout_logs] });
    logs = new WorkoutLogRepository(mongo.db, { clock: fixedClock('2026-03-01T09:00:00Z'), ids: defaultIdGenerator , keyring: createTestKeyring() });
  });

  describe('a user’s history', () => {
    beforeAll(async () => {
      for (const n of [3, 5, 7, 9, 11]) await logs.create(workout(600, n));
      await logs.create(workout(601, 7));
    });

    it('lists a user’s workouts newest first, across pages', async () => {
      const first = await logs.listByUser(userId(600), {}, { limit: 3 });
      const second = await logs.listByUser(userId(600), {}, { limit: 3, after: first.nextCursor! });
      expect([...first.items, ...second.items].map((l) => l.startTime)).toEqual([11, 9, 7, 5, 3].map(morning));
      expect(second.nextCursor).toBeNull();
    });

    it('keeps to the half-open window [from, to)', async () => {
      const page = await logs.listByUser(userId(600), { from: morning(5), to: morning(9) });
      expect(page.items.map((l) => l.startTime)).toEqual([morning(7), morning(5)]);
    });

    it('returns a whole window oldest first for statistics', async () => {
      const all = await logs.listByUserBetween(userId(600), '2026-03-04', '2026-03-10');
      expect(all.map((l) => l.startTime)).toEqual([morning(5), morning(7), morning(9)]);
      expect(await logs.listByUserBetween(userId(600), '2026-04-01', '2026-04-30')).toEqual([]);
    });

    it('refuses a reversed, open or overlong statistics window', async () => {
      await expect(logs.listByUserBetween(userId(600), morning(9), morning(3))).rejects.toBeInstanceOf(ValidationError);
      await expect(logs.listByUserBetween(userId(600), morning(3), undefined as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(logs.listByUserBetween(userId(600), '2025-01-01', '2026-03-01')).rejects.toBeInstanceOf(ValidationError);
      await expect(logs.listByUserBetween(userId(600), { $gte: '' } as never, morning(3))).rejects.toBeInstanceOf(ValidationError);
    });

    it('refuses operator objects as the user or a window end', async () => {
      await expect(logs.listByUser({ $ne: null } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(logs.listByUser(userId(600), { to: { $gt: '' } } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(logs.listByUserBetween({ $gt: '' } as never, morning(1), morning(2))).rejects.toBeInstanceOf(ValidationError);
    });

    it('serves a user’s history in a time window from the userId + startTime index', async () => {
      const filter = { userId: ObjectId.createFromHexString(oid(600)), startTime: { $gte: morning(5), $lt: morning(9) } };
      expect(await indexesUsed(collection(), filter, { startTime: -1, _id: -1 })).toContain('userId_startTime');
    });
  });

  describe('the logs of a template', () => {
    it('lists the workouts logged from a template, newest first', async () => {
      const first = await logs.create(workout(610, 1, { workoutTemplateId: templateId(700) }));
      const second = await logs.create(workout(611, 2, { workoutTemplateId: templateId(700) }));
      await logs.create(workout(610, 3, { workoutTemplateId: templateId(701) }));
      const page = await logs.listByTemplate(templateId(700), { limit: 1 });
      const rest = await logs.listByTemplate(templateId(700), { limit: 1, after: page.nextCursor! });
      expect([...page.items, ...rest.items].map((l) => l.id)).toEqual([second.id, first.id]);
      expect(rest.nextCursor).toBeNull();
    });

    it('refuses an operator object as the template', async () => {
      await expect(logs.listByTemplate({ $exists: true } as never)).rejects.toBeInstanceOf(ValidationError);
    });

    it('serves the template list from the workoutTemplateId index', async () => {
      expect(await indexesUsed(collection(), { workoutTemplateId: ObjectId.createFromHexString(oid(700)) }, { _id: -1 })).toContain('workoutTemplateId');
    });
  });
});

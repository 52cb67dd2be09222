import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type UserId } from '../../../src/core/ids.js';
import { NutritionPlanRepository } from '../../../src/modules/nutrition/nutrition-plan.repository.js';
import { nutritionPlanSchema } from '../../../src/modules/nutrition/nutrition-plan.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs, oid } from '../support/factories.js';
import { describeMongoRepositoryContract } from '../../support/mongo-repository-contract.js';
import { indexesUsed } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();
const userId = (n: number): UserId => oid(n) as UserId;

describeMongoRepositoryContract({
  entity: 'nutrition plan',
  collection: 'nutrition_plans',
  mongo,
  createRepository: (db, deps) => new NutritionPlanRepository(db, deps),
  validInput: (n) => createInputs.nutrition_plans({ name: `Plan ${n}`, createdBy: userId(2) }),
  invalidInput: createInputs.nutrition_plans({ meals: [{ name: 'Kahvaltı', time: '25:00', foods: [] }] }),
  validPatch: { name: 'Bahar planı', forUserId: null },
  list: (repository, page) => repository.listByAuthor(userId(2), page),
  entitySchema: nutritionPlanSchema,
});

describe('NutritionPlanRepository', () => {
  let plans: NutritionPlanRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.nutrition_plans.name);

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.nutrition_plans] });
    plans = new NutritionPlanRepository(mongo.db, { clock: fixedClock('2026-03-01T09:00:00Z'), ids: defaultIdGenerator });
  });

  it('lists an author’s plans and a client’s plans, newest first', async () => {
    const a = await plans.create(createInputs.nutrition_plans({ name: 'a', createdBy: userId(800), forUserId: userId(810) }));
    const b = await plans.create(createInputs.nutrition_plans({ name: 'b', createdBy: userId(801), forUserId: userId(810) }));
    const c = await plans.create(createInputs.nutrition_plans({ name: 'c', createdBy: userId(800), forUserId: userId(811) }));
    expect((await plans.listByAuthor(userId(800))).items.map((p) => p.id)).toEqual([c.id, a.id]);
    expect((await plans.listForUser(userId(810))).items.map((p) => p.id)).toEqual([b.id, a.id]);
  });

  it('drops a plan from its client’s list when it is unassigned', async () => {
    const plan = await plans.create(createInputs.nutrition_plans({ createdBy: userId(802), forUserId: userId(812) }));
    const unassigned = await plans.patch(plan.id, { forUserId: null });
    expect(unassigned).not.toHaveProperty('forUserId');
    expect((await plans.listForUser(userId(812))).items).toEqual([]);
  });

  it('refuses operator objects as the author or the client', async () => {
    await expect(plans.listByAuthor({ $gt: '' } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(plans.listForUser({ $ne: null } as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('serves both lists from their indexes', async () => {
    expect(await indexesUsed(collection(), { createdBy: ObjectId.createFromHexString(oid(800)) }, { _id: -1 })).toContain('createdBy');
    expect(await indexesUsed(collection(), { forUserId: ObjectId.createFromHexString(oid(810)) }, { _id: -1 })).toContain('forUserId');
  });
});

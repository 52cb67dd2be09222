import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator } from '../../../src/core/ids.js';
import type { Page } from '../../../src/core/pagination.js';
import { FoodRepository } from '../../../src/modules/catalog/food.repository.js';
import { foodSchema, type Food } from '../../../src/modules/catalog/food.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs } from '../support/factories.js';
import { describeMongoRepositoryContract } from '../../support/mongo-repository-contract.js';
import { indexesUsed } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

describeMongoRepositoryContract({
  entity: 'food',
  collection: 'foods',
  mongo,
  createRepository: (db, deps) => new FoodRepository(db, deps),
  validInput: (n) => createInputs.foods({ name: `Besin ${n}` }),
  invalidInput: createInputs.foods({ nutrients: { servingSize: 0, servingUnit: 'g', calories: 1, protein: 0, carbs: 0, fat: 0 } }),
  validPatch: { isVerified: true, source: 'TÜRKOMP' },
  list: (repository, page) => repository.search({}, page),
  entitySchema: foodSchema,
});

const names = (page: Page<Food>) => page.items.map((f) => f.name).sort();

describe('FoodRepository', () => {
  let foods: FoodRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.foods.name);

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.foods] });
    foods = new FoodRepository(mongo.db, { clock: fixedClock('2026-03-01T09:00:00Z'), ids: defaultIdGenerator });
    await foods.create(createInputs.foods({ name: 'Yulaf Ezmesi', category: 'tahıl-test', tags: ['kahvaltı', 'lifli'] }));
    await foods.create(createInputs.foods({ name: 'YULAF SÜTÜ', category: 'içecek-test', tags: ['kahvaltı'] }));
    await foods.create(createInputs.foods({ name: 'Ispanak', category: 'sebze-test', tags: ['lifli'] }));
    await foods.create(createInputs.foods({ name: 'Çilek (taze)', category: 'meyve-test', tags: ['tatlı'] }));
  });

  it('finds foods by a folded prefix of the name', async () => {
    expect(names(await foods.search({ text: 'yulaf' }))).toEqual(['YULAF SÜTÜ', 'Yulaf Ezmesi'].sort());
    expect(names(await foods.search({ text: 'ıspanak' }))).toEqual(['Ispanak']);
    expect(names(await foods.search({ text: 'cilek (' }))).toEqual(['Çilek (taze)']);
    expect(names(await foods.search({ text: 'ezmesi' }))).toEqual([]);
    expect(names(await foods.search({ text: '.*' }))).toEqual([]);
  });

  it('finds foods by category and by tags, all of them', async () => {
    expect(names(await foods.search({ category: 'sebze-test' }))).toEqual(['Ispanak']);
    expect(names(await foods.search({ tags: ['kahvaltı'] }))).toEqual(['YULAF SÜTÜ', 'Yulaf Ezmesi'].sort());
    expect(names(await foods.search({ tags: ['kahvaltı', 'lifli'] }))).toEqual(['Yulaf Ezmesi']);
    expect(names(await foods.search({ text: 'yulaf', category: 'içecek-test' }))).toEqual(['YULAF SÜTÜ']);
  });

  it('pages a search', async () => {
    const first = await foods.search({ text: 'yulaf' }, { limit: 1 });
    const second = await foods.search({ text: 'yulaf' }, { limit: 1, after: first.nextCursor! });
    expect([...names(first), ...names(second)].sort()).toEqual(['YULAF SÜTÜ', 'Yulaf Ezmesi'].sort());
    expect(second.nextCursor).toBeNull();
  });

  it('stores the folded name and never returns it', async () => {
    const created = await foods.create(createInputs.foods({ name: 'Şalgam Suyu' }));
    expect(created).not.toHaveProperty('searchName');
    expect((await collection().findOne({ _id: ObjectId.createFromHexString(created.id) }))?.['searchName']).toBe('salgam suyu');
  });

  it.each([
    ['an operator as text', { text: { $regex: '.*' } }],
    ['an operator as category', { category: { $ne: null } }],
    ['an operator inside tags', { tags: [{ $gt: '' }] }],
    ['an unknown key', { isVerified: true }],
  ])('refuses %s', async (_label, criteria) => {
    await expect(foods.search(criteria as never)).rejects.toBeInstanceOf(ValidationError);
  });

  it('serves a name search from the searchName index as a bounded prefix range', async () => {
    expect(await indexesUsed(collection(), { searchName: { $regex: '^yulaf' } }, { _id: 1 })).toContain('searchName');
  });

  it('serves a category search from the category index', async () => {
    expect(await indexesUsed(collection(), { category: 'sebze-test' }, { _id: 1 })).toContain('category');
  });
});

import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type UserId } from '../../../src/core/ids.js';
import type { Page } from '../../../src/core/pagination.js';
import { ExerciseRepository } from '../../../src/modules/catalog/exercise.repository.js';
import { exerciseSchema, type CreateExerciseInput, type Exercise } from '../../../src/modules/catalog/exercise.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs, oid } from '../support/factories.js';
import { describeMongoRepositoryContract } from '../../support/mongo-repository-contract.js';
import { indexesUsed } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

const userId = (n: number): UserId => oid(n) as UserId;

describeMongoRepositoryContract({
  entity: 'exercise',
  collection: 'exercises',
  mongo,
  createRepository: (db, deps) => new ExerciseRepository(db, deps),
  validInput: (n) => createInputs.exercises({ name: `Egzersiz ${n}`, isPublic: true }),
  invalidInput: createInputs.exercises({ metadata: { bodyAreas: ['wings' as never], type: 'strength', difficultyLevel: 'beginner' } }),
  validPatch: { name: 'Diz Üstü Şınav', description: 'Daha kolay bir varyasyon' },
  list: (repository, page) => repository.search({}, page),
  entitySchema: exerciseSchema,
});

const names = (page: Page<Exercise>) => page.items.map((e) => e.name).sort();

/** A public exercise tagged `tag`, so each test searches only its own fixtures. */
function exercise(tag: string, overrides: Partial<CreateExerciseInput> = {}, metadata: Partial<CreateExerciseInput['metadata']> = {}): CreateExerciseInput {
  const base = createInputs.exercises({ isPublic: true, ...overrides });
  return { ...base, metadata: { ...base.metadata, tags: [tag], ...metadata } };
}

describe('ExerciseRepository', () => {
  let exercises: ExerciseRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.exercises.name);

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.exercises] });
    exercises = new ExerciseRepository(mongo.db, { clock: fixedClock('2026-03-01T09:00:00Z'), ids: defaultIdGenerator });
  });

  describe('search by catalogue fields', () => {
    beforeAll(async () => {
      await exercises.create(exercise('fields', { name: 'Squat' }, { bodyAreas: ['quadriceps', 'glutes'], equipment: ['barbell'], difficultyLevel: 'intermediate' }));
      await exercises.create(exercise('fields', { name: 'Calf Raise' }, { bodyAreas: ['calves'], equipment: ['dumbbell'] }));
      await exercises.create(exercise('fields', { name: 'Jump Rope' }, { bodyAreas: ['calves', 'full_body'], type: 'cardio', equipment: ['rope'] }));
      await exercises.create({ ...exercise('fields', { name: 'Plank' }, { bodyAreas: ['core'] }), metadata: { ...exercise('fields').metadata, bodyAreas: ['core'], tags: ['fields', 'isometric'] } });
    });

    it('finds exercises by body area', async () => {
      expect(names(await exercises.search({ bodyArea: 'calves', tags: ['fields'] }))).toEqual(['Calf Raise', 'Jump Rope']);
    });

    it('finds exercises by equipment, type and difficulty', async () => {
      expect(names(await exercises.search({ equipment: 'barbell', tags: ['fields'] }))).toEqual(['Squat']);
      expect(names(await exercises.search({ type: 'cardio', tags: ['fields'] }))).toEqual(['Jump Rope']);
      expect(names(await exercises.search({ difficulty: 'intermediate', tags: ['fields'] }))).toEqual(['Squat']);
    });

    it('combines filters with AND, and tags must all be present', async () => {
      expect(names(await exercises.search({ bodyArea: 'calves', equipment: 'rope', tags: ['fields'] }))).toEqual(['Jump Rope']);
      expect(names(await exercises.search({ tags: ['fields', 'isometric'] }))).toEqual(['Plank']);
      expect(names(await exercises.search({ bodyArea: 'neck', tags: ['fields'] }))).toEqual([]);
    });

    it('serves a body-area search from the body-area index', async () => {
      expect(await indexesUsed(collection(), { 'metadata.bodyAreas': 'calves', isPublic: true }, { _id: 1 })).toContain('metadata_bodyAreas');
    });
  });

  describe('search by name', () => {
    beforeAll(async () => {
      for (const name of ['Şınav', 'ŞINAV ÇEKME', 'Dumbbell (Bench) Press', 'Bench Dips', 'Benç'])
        await exercises.create(exercise('names', { name }));
    });

    it('matches a folded prefix of the name, whatever the case and Turkish letters', async () => {
      expect(names(await exercises.search({ text: 'sinav', tags: ['names'] }))).toEqual(['Şınav', 'ŞINAV ÇEKME'].sort());
      expect(names(await exercises.search({ text: 'Şınav  çek', tags: ['names'] }))).toEqual(['ŞINAV ÇEKME']);
      expect(names(await exercises.search({ text: 'BENÇ', tags: ['names'] }))).toEqual(['Bench Dips', 'Benç']);
      expect(names(await exercises.search({ text: 'bench', tags: ['names'] }))).toEqual(['Bench Dips']);
    });

    it('matches only at the start of the name', async () => {
      expect(names(await exercises.search({ text: 'nav', tags: ['names'] }))).toEqual([]);
      expect(names(await exercises.search({ text: 'dips', tags: ['names'] }))).toEqual([]);
    });

    it('treats regular-expression characters as plain text', async () => {
      expect(names(await exercises.search({ text: 'dumbbell (bench)', tags: ['names'] }))).toEqual(['Dumbbell (Bench) Press']);
      expect(names(await exercises.search({ text: '.*', tags: ['names'] }))).toEqual([]);
      expect(names(await exercises.search({ text: '(', tags: ['names'] }))).toEqual([]);
      expect(names(await exercises.search({ text: '[a-z]', tags: ['names'] }))).toEqual([]);
    });

    it('ignores blank text', async () => {
      expect(names(await exercises.search({ text: '   ', tags: ['names'] }))).toHaveLength(5);
    });

    it('stores the folded name, keeps it in step on rename, and never returns it', async () => {
      const created = await exercises.create(exercise('stored', { name: 'İp Atlama' }));
      expect(created).not.toHaveProperty('searchName');
      const raw = () => collection().findOne({ _id: ObjectId.createFromHexString(created.id) });
      expect((await raw())?.['searchName']).toBe('ip atlama');
      const renamed = await exercises.patch(created.id, { name: 'Çift Ayak İp' });
      expect(renamed).not.toHaveProperty('searchName');
      expect((await raw())?.['searchName']).toBe('cift ayak ip');
      expect(names(await exercises.search({ text: 'cift ayak', tags: ['stored'] }))).toEqual(['Çift Ayak İp']);
    });

    it('serves a name search from the searchName index as a bounded prefix range', async () => {
      expect(await indexesUsed(collection(), { searchName: { $regex: '^sinav' }, isPublic: true }, { _id: 1 })).toContain('searchName');
    });
  });

  describe('visibility', () => {
    beforeAll(async () => {
      await exercises.create(exercise('visibility', { name: 'Public One', createdBy: userId(300) }));
      await exercises.create(exercise('visibility', { name: 'Private Mine', createdBy: userId(300), isPublic: false }));
      await exercises.create(exercise('visibility', { name: 'Private Theirs', createdBy: userId(301), isPublic: false }));
    });

    it('shows public exercises only, to nobody in particular', async () => {
      expect(names(await exercises.search({ tags: ['visibility'] }))).toEqual(['Public One']);
    });

    it('adds the viewer’s own private exercises, and nobody else’s', async () => {
      expect(names(await exercises.search({ tags: ['visibility'], visibleTo: userId(300) }))).toEqual(['Private Mine', 'Public One']);
      expect(names(await exercises.search({ tags: ['visibility'], visibleTo: userId(301) }))).toEqual(['Private Theirs', 'Public One']);
    });

    it('filters by author within what the viewer may see', async () => {
      expect(names(await exercises.search({ tags: ['visibility'], createdBy: userId(300), visibleTo: userId(300) }))).toEqual(['Private Mine', 'Public One']);
      expect(names(await exercises.search({ tags: ['visibility'], createdBy: userId(300), visibleTo: userId(301) }))).toEqual(['Public One']);
      expect(names(await exercises.search({ tags: ['visibility'], createdBy: userId(301) }))).toEqual([]);
    });

    it('serves an author’s exercises from the createdBy index', async () => {
      expect(await indexesUsed(collection(), { createdBy: ObjectId.createFromHexString(userId(300)) }, { _id: 1 })).toContain('createdBy');
    });
  });

  describe('imported exercises', () => {
    it('finds imported exercises by their key in the source catalogue', async () => {
      const a = await exercises.create(exercise('import', { name: 'Imported A', source: 'test-db', sourceId: 'A_1' }));
      await exercises.create(exercise('import', { name: 'Imported B', source: 'other-db', sourceId: 'A_1' }));
      const found = await exercises.findBySourceIds('test-db', ['A_1', 'missing']);
      expect(found.map((e) => e.id)).toEqual([a.id]);
      expect(found[0]).toMatchObject({ source: 'test-db', sourceId: 'A_1' });
      expect(await exercises.findBySourceIds('test-db', [])).toEqual([]);
    });

    it('refuses a second exercise with the same source key, but not our own unkeyed ones', async () => {
      await exercises.create(exercise('import', { name: 'Keyed', source: 'test-db', sourceId: 'dup' }));
      await expect(exercises.create(exercise('import', { name: 'Keyed again', source: 'test-db', sourceId: 'dup' }))).rejects.toMatchObject({ code: 'CONFLICT' });
      await exercises.create(exercise('import', { name: 'Unkeyed 1' }));
      await expect(exercises.create(exercise('import', { name: 'Unkeyed 2' }))).resolves.toBeDefined();
    });

    it('refuses an operator as a source key', async () => {
      await expect(exercises.findBySourceIds('test-db', [{ $ne: null } as never])).rejects.toBeInstanceOf(ValidationError);
    });

    it('keys imports by a unique index that leaves our own exercises out', async () => {
      // The embedded server's planner does not choose partial indexes, so the index itself is checked.
      const index = (await collection().listIndexes().toArray()).find((i) => i['name'] === 'source_sourceId_unique');
      expect(index).toMatchObject({ key: { source: 1, sourceId: 1 }, unique: true, partialFilterExpression: { sourceId: { $exists: true } } });
    });
  });

  describe('validation of search criteria', () => {
    it.each([
      ['an unknown body area', { bodyArea: 'wings' }],
      ['an operator as body area', { bodyArea: { $ne: null } }],
      ['an operator as text', { text: { $regex: '.*' } }],
      ['an operator as viewer', { visibleTo: { $gt: '' } }],
      ['an operator as author', { createdBy: { $exists: true } }],
      ['a $where key', { $where: 'sleep(1000)' }],
      ['an unknown key', { isPublic: false }],
      ['an empty tag list', { tags: [] }],
      ['an overlong text', { text: 'x'.repeat(201) }],
    ])('refuses %s', async (_label, criteria) => {
      await expect(exercises.search(criteria as never)).rejects.toBeInstanceOf(ValidationError);
    });
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import type { ExerciseId, FoodId, UserId } from '../../../src/core/ids.js';
import { CatalogService, createCatalogModule, type CreateExerciseInput, type CreateFoodInput, type Exercise, type ExerciseRepository } from '../../../src/modules/catalog/index.js';
import { WorkoutTemplateRepository } from '../../../src/modules/workouts/workout-template.repository.js';
import { oid } from '../support/factories.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

const user = (n: number) => oid(0x5000 + n) as UserId;
const ALICE = user(1);
const BOB = user(2);

/** A public exercise tagged with the test's own tag, so searches only see their fixtures. */
function exerciseInput(tag: string, overrides: Partial<CreateExerciseInput> = {}, metadata: Partial<CreateExerciseInput['metadata']> = {}): CreateExerciseInput {
  return {
    name: 'Şınav',
    isPublic: true,
    metadata: { bodyAreas: ['chest'], type: 'strength', difficultyLevel: 'beginner', equipment: [], tags: [tag], ...metadata },
    ...overrides,
  };
}

function foodInput(overrides: Partial<CreateFoodInput> = {}): CreateFoodInput {
  return { name: 'Yulaf Ezmesi', category: 'grains', nutrients: { servingSize: 40, servingUnit: 'g', calories: 150, protein: 5, carbs: 27, fat: 3, fiber: 4 }, ...overrides };
}

describe('CatalogService', () => {
  let catalog: CatalogService;
  let exercises: ExerciseRepository;
  let templates: WorkoutTemplateRepository;
  const names = (items: readonly Exercise[]) => items.map((e) => e.name).sort();

  beforeAll(() => {
    templates = new WorkoutTemplateRepository(t.nexfit.mongo.db, t.deps);
    ({ service: catalog, exercises } = createCatalogModule(t.nexfit.mongo.db, t.deps, templates));
  });

  describe('search', () => {
    beforeAll(async () => {
      await catalog.createExercise(exerciseInput('search', { name: 'Şınav' }));
      await catalog.createExercise(exerciseInput('search', { name: 'ŞINAV ÇEKME' }, { bodyAreas: ['chest', 'triceps'], equipment: ['mat'] }));
      await catalog.createExercise(exerciseInput('search', { name: 'Barfiks' }, { bodyAreas: ['back', 'biceps'], equipment: ['pull-up bar'], difficultyLevel: 'intermediate' }));
      await catalog.createExercise(exerciseInput('search', { name: 'İp Atlama' }, { bodyAreas: ['calves', 'full_body'], type: 'cardio', tags: ['search', 'conditioning'] }));
    });

    it('finds "Şınav" by "sinav", whatever the case and Turkish letters', async () => {
      expect(names((await catalog.searchExercises({ text: 'sinav', tags: ['search'] })).items)).toEqual(['ŞINAV ÇEKME', 'Şınav'].sort());
      expect(names((await catalog.searchExercises({ text: 'SINAV CEK', tags: ['search'] })).items)).toEqual(['ŞINAV ÇEKME']);
      expect(names((await catalog.searchExercises({ text: 'ip at', tags: ['search'] })).items)).toEqual(['İp Atlama']);
    });

    it('filters by body area, equipment, type, difficulty and tags, combined with AND', async () => {
      const find = async (c: object) => names((await catalog.searchExercises({ tags: ['search'], ...c })).items);
      expect(await find({ bodyArea: 'triceps' })).toEqual(['ŞINAV ÇEKME']);
      expect(await find({ equipment: 'pull-up bar' })).toEqual(['Barfiks']);
      expect(await find({ type: 'cardio' })).toEqual(['İp Atlama']);
      expect(await find({ difficulty: 'intermediate' })).toEqual(['Barfiks']);
      expect(await find({ tags: ['search', 'conditioning'] })).toEqual(['İp Atlama']);
      expect(await find({ bodyArea: 'chest', equipment: 'mat' })).toEqual(['ŞINAV ÇEKME']);
      expect(await find({ bodyArea: 'back', type: 'cardio' })).toEqual([]);
    });

    it('refuses hostile criteria before reading', async () => {
      await expect(catalog.searchExercises({ text: { $regex: '.*' } } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(catalog.searchExercises({ bodyArea: 'wings' } as never)).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('visibility', () => {
    let secret: Exercise;
    beforeAll(async () => {
      secret = await catalog.createExercise(exerciseInput('visibility', { name: 'Gizli Hareket', createdBy: ALICE, isPublic: false }));
      await catalog.createExercise(exerciseInput('visibility', { name: 'Açık Hareket', createdBy: ALICE }));
    });

    it('shows a private exercise to its creator only', async () => {
      await expect(catalog.getExercise(secret.id, ALICE)).resolves.toMatchObject({ name: 'Gizli Hareket' });
      await expect(catalog.getExercise(secret.id, BOB)).rejects.toBeInstanceOf(NotFoundError);
      await expect(catalog.getExercise(secret.id)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('searches public exercises plus the viewer’s own private ones', async () => {
      expect(names((await catalog.searchExercises({ tags: ['visibility'] })).items)).toEqual(['Açık Hareket']);
      expect(names((await catalog.searchExercises({ tags: ['visibility'], visibleTo: BOB })).items)).toEqual(['Açık Hareket']);
      expect(names((await catalog.searchExercises({ tags: ['visibility'], visibleTo: ALICE })).items)).toEqual(['Açık Hareket', 'Gizli Hareket']);
    });

    it('refuses an operator as an id', async () => {
      await expect(catalog.getExercise({ $gt: '' } as never)).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('alternates', () => {
    const create = (name: string, overrides: Partial<CreateExerciseInput> = {}) => catalog.createExercise(exerciseInput('alternates', { name, ...overrides }));
    const alternatesOf = async (id: ExerciseId) => (await exercises.getById(id)).alternateExercises;

    it('links a new exercise back from each alternate it names', async () => {
      const a = await create('Squat');
      const b = await create('Goblet Squat', { alternateExercises: [a.id] });
      expect(await alternatesOf(a.id)).toEqual([b.id]);
      expect(await alternatesOf(b.id)).toEqual([a.id]);
    });

    it('refuses a new exercise whose alternate is private to someone else, and writes nothing', async () => {
      const hidden = await create('Alice Özel', { createdBy: ALICE, isPublic: false });
      const before = await exercises.search({ tags: ['alternates'], visibleTo: BOB }, { limit: 100 });
      await expect(create('Bob Varyasyon', { createdBy: BOB, alternateExercises: [hidden.id] })).rejects.toBeInstanceOf(NotFoundError);
      expect((await exercises.search({ tags: ['alternates'], visibleTo: BOB }, { limit: 100 })).items).toHaveLength(before.items.length);
      expect(await alternatesOf(hidden.id)).toEqual([]);
    });

    it('adds and removes alternates in both directions', async () => {
      const a = await create('Deadlift');
      const b = await create('Romanian Deadlift');
      await catalog.addAlternate(a.id, b.id, null);
      expect(await alternatesOf(a.id)).toEqual([b.id]);
      expect(await alternatesOf(b.id)).toEqual([a.id]);
      await catalog.addAlternate(b.id, a.id, null); // already linked: nothing changes
      expect(await alternatesOf(a.id)).toEqual([b.id]);
      await catalog.removeAlternate(b.id, a.id, null);
      expect(await alternatesOf(a.id)).toEqual([]);
      expect(await alternatesOf(b.id)).toEqual([]);
    });

    it('resolves alternates, leaving out those the viewer may not see', async () => {
      const pub = await create('Plank', { createdBy: ALICE });
      const priv = await create('Alice Plank', { createdBy: ALICE, isPublic: false });
      const other = await create('Side Plank');
      await catalog.addAlternate(pub.id, priv.id, ALICE);
      await catalog.addAlternate(pub.id, other.id, ALICE);
      expect(names((await catalog.getWithAlternates(pub.id, ALICE)).alternates)).toEqual(['Alice Plank', 'Side Plank']);
      expect(names((await catalog.getWithAlternates(pub.id, BOB)).alternates)).toEqual(['Side Plank']);
      expect((await catalog.getWithAlternates(pub.id)).exercise.name).toBe('Plank');
    });

    it('refuses an exercise as its own alternate', async () => {
      const a = await create('Lunge');
      await expect(catalog.addAlternate(a.id, a.id, null)).rejects.toMatchObject({ reason: 'alternate_of_itself' });
    });

    it('lets only the creator or the platform link, and only to exercises the actor may see', async () => {
      const mine = await create('Bob Squat', { createdBy: BOB });
      const theirs = await create('Alice Gizli', { createdBy: ALICE, isPublic: false });
      const pub = await create('Box Squat');
      await expect(catalog.addAlternate(pub.id, mine.id, BOB)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(catalog.addAlternate(mine.id, theirs.id, BOB)).rejects.toBeInstanceOf(NotFoundError);
      expect(await alternatesOf(mine.id)).toEqual([]);
      await catalog.addAlternate(mine.id, pub.id, BOB);
      expect(await alternatesOf(pub.id)).toEqual([mine.id]);
    });

    it('writes both directions or neither', async () => {
      const a = await create('Hip Thrust');
      const full = await create('Glute Bridge');
      // Fill the other side up to the limit of 20 alternates, so its half of the link is refused.
      for (let i = 0; i < 20; i++) await catalog.addAlternate(full.id, (await create(`Köprü ${i}`)).id, null);
      await expect(catalog.addAlternate(a.id, full.id, null)).rejects.toBeInstanceOf(ValidationError);
      expect(await alternatesOf(a.id)).toEqual([]);
      expect(await alternatesOf(full.id)).toHaveLength(20);
    });

    it('keeps every link symmetric under concurrent linking to the same exercise', async () => {
      const hub = await create('Pull-up');
      const spokes = await Promise.all(Array.from({ length: 8 }, (_, i) => create(`Pull-up varyasyonu ${i}`)));
      await Promise.all(spokes.map((s) => catalog.addAlternate(s.id, hub.id, null)));
      expect([...(await alternatesOf(hub.id))].sort()).toEqual(spokes.map((s) => s.id).sort());
      for (const s of spokes) expect(await alternatesOf(s.id)).toEqual([hub.id]);
    });

    it('keeps alternates out of plain updates, which only the creator or the platform may make', async () => {
      const a = await create('Row', { createdBy: ALICE });
      const b = await create('Cable Row');
      await expect(catalog.updateExercise(a.id, { alternateExercises: [b.id] }, ALICE)).rejects.toMatchObject({ reason: 'alternates_via_link_operations' });
      await expect(catalog.updateExercise(a.id, { name: 'Bob was here' }, BOB)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(catalog.updateExercise(a.id, { name: 'Barbell Row' }, ALICE)).resolves.toMatchObject({ name: 'Barbell Row' });
      await expect(catalog.updateExercise(a.id, { description: 'Sırt' }, null)).resolves.toMatchObject({ description: 'Sırt', version: 3 });
    });
  });

  describe('deletion', () => {
    const templateUsing = (exerciseId: ExerciseId) =>
      templates.create({ name: 'Göğüs günü', createdBy: ALICE, metadata: { difficulty: 'beginner' }, exercises: [{ exerciseId, order: 1, defaultSets: [{ reps: 10 }] }] });

    it('refuses to delete an exercise a workout template uses, and deletes it once none does', async () => {
      const used = await catalog.createExercise(exerciseInput('deletion', { name: 'Bench Press', createdBy: ALICE }));
      const template = await templateUsing(used.id);
      const refusal = catalog.deleteExercise(used.id, ALICE);
      await expect(refusal).rejects.toBeInstanceOf(ConflictError);
      await expect(refusal).rejects.toMatchObject({ reason: 'exercise_in_use', details: { templates: 1 } });
      await expect(exercises.findById(used.id)).resolves.not.toBeNull();
      await templates.delete(template.id);
      await catalog.deleteExercise(used.id, ALICE);
      await expect(exercises.findById(used.id)).resolves.toBeNull();
    });

    it('removes a deleted exercise from the alternates of its alternates', async () => {
      const a = await catalog.createExercise(exerciseInput('deletion', { name: 'Dips' }));
      const b = await catalog.createExercise(exerciseInput('deletion', { name: 'Bench Dips', alternateExercises: [a.id] }));
      await catalog.deleteExercise(b.id, null);
      expect((await exercises.getById(a.id)).alternateExercises).toEqual([]);
    });

    it('lets only the creator or the platform delete', async () => {
      const a = await catalog.createExercise(exerciseInput('deletion', { name: 'Alice Dips', createdBy: ALICE }));
      await expect(catalog.deleteExercise(a.id, BOB)).rejects.toBeInstanceOf(ForbiddenError);
      const platform = await catalog.createExercise(exerciseInput('deletion', { name: 'Platform Dips' }));
      await expect(catalog.deleteExercise(platform.id, ALICE)).rejects.toBeInstanceOf(ForbiddenError);
      await expect(exercises.findById(platform.id)).resolves.not.toBeNull();
    });
  });

  describe('foods', () => {
    let oats: FoodId;
    let egg: FoodId;
    let milk: FoodId;
    beforeAll(async () => {
      oats = (await catalog.createFood(foodInput())).id;
      egg = (await catalog.createFood(foodInput({ name: 'Yumurta', category: 'protein', nutrients: { servingSize: 1, servingUnit: 'piece', calories: 78, protein: 6.3, carbs: 0.6, fat: 5.3 } }))).id;
      milk = (await catalog.createFood(foodInput({ name: 'Süt', category: 'dairy', nutrients: { servingSize: 200, servingUnit: 'ml', calories: 122, protein: 6.4, carbs: 9.4, fat: 6.6, sodium: 88 } }))).id;
    });

    it('scales nutrients to a portion in the food’s own unit', async () => {
      expect(await catalog.nutrientsFor(oats, 60, 'g')).toEqual({ foodId: oats, quantity: 60, unit: 'g', servings: 1.5, calories: 225, protein: 7.5, carbs: 40.5, fat: 4.5, fiber: 6 });
      expect(await catalog.nutrientsFor(egg, 3, 'piece')).toMatchObject({ servings: 3, calories: 234, protein: 18.9, fat: 15.9 });
      expect(await catalog.nutrientsFor(milk, 250, 'ml')).toMatchObject({ servings: 1.25, calories: 152.5, sodium: 110 });
    });

    it('scales every nutrient the food has, saturated fat and sugar too', async () => {
      // 45 g of a 30 g serving: 1.5 servings; 2.3 g saturated fat × 1.5 = 3.45 → 3.5, 0.7 g sugar × 1.5 = 1.05 → 1.1.
      const granola = (await catalog.createFood(foodInput({ name: 'Granola', nutrients: { servingSize: 30, servingUnit: 'g', calories: 134, protein: 3, carbs: 18, fat: 5.6, saturatedFat: 2.3, sugar: 0.7 } }))).id;
      expect(await catalog.nutrientsFor(granola, 45, 'g')).toEqual({ foodId: granola, quantity: 45, unit: 'g', servings: 1.5, calories: 201, protein: 4.5, carbs: 27, fat: 8.4, saturatedFat: 3.5, sugar: 1.1 });
    });

    it('counts a portion in servings whatever the food’s unit', async () => {
      expect(await catalog.nutrientsFor(oats, 2, 'serving')).toMatchObject({ servings: 2, calories: 300, carbs: 54 });
      expect(await catalog.nutrientsFor(milk, 0.5, 'serving')).toMatchObject({ calories: 61 });
    });

    it('rounds every value to one decimal', async () => {
      expect(await catalog.nutrientsFor(oats, 33, 'g')).toMatchObject({ servings: 0.825, calories: 123.8, protein: 4.1, carbs: 22.3, fat: 2.5 });
    });

    it('refuses units it cannot convert without a density or a piece weight', async () => {
      await expect(catalog.nutrientsFor(oats, 100, 'ml')).rejects.toMatchObject({ reason: 'unit_not_convertible' });
      await expect(catalog.nutrientsFor(egg, 50, 'g')).rejects.toMatchObject({ reason: 'unit_not_convertible' });
      await expect(catalog.nutrientsFor(milk, 1, 'piece')).rejects.toBeInstanceOf(ConflictError);
    });

    it('refuses a quantity that is not positive, or an unknown unit', async () => {
      await expect(catalog.nutrientsFor(oats, 0, 'g')).rejects.toBeInstanceOf(ValidationError);
      await expect(catalog.nutrientsFor(oats, -5, 'g')).rejects.toBeInstanceOf(ValidationError);
      await expect(catalog.nutrientsFor(oats, 5, 'kg' as never)).rejects.toBeInstanceOf(ValidationError);
    });

    it('finds foods by a folded name prefix', async () => {
      expect((await catalog.searchFoods({ text: 'SUT' })).items.map((f) => f.name)).toEqual(['Süt']);
      expect((await catalog.searchFoods({ text: 'yulaf', category: 'grains' })).items.map((f) => f.id)).toEqual([oats]);
    });

    it('updates a food with a version check', async () => {
      const updated = await catalog.updateFood(egg, { isVerified: true }, { expectedVersion: 1 });
      expect(updated).toMatchObject({ isVerified: true, version: 2 });
      await expect(catalog.updateFood(egg, { isVerified: false }, { expectedVersion: 1 })).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
    });
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import type { FoodId, NutritionPlanId, UserId } from '../../../src/core/ids.js';
import { FoodRepository } from '../../../src/modules/catalog/food.repository.js';
import type { CreateFoodInput } from '../../../src/modules/catalog/food.schema.js';
import {
  createNutritionModule,
  macroSplitOf,
  type CreatePlanInput,
  type MealInput,
  type NutritionService,
} from '../../../src/modules/nutrition/index.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { useTestNexfit } from '../../support/nexfit.js';
import { oid } from '../support/factories.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

const COACH = oid(2) as UserId;
const OTHER_COACH = oid(3) as UserId;
const CLIENT = oid(1) as UserId;

let nutrition: NutritionService;
let foods: FoodRepository;
const food = {} as Record<'oats' | 'milk' | 'egg' | 'yogurt', FoodId>;

/** A catalogue food with the given nutrients per serving. */
async function aFood(name: string, nutrients: CreateFoodInput['nutrients']): Promise<FoodId> {
  return (await foods.create({ name, category: 'test', nutrients })).id as FoodId;
}

beforeAll(async () => {
  foods = new FoodRepository(t.nexfit.mongo.db, t.deps);
  nutrition = createNutritionModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { foods }).service;
  food.oats = await aFood('Yulaf ezmesi', { servingSize: 40, servingUnit: 'g', calories: 150, protein: 5, carbs: 27, fat: 3 });
  food.milk = await aFood('Süt', { servingSize: 200, servingUnit: 'ml', calories: 122, protein: 6.4, carbs: 9.6, fat: 6.6 });
  food.egg = await aFood('Yumurta', { servingSize: 1, servingUnit: 'piece', calories: 78, protein: 6.3, carbs: 0.6, fat: 5.3 });
  food.yogurt = await aFood('Süzme yoğurt', { servingSize: 1, servingUnit: 'serving', calories: 100, protein: 10, carbs: 4, fat: 5 });
});

const breakfast = (foodsOfMeal: MealInput['foods'] = [
  { foodId: food.oats, quantity: 60, unit: 'g' },
  { foodId: food.milk, quantity: 250, unit: 'ml' },
]): MealInput => ({ name: 'Kahvaltı', time: '08:00', foods: foodsOfMeal });

/** A plan for the client, with targets 2 000 kcal and 150/200/60 g, overridable. */
function aPlan(overrides: Partial<CreatePlanInput> = {}): CreatePlanInput {
  return {
    name: 'Kış planı',
    createdBy: COACH,
    forUserId: CLIENT,
    metadata: { calorieTarget: 2_000, macros: { protein: 150, carbs: 200, fat: 60 }, mealsPerDay: 2 },
    meals: [breakfast(), { name: 'Öğle', time: '13:00', foods: [{ foodId: food.egg, quantity: 2, unit: 'piece' }, { foodId: food.yogurt, quantity: 1.5, unit: 'serving' }] }],
    ...overrides,
  };
}

/** A template: no client, optionally public. */
function aTemplate(overrides: Partial<CreatePlanInput> = {}): CreatePlanInput {
  const { forUserId: _client, ...plan } = aPlan({ isTemplate: true, isPublic: false, ...overrides });
  return plan;
}

const countPlans = () => t.nexfit.mongo.db.collection(MONGO_COLLECTIONS.nutrition_plans.name).countDocuments();

describe('NutritionService', () => {
  describe('food values', () => {
    it('computes each line from the catalogue: g and ml scale by quantity / servingSize, pieces likewise, servings multiply', async () => {
      const plan = await nutrition.createPlan(aPlan());
      expect(plan.meals[0]!.foods).toEqual([
        { foodId: food.oats, quantity: 60, unit: 'g', calories: 225, protein: 7.5, carbs: 40.5, fat: 4.5 },
        { foodId: food.milk, quantity: 250, unit: 'ml', calories: 152.5, protein: 8, carbs: 12, fat: 8.3 },
      ]);
      expect(plan.meals[1]!.foods).toEqual([
        { foodId: food.egg, quantity: 2, unit: 'piece', calories: 156, protein: 12.6, carbs: 1.2, fat: 10.6 },
        { foodId: food.yogurt, quantity: 1.5, unit: 'serving', calories: 150, protein: 15, carbs: 6, fat: 7.5 },
      ]);
      expect(plan.meals[0]!.name).toBe('Kahvaltı');
    });

    it('counts a food measured in grams planned in servings as whole servings', async () => {
      const plan = await nutrition.createPlan(aPlan({ meals: [breakfast([{ foodId: food.oats, quantity: 2, unit: 'serving' }])] }));
      expect(plan.meals[0]!.foods[0]).toMatchObject({ calories: 300, protein: 10, carbs: 54, fat: 6 });
    });

    it('never takes nutrient values from the caller', async () => {
      const before = await countPlans();
      const forged = { foodId: food.oats, quantity: 40, unit: 'g', calories: 1, protein: 100, carbs: 0, fat: 0 } as unknown as MealInput['foods'][number];
      await expect(nutrition.createPlan(aPlan({ meals: [breakfast([forged])] }))).rejects.toBeInstanceOf(ValidationError);
      expect(await countPlans()).toBe(before);
    });

    it('refuses a unit that does not fit the food, naming the line, and writes nothing', async () => {
      const before = await countPlans();
      const error = await nutrition
        .createPlan(aPlan({ meals: [breakfast([{ foodId: food.oats, quantity: 100, unit: 'ml' }, { foodId: food.egg, quantity: 50, unit: 'g' }, { foodId: food.oats, quantity: 1, unit: 'piece' }])] }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path.join('.'))).toEqual(['meals.0.foods.0.unit', 'meals.0.foods.1.unit', 'meals.0.foods.2.unit']);
      expect(await countPlans()).toBe(before);
    });

    it('refuses a food that is not in the catalogue', async () => {
      const error = await nutrition.createPlan(aPlan({ meals: [breakfast([{ foodId: oid(999), quantity: 1, unit: 'serving' }])] })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues[0]?.path).toEqual(['meals', 0, 'foods', 0, 'foodId']);
    });

    it('refuses hostile input', async () => {
      await expect(nutrition.createPlan(aPlan({ createdBy: { $gt: '' } as unknown as string }))).rejects.toBeInstanceOf(ValidationError);
      await expect(nutrition.createPlan(aPlan({ meals: [breakfast([{ foodId: food.oats, quantity: -40, unit: 'g' }])] }))).rejects.toBeInstanceOf(ValidationError);
      await expect(nutrition.createPlan(aPlan({ meals: [breakfast([{ foodId: food.oats, quantity: 40, unit: 'kg' as 'g' }])] }))).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('totals against targets', () => {
    it('sums every meal and the day, and compares them with the targets and their macro split', async () => {
      const plan = await nutrition.createPlan(aPlan());
      const summary = await nutrition.summarizePlan(plan.id as NutritionPlanId);
      expect(summary.meals).toEqual([
        { name: 'Kahvaltı', time: '08:00', totals: { calories: 377.5, protein: 15.5, carbs: 52.5, fat: 12.8 } },
        { name: 'Öğle', time: '13:00', totals: { calories: 306, protein: 27.6, carbs: 7.2, fat: 18.1 } },
      ]);
      expect(summary.actual).toEqual({ calories: 683.5, protein: 43.1, carbs: 59.7, fat: 30.9 });
      expect(summary.target).toEqual({ calories: 2_000, protein: 150, carbs: 200, fat: 60 });
      expect(summary.difference).toEqual({ calories: -1316.5, protein: -106.9, carbs: -140.3, fat: -29.1 });
      expect(summary.calorieTargetReached).toBe(34.2);
      // Target: 600 + 800 + 540 = 1 940 kcal from macros.
      expect(summary.macroSplit.target).toEqual({ protein: 30.9, carbs: 41.2, fat: 27.8 });
      // Actual: 172.4 + 238.8 + 278.1 = 689.3 kcal from macros.
      expect(summary.macroSplit.actual).toEqual({ protein: 25, carbs: 34.6, fat: 40.3 });
    });

    it('summarises a plan without meals as zeros, with no actual split', async () => {
      const plan = await nutrition.createPlan(aPlan({ meals: [] }));
      const summary = await nutrition.summarizePlan(plan.id as NutritionPlanId);
      expect(summary.actual).toEqual({ calories: 0, protein: 0, carbs: 0, fat: 0 });
      expect(summary.macroSplit.actual).toBeNull();
      expect(summary.meals).toEqual([]);
    });

    it('splits macros at 4/4/9 kcal per gram', () => {
      expect(macroSplitOf({ protein: 25, carbs: 25, fat: 0 })).toEqual({ protein: 50, carbs: 50, fat: 0 });
      expect(macroSplitOf({ protein: 0, carbs: 9, fat: 4 })).toEqual({ protein: 0, carbs: 50, fat: 50 });
      expect(macroSplitOf({ protein: 0, carbs: 0, fat: 0 })).toBeNull();
    });
  });

  describe('updates', () => {
    it('recomputes changed meals and refuses a stale version', async () => {
      const plan = await nutrition.createPlan(aPlan());
      const updated = await nutrition.updatePlan(plan.id as NutritionPlanId, { meals: [breakfast([{ foodId: food.oats, quantity: 80, unit: 'g' }])] }, { expectedVersion: plan.version });
      expect(updated.meals).toEqual([{ name: 'Kahvaltı', time: '08:00', foods: [{ foodId: food.oats, quantity: 80, unit: 'g', calories: 300, protein: 10, carbs: 54, fat: 6 }] }]);
      await expect(nutrition.updatePlan(plan.id as NutritionPlanId, { name: 'Yaz planı' }, { expectedVersion: plan.version })).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(nutrition.updatePlan(plan.id as NutritionPlanId, { createdBy: OTHER_COACH } as never)).rejects.toBeInstanceOf(ValidationError);
    });

    it('recalculates a plan after a catalogue correction', async () => {
      const granola = await aFood('Granola', { servingSize: 50, servingUnit: 'g', calories: 200, protein: 5, carbs: 30, fat: 7 });
      const plan = await nutrition.createPlan(aPlan({ meals: [breakfast([{ foodId: granola, quantity: 100, unit: 'g' }])] }));
      await foods.patch(granola, { nutrients: { servingSize: 50, servingUnit: 'g', calories: 220, protein: 5, carbs: 30, fat: 9 } });
      const recalculated = await nutrition.recalculatePlan(plan.id as NutritionPlanId);
      expect(recalculated.meals[0]!.foods[0]).toMatchObject({ calories: 440, fat: 18 });
    });
  });

  describe('copyTemplateToClient', () => {
    it('copies a template to a client as a private plan with values recomputed from the catalogue', async () => {
      const tofu = await aFood('Tofu', { servingSize: 100, servingUnit: 'g', calories: 76, protein: 8, carbs: 1.9, fat: 4.8 });
      const template = await nutrition.createPlan(aTemplate({ pricing: { price: 249_90 }, meals: [breakfast([{ foodId: tofu, quantity: 150, unit: 'g' }])] }));
      await foods.patch(tofu, { nutrients: { servingSize: 100, servingUnit: 'g', calories: 80, protein: 8, carbs: 2, fat: 5 } });
      const copy = await nutrition.copyTemplateToClient(template.id as NutritionPlanId, CLIENT);
      expect(copy).toMatchObject({ createdBy: COACH, forUserId: CLIENT, isTemplate: false, isPublic: false, name: template.name, metadata: template.metadata });
      expect(copy).not.toHaveProperty('pricing');
      expect(copy.id).not.toBe(template.id);
      expect(copy.meals[0]!.foods[0]).toEqual({ foodId: tofu, quantity: 150, unit: 'g', calories: 120, protein: 12, carbs: 3, fat: 7.5 });
      expect(await nutrition.getPlan(template.id as NutritionPlanId)).toEqual(template);
      expect((await nutrition.listForClient(CLIENT)).items.map((p) => p.id)).toContain(copy.id);
    });

    it('lets another coach copy a public template as its author, but not a private one', async () => {
      const open = await nutrition.createPlan(aTemplate({ isPublic: true }));
      const copy = await nutrition.copyTemplateToClient(open.id as NutritionPlanId, CLIENT, { createdBy: OTHER_COACH, name: 'Elif için' });
      expect(copy).toMatchObject({ createdBy: OTHER_COACH, name: 'Elif için' });
      const closed = await nutrition.createPlan(aTemplate());
      await expect(nutrition.copyTemplateToClient(closed.id as NutritionPlanId, CLIENT, { createdBy: OTHER_COACH })).rejects.toBeInstanceOf(ForbiddenError);
    });

    it('refuses to copy a plan that is not a template, or one that does not exist', async () => {
      const personal = await nutrition.createPlan(aPlan());
      const before = await countPlans();
      await expect(nutrition.copyTemplateToClient(personal.id as NutritionPlanId, CLIENT)).rejects.toSatisfy((e) => e instanceof ConflictError && e.reason === 'not_a_template');
      await expect(nutrition.copyTemplateToClient(oid(998) as NutritionPlanId, CLIENT)).rejects.toBeInstanceOf(NotFoundError);
      await expect(nutrition.copyTemplateToClient(personal.id as NutritionPlanId, 'nobody' as UserId)).rejects.toBeInstanceOf(ValidationError);
      expect(await countPlans()).toBe(before);
    });
  });
});

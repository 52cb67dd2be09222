import { z } from 'zod';
import { currencyCodeSchema } from '../../core/money.js';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { SERVING_UNITS } from '../../core/fitness-vocabulary.js';
import { idSchema } from '../../core/ids.js';
import {
  boundedArray,
  currencyWithDefaultSchema,
  labelListSchema,
  longTextSchema,
  moneyAmountSchema,
  nameSchema,
  quantitySchema,
  timeOfDaySchema,
} from '../../core/schema-primitives.js';

/**
 * Nutrition plans (seed: `nutrition_plans`): meals at `HH:mm` times with foods from the
 * catalogue. Energy in kcal, macros in grams; a food line carries the nutrients of its
 * quantity so per-meal and per-day totals need no catalogue look-up.
 *
 * @example
 * ```ts
 * createNutritionPlanInputSchema.parse({ name: 'Cut', createdBy, metadata: { calorieTarget: 2000, macros: { protein: 150, carbs: 200, fat: 60 }, mealsPerDay: 3 }, meals: [] })
 * ```
 */
const grams = quantitySchema.max(10_000).describe('Grams');
const kcal = quantitySchema.max(100_000).describe('kcal');

export const macrosSchema = z.strictObject({ protein: grams, carbs: grams, fat: grams });

export const nutritionPlanMetadataSchema = z.strictObject({
  calorieTarget: kcal,
  macros: macrosSchema,
  mealsPerDay: z.number().int().min(1).max(12),
  tags: labelListSchema.default([]),
});

export const plannedFoodSchema = z.strictObject({
  foodId: idSchema('FoodId'),
  quantity: z.number().gt(0).max(100_000),
  unit: z.enum(SERVING_UNITS),
  calories: kcal,
  protein: grams,
  carbs: grams,
  fat: grams,
});

export const mealSchema = z.strictObject({
  name: nameSchema,
  time: timeOfDaySchema.describe('Wall-clock time of the meal, HH:mm'),
  foods: boundedArray(plannedFoodSchema, 100),
  notes: longTextSchema.optional(),
});

export const nutritionPricingSchema = z.strictObject({
  price: moneyAmountSchema('Price'),
  currency: currencyCodeSchema,
});

const nutritionPlanFields = {
  name: nameSchema,
  description: longTextSchema.optional(),
  createdBy: idSchema('UserId'),
  /** The client the plan was written for; absent for templates. */
  forUserId: idSchema('UserId').optional(),
  isTemplate: z.boolean(),
  isPublic: z.boolean(),
  metadata: nutritionPlanMetadataSchema,
  meals: boundedArray(mealSchema, 24),
  pricing: nutritionPricingSchema.optional(),
};

export const nutritionPlanSchema = z.strictObject({ ...entityFields('NutritionPlanId'), ...nutritionPlanFields });
export const storedNutritionPlanSchema = nutritionPlanSchema;

export const createNutritionPlanInputSchema = z.strictObject({
  ...nutritionPlanFields,
  isTemplate: nutritionPlanFields.isTemplate.default(false),
  isPublic: nutritionPlanFields.isPublic.default(false),
  meals: nutritionPlanFields.meals.default([]),
  pricing: z.strictObject({ price: moneyAmountSchema('Price'), currency: currencyWithDefaultSchema }).optional(),
});

/** The author never changes; `forUserId` may be (re)assigned. */
export const patchNutritionPlanInputSchema = patchSchemaOf(
  pickFields(nutritionPlanFields, ['name', 'description', 'forUserId', 'isTemplate', 'isPublic', 'metadata', 'meals', 'pricing']),
);

export type Meal = z.output<typeof mealSchema>;
export type PlannedFood = z.output<typeof plannedFoodSchema>;
export type NutritionPlan = z.output<typeof nutritionPlanSchema>;
export type StoredNutritionPlan = NutritionPlan;
export type CreateNutritionPlanInput = z.input<typeof createNutritionPlanInputSchema>;
export type CreateNutritionPlanData = z.output<typeof createNutritionPlanInputSchema>;
export type PatchNutritionPlanInput = z.input<typeof patchNutritionPlanInputSchema>;
export type PatchNutritionPlanData = z.output<typeof patchNutritionPlanInputSchema>;

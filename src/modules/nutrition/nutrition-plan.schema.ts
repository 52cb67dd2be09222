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

/** Daily macro targets in grams: protein, carbohydrates and fat. */
export const macrosSchema = z.strictObject({ protein: grams, carbs: grams, fat: grams });

/** A plan's targets: daily calories, macros and meals per day. */
export const nutritionPlanMetadataSchema = z.strictObject({
  calorieTarget: kcal,
  macros: macrosSchema,
  mealsPerDay: z.number().int().min(1).max(12),
  tags: labelListSchema.default([]),
});

/** One food of a meal: the catalogue food, the quantity and its unit. */
export const plannedFoodSchema = z.strictObject({
  foodId: idSchema('FoodId'),
  quantity: z.number().gt(0).max(100_000),
  unit: z.enum(SERVING_UNITS),
  calories: kcal,
  protein: grams,
  carbs: grams,
  fat: grams,
});

/** One meal of a plan: its name, time and foods. */
export const mealSchema = z.strictObject({
  name: nameSchema,
  time: timeOfDaySchema.describe('Wall-clock time of the meal, HH:mm'),
  foods: boundedArray(plannedFoodSchema, 100),
  notes: longTextSchema.optional(),
});

/** The price of a nutrition plan a coach sells. */
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

/** A nutrition plan as the SDK returns it; its TypeScript type is inferred from this schema. */
export const nutritionPlanSchema = z.strictObject({ ...entityFields('NutritionPlanId'), ...nutritionPlanFields });
/** A stored `nutrition_plans` document: the nutrition plan with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedNutritionPlanSchema = nutritionPlanSchema;

/** Validates the input that creates a nutrition plan; fills its defaults. */
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

/** One meal of a nutrition plan. */
export type Meal = z.output<typeof mealSchema>;
/** One food of a meal, with its quantity. */
export type PlannedFood = z.output<typeof plannedFoodSchema>;
/** A nutrition plan as the SDK returns it. */
export type NutritionPlan = z.output<typeof nutritionPlanSchema>;
/** A stored `nutrition_plans` document (see `storedNutritionPlanSchema`). */
export type StoredNutritionPlan = NutritionPlan;
/** What a caller passes to create a nutrition plan (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateNutritionPlanInput = z.input<typeof createNutritionPlanInputSchema>;
/** A parsed create input of a nutrition plan: normalised, branded ids, defaults filled. */
export type CreateNutritionPlanData = z.output<typeof createNutritionPlanInputSchema>;
/** What a caller passes to update a nutrition plan: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchNutritionPlanInput = z.input<typeof patchNutritionPlanInputSchema>;
/** A parsed update of a nutrition plan. */
export type PatchNutritionPlanData = z.output<typeof patchNutritionPlanInputSchema>;

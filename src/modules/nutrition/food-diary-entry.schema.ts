import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { instantSchema, labelSchema, nameSchema, quantitySchema } from '../../core/schema-primitives.js';

/**
 * The food diary (`food_diary_entries`): what a member ate, when, in which meal and how
 * much, with the nutrients of that amount computed from the catalogue when the entry was
 * written (so a later correction of the food does not rewrite history) and the plan it was
 * eaten against.
 *
 * @example
 * ```ts
 * createFoodDiaryEntryInputSchema.parse({ userId, eatenAt: '2026-03-02T07:30:00Z', meal: 'breakfast', foodId, foodName: 'Yulaf', amount: 60, unit: 'g', nutrients: { calories: 225, protein: 7.5, carbs: 40.5, fat: 4.5 } })
 * ```
 */
const grams = quantitySchema.max(100_000).describe('Grams');

/** The meals a diary entry can name without a plan; with a plan, its meal names are accepted too. */
export const DIARY_MEALS = ['breakfast', 'lunch', 'dinner', 'snack'] as const;

/**
 * The units a diary amount is written in: grams or millilitres of a food measured in that
 * unit, servings of the food, or household portions of it (`portion` names which one).
 */
export const DIARY_UNITS = ['g', 'ml', 'serving', 'portion'] as const;
/** A unit of a diary amount. */
export type DiaryUnit = (typeof DIARY_UNITS)[number];

/** The nutrients of an entry's amount: kcal, grams, sodium in milligrams. */
export const diaryNutrientsSchema = z.strictObject({
  calories: quantitySchema.max(1_000_000).describe('kcal'),
  protein: grams,
  carbs: grams,
  fat: grams,
  fiber: grams.optional(),
  sugar: grams.optional(),
  saturatedFat: grams.optional(),
  sodium: quantitySchema.max(10_000_000).describe('Milligrams').optional(),
});

const foodDiaryEntryFields = {
  userId: idSchema('UserId'),
  eatenAt: instantSchema,
  /** `breakfast`, `lunch`, `dinner`, `snack`, or a meal name of the entry's plan. */
  meal: labelSchema.optional(),
  foodId: idSchema('FoodId'),
  /** The food's name when the entry was written, so the diary reads without the catalogue. */
  foodName: nameSchema,
  amount: z.number().gt(0).max(100_000),
  unit: z.enum(DIARY_UNITS),
  /** The household portion of the food, when `unit` is `portion`. */
  portion: labelSchema.optional(),
  nutrients: diaryNutrientsSchema,
  planId: idSchema('NutritionPlanId').optional(),
};

/** A food diary entry as the SDK returns it. */
export const foodDiaryEntrySchema = z.strictObject({ ...entityFields('FoodDiaryEntryId'), ...foodDiaryEntryFields });
/** A stored `food_diary_entries` document; the collection's `$jsonSchema` validator is generated from it. */
export const storedFoodDiaryEntrySchema = foodDiaryEntrySchema;

/** Validates the stored form of a new entry (nutrients already computed: the diary service computes them). */
export const createFoodDiaryEntryInputSchema = z.strictObject(foodDiaryEntryFields);

/** Validates a partial update of an entry's stored form; the member and the food never change. */
export const patchFoodDiaryEntryInputSchema = patchSchemaOf(pickFields(foodDiaryEntryFields, ['eatenAt', 'meal', 'amount', 'unit', 'portion', 'nutrients', 'planId']));

/** The nutrients of a diary entry's amount. */
export type DiaryNutrients = z.output<typeof diaryNutrientsSchema>;
/** A food diary entry as the SDK returns it. */
export type FoodDiaryEntry = z.output<typeof foodDiaryEntrySchema>;
/** A stored `food_diary_entries` document. */
export type StoredFoodDiaryEntry = FoodDiaryEntry;
/** The stored form of a new entry, as the repository takes it. */
export type CreateFoodDiaryEntryInput = z.input<typeof createFoodDiaryEntryInputSchema>;
/** A parsed new entry. */
export type CreateFoodDiaryEntryData = z.output<typeof createFoodDiaryEntryInputSchema>;
/** A partial update of an entry's stored form. */
export type PatchFoodDiaryEntryInput = z.input<typeof patchFoodDiaryEntryInputSchema>;
/** A parsed partial update of an entry. */
export type PatchFoodDiaryEntryData = z.output<typeof patchFoodDiaryEntryInputSchema>;

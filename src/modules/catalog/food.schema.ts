import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { SERVING_UNITS } from '../../core/fitness-vocabulary.js';
import { idSchema } from '../../core/ids.js';
import { foldSearchText } from '../../core/search-text.js';
import { labelListSchema, labelSchema, longTextSchema, nameSchema, optionalText, quantitySchema, uniqueArray, urlSchema } from '../../core/schema-primitives.js';
import { foodBarcodeSchema } from './food-barcode.js';
import { foodNutrientIssues } from './food-nutrient-checks.js';

/**
 * The food catalogue (seed: `foods`): nutrients per serving. Macros in grams, sodium in
 * milligrams, energy in kcal. The stored document adds the folded `searchName`. Format
 * version 2 added the package data (`barcode`, `brand`, `dietFlags`, `nutriScore`), the
 * household `portions` and `nutrients.saturatedFat`; version 1 documents are read as
 * version 2 (see `FOOD_DOCUMENT_MIGRATIONS`).
 *
 * @example
 * ```ts
 * createFoodInputSchema.parse({ name: 'Yulaf ezmesi', category: 'grains', nutrients: { servingSize: 40, servingUnit: 'g', calories: 150, protein: 5, carbs: 27, fat: 3 } })
 * ```
 */
const grams = quantitySchema.max(10_000).describe('Grams per serving');

/** The serving of a food and its nutrients per serving: calories, protein, carbohydrates, fat, saturated fat, fibre, sugar, sodium. */
export const foodNutrientsSchema = z.strictObject({
  servingSize: z.number().gt(0).max(10_000),
  servingUnit: z.enum(SERVING_UNITS),
  calories: quantitySchema.max(10_000).describe('kcal per serving'),
  protein: grams,
  carbs: grams,
  fat: grams,
  fiber: grams.optional(),
  sugar: grams.optional(),
  saturatedFat: grams.optional(),
  sodium: quantitySchema.max(100_000).describe('Milligrams per serving').optional(),
});

/**
 * The nutrients of a food as a caller writes them: {@link foodNutrientsSchema} plus the
 * consistency checks of `foodNutrientIssues` (saturated fat within fat, sugars within
 * carbohydrates, nothing above 100 g per 100 g, energy roughly that of the macros). Stored
 * foods are read without them, so a food written before the checks stays readable.
 */
export const checkedFoodNutrientsSchema = foodNutrientsSchema.superRefine((nutrients, ctx) => {
  for (const issue of foodNutrientIssues(nutrients)) ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
});

/** Diet labels a food can carry (Open Food Facts' `en:vegan`, `en:vegetarian`, `en:gluten-free`… labels). */
export const DIET_FLAGS = ['vegan', 'vegetarian', 'gluten_free', 'lactose_free', 'halal', 'kosher', 'organic', 'palm_oil_free'] as const;
/** A diet label of a food. */
export type DietFlag = (typeof DIET_FLAGS)[number];

/** Nutri-Score grades, best (`a`) to worst (`e`). */
export const NUTRI_SCORE_GRADES = ['a', 'b', 'c', 'd', 'e'] as const;
/** A Nutri-Score grade. */
export type NutriScoreGrade = (typeof NUTRI_SCORE_GRADES)[number];

/** A household portion of a food: a name ("1 slice", "1 cup") and what it weighs in grams. */
export const foodPortionSchema = z.strictObject({
  name: labelSchema,
  grams: z.number().gt(0).max(10_000).describe('Grams in one such portion'),
});

const foodFields = {
  name: nameSchema,
  description: longTextSchema.optional(),
  image: urlSchema.optional(),
  category: labelSchema,
  nutrients: foodNutrientsSchema,
  /** EAN-8, UPC-A or EAN-13 of the package, check digit validated; unique in the catalogue. */
  barcode: foodBarcodeSchema.optional(),
  brand: nameSchema.optional(),
  dietFlags: uniqueArray(z.enum(DIET_FLAGS), DIET_FLAGS.length),
  nutriScore: z.enum(NUTRI_SCORE_GRADES).optional(),
  /** Household portions ("1 slice" = 30 g); a diary entry may be written in one of them. */
  portions: uniqueArray(foodPortionSchema, 20, (portion) => portion.name),
  isVerified: z.boolean(),
  /** Where the values come from (a national food table, a label, a user; `off:<barcode>` for Open Food Facts). */
  source: labelSchema.optional(),
  createdBy: idSchema('UserId').optional(),
  tags: labelListSchema,
};

/** A food as the SDK returns it; its TypeScript type is inferred from this schema. */
export const foodSchema = z.strictObject({ ...entityFields('FoodId'), ...foodFields });

/** The stored-only fields of a food document, derived from the entity by the repository. */
export const foodDocumentFields = {
  searchName: optionalText(200).describe('foldSearchText(name), kept in step by the repository'),
};
/** A stored `foods` document: the food with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedFoodSchema = z.strictObject({ ...entityFields('FoodId'), ...foodFields, ...foodDocumentFields });

/** Validates the input that creates a food; fills its defaults. */
export const createFoodInputSchema = z.strictObject({
  ...foodFields,
  nutrients: checkedFoodNutrientsSchema,
  dietFlags: foodFields.dietFlags.default([]),
  portions: foodFields.portions.default([]),
  isVerified: foodFields.isVerified.default(false),
  tags: foodFields.tags.default([]),
});

/** Validates a partial update of a food: every field optional, `null` clears an optional one. */
export const patchFoodInputSchema = patchSchemaOf({
  ...pickFields(foodFields, ['name', 'description', 'image', 'category', 'barcode', 'brand', 'dietFlags', 'nutriScore', 'portions', 'isVerified', 'source', 'tags']),
  nutrients: checkedFoodNutrientsSchema,
});

/** A household portion of a food. */
export type FoodPortion = z.output<typeof foodPortionSchema>;
/** The nutrients of one serving of a food. */
export type FoodNutrients = z.output<typeof foodNutrientsSchema>;
/** A food as the SDK returns it. */
export type Food = z.output<typeof foodSchema>;
/** A stored `foods` document (see `storedFoodSchema`). */
export type StoredFood = z.output<typeof storedFoodSchema>;
/** What a caller passes to create a food (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateFoodInput = z.input<typeof createFoodInputSchema>;
/** A parsed create input of a food: normalised, branded ids, defaults filled. */
export type CreateFoodData = z.output<typeof createFoodInputSchema>;
/** What a caller passes to update a food: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchFoodInput = z.input<typeof patchFoodInputSchema>;
/** A parsed update of a food. */
export type PatchFoodData = z.output<typeof patchFoodInputSchema>;

/** The stored-only fields of a food (merged over its encoded document). */
export function foodDerivedFields(food: Pick<Food, 'name'>): { searchName: string } {
  return { searchName: foldSearchText(food.name) };
}

/** The stored document of a food: the entity plus its derived `searchName`. */
export function foodToStored(food: Food): StoredFood {
  return { ...food, ...foodDerivedFields(food) };
}

/** The food entity of a stored document (derived fields dropped). */
export function foodFromStored(stored: StoredFood): Food {
  const { searchName: _derived, ...food } = stored;
  return food;
}

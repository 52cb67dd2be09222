import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { SERVING_UNITS } from '../../core/fitness-vocabulary.js';
import { idSchema } from '../../core/ids.js';
import { foldSearchText } from '../../core/search-text.js';
import { labelListSchema, labelSchema, longTextSchema, nameSchema, optionalText, quantitySchema, urlSchema } from '../../core/schema-primitives.js';

/**
 * The food catalogue (seed: `foods`): nutrients per serving. Macros in grams, sodium in
 * milligrams, energy in kcal. The stored document adds the folded `searchName`.
 *
 * @example
 * ```ts
 * createFoodInputSchema.parse({ name: 'Yulaf ezmesi', category: 'grains', nutrients: { servingSize: 40, servingUnit: 'g', calories: 150, protein: 5, carbs: 27, fat: 3 } })
 * ```
 */
const grams = quantitySchema.max(10_000).describe('Grams per serving');

/** The serving of a food and its nutrients per serving: calories, protein, carbohydrates, fat, fibre, sugar. */
export const foodNutrientsSchema = z.strictObject({
  servingSize: z.number().gt(0).max(10_000),
  servingUnit: z.enum(SERVING_UNITS),
  calories: quantitySchema.max(10_000).describe('kcal per serving'),
  protein: grams,
  carbs: grams,
  fat: grams,
  fiber: grams.optional(),
  sugar: grams.optional(),
  sodium: quantitySchema.max(100_000).describe('Milligrams per serving').optional(),
});

const foodFields = {
  name: nameSchema,
  description: longTextSchema.optional(),
  image: urlSchema.optional(),
  category: labelSchema,
  nutrients: foodNutrientsSchema,
  isVerified: z.boolean(),
  /** Where the values come from (a national food table, a label, a user). */
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
  isVerified: foodFields.isVerified.default(false),
  tags: foodFields.tags.default([]),
});

/** Validates a partial update of a food: every field optional, `null` clears an optional one. */
export const patchFoodInputSchema = patchSchemaOf(
  pickFields(foodFields, ['name', 'description', 'image', 'category', 'nutrients', 'isVerified', 'source', 'tags']),
);

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

import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { requiredText } from '../../core/schema-primitives.js';

const categoryFields = {
  userId: idSchema('UserId'),
  /** What is measured, as the user names it ("Blood pressure", "Neck"): unique per user, ignoring case. */
  name: requiredText(50),
  /** The unit the values are in, free text ("cm", "mmHg", "%"). */
  unit: requiredText(16),
};

/**
 * A measurement category a user defined for themself (wger's user-defined measurements):
 * readings then carry values of it (`custom`), in its unit.
 *
 * @example
 * ```ts
 * createMeasurementCategoryInputSchema.parse({ userId, name: 'Neck', unit: 'cm' })
 * ```
 */
export const measurementCategorySchema = z.strictObject({ ...entityFields('MeasurementCategoryId'), ...categoryFields });

/**
 * A stored `measurement_categories` document: the category with `nameKey`, its name folded
 * for comparison ({@link measurementCategoryNameKey}), which carries the unique index.
 */
export const storedMeasurementCategorySchema = z.strictObject({
  ...entityFields('MeasurementCategoryId'),
  ...categoryFields,
  nameKey: z.string().min(1).max(200),
});

/** Validates the input that creates a measurement category. */
export const createMeasurementCategoryInputSchema = z.strictObject(categoryFields);

/** The owner (`userId`) never changes. */
export const patchMeasurementCategoryInputSchema = patchSchemaOf(pickFields(categoryFields, ['name', 'unit']));

/**
 * The key two category names are compared by: Unicode compatibility-normalised (NFKC) and
 * lower-cased, so "Neck", "NECK" and "neck" are the same name.
 *
 * @example
 * ```ts
 * measurementCategoryNameKey('Neck') === measurementCategoryNameKey('NECK') // true
 * ```
 */
export function measurementCategoryNameKey(name: string): string {
  return name.trim().normalize('NFKC').toLowerCase();
}

/** The stored-only fields of a category. */
export function measurementCategoryDerivedFields(category: Pick<MeasurementCategory, 'name'>): { nameKey: string } {
  return { nameKey: measurementCategoryNameKey(category.name) };
}

/** A user-defined measurement category as the SDK returns it. */
export type MeasurementCategory = z.output<typeof measurementCategorySchema>;
/** A stored `measurement_categories` document (see `storedMeasurementCategorySchema`). */
export type StoredMeasurementCategory = z.output<typeof storedMeasurementCategorySchema>;
/** What a caller passes to create a measurement category. */
export type CreateMeasurementCategoryInput = z.input<typeof createMeasurementCategoryInputSchema>;
/** A parsed create input of a measurement category. */
export type CreateMeasurementCategoryData = z.output<typeof createMeasurementCategoryInputSchema>;
/** What a caller passes to update a measurement category: its name, its unit, or both. */
export type PatchMeasurementCategoryInput = z.input<typeof patchMeasurementCategoryInputSchema>;
/** A parsed update of a measurement category. */
export type PatchMeasurementCategoryData = z.output<typeof patchMeasurementCategoryInputSchema>;

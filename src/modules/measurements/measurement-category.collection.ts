import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { measurementCategoryDerivedFields, storedMeasurementCategorySchema } from './measurement-category.schema.js';

/**
 * The `measurement_categories` collection: the measurement categories users define for
 * themselves, one name per user ignoring case (the unique `userId + nameKey` index, which
 * also lists a user's categories).
 *
 * @example
 * ```ts
 * MEASUREMENT_CATEGORIES_COLLECTION.indexes.map((index) => index.name) // ['userId_nameKey_unique']
 * ```
 */
export const MEASUREMENT_CATEGORIES_COLLECTION = {
  name: 'measurement_categories',
  storedSchema: storedMeasurementCategorySchema,
  schemaVersion: 1,
  derive: measurementCategoryDerivedFields,
  hiddenFields: ['nameKey'],
  indexes: [{ key: { userId: 1, nameKey: 1 }, name: 'userId_nameKey_unique', unique: true }],
} as const satisfies MongoCollectionDefinition;

import { ascendingIndex as asc, type MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { foodDerivedFields, storedFoodSchema } from './food.schema.js';

/**
 * The `foods` collection: the food catalogue, searchable by name.
 *
 * @example
 * ```ts
 * FOODS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const FOODS_COLLECTION = {
  name: 'foods',
  storedSchema: storedFoodSchema,
  schemaVersion: 1,
  derive: foodDerivedFields,
  hiddenFields: ['searchName'],
  indexes: [asc('searchName'), asc('category'), asc('tags')],
} as const satisfies MongoCollectionDefinition;

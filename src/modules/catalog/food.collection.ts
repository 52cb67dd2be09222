import { ascendingIndex as asc, type MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { foodDerivedFields, storedFoodSchema } from './food.schema.js';

/**
 * The `foods` collection: the food catalogue, searchable by name, found by barcode (unique
 * among the foods that have one) and by diet flag.
 *
 * @example
 * ```ts
 * FOODS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const FOODS_COLLECTION = {
  name: 'foods',
  storedSchema: storedFoodSchema,
  schemaVersion: 2,
  derive: foodDerivedFields,
  hiddenFields: ['searchName'],
  indexes: [
    asc('searchName'),
    asc('category'),
    asc('tags'),
    { key: { barcode: 1 }, name: 'barcode_unique', unique: true, partialFilterExpression: { barcode: { $exists: true } } },
    asc('dietFlags'),
  ],
} as const satisfies MongoCollectionDefinition;

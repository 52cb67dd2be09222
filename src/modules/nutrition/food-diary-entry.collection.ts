import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedFoodDiaryEntrySchema } from './food-diary-entry.schema.js';

/**
 * The `food_diary_entries` collection: what members ate, read by member and time (a day's
 * entries, a member's whole diary for export and erasure).
 *
 * @example
 * ```ts
 * FOOD_DIARY_ENTRIES_COLLECTION.indexes.map((index) => index.name) // ['userId_eatenAt']
 * ```
 */
export const FOOD_DIARY_ENTRIES_COLLECTION = {
  name: 'food_diary_entries',
  storedSchema: storedFoodDiaryEntrySchema,
  schemaVersion: 1,
  indexes: [{ key: { userId: 1, eatenAt: 1 }, name: 'userId_eatenAt' }],
} as const satisfies MongoCollectionDefinition;

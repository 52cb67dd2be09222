import { ascendingIndex as asc, type MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedNutritionPlanSchema } from './nutrition-plan.schema.js';

/**
 * The `nutrition_plans` collection: plans written by a coach for a client or by a user for themself.
 *
 * @example
 * ```ts
 * NUTRITION_PLANS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const NUTRITION_PLANS_COLLECTION = {
  name: 'nutrition_plans',
  storedSchema: storedNutritionPlanSchema,
  schemaVersion: 1,
  indexes: [asc('createdBy'), asc('forUserId')],
} as const satisfies MongoCollectionDefinition;

import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedMembershipSchema } from './membership.schema.js';

/**
 * The `memberships` collection: a facility's membership plans.
 *
 * @example
 * ```ts
 * MEMBERSHIPS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const MEMBERSHIPS_COLLECTION = {
  name: 'memberships',
  storedSchema: storedMembershipSchema,
  schemaVersion: 1,
  indexes: [{ key: { facilityId: 1, isActive: 1 }, name: 'facilityId_isActive' }],
} as const satisfies MongoCollectionDefinition;

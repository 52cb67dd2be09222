import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedWaiverSchema, storedWaiverSignatureSchema } from './waiver.schema.js';

/**
 * The `waivers` collection: one document per published version of a facility's waiver; the
 * unique index makes two versions with one number impossible, and serves "the newest version".
 *
 * @example
 * ```ts
 * WAIVERS_COLLECTION.indexes.map((index) => index.name) // ['facilityId_waiverVersion_unique']
 * ```
 */
export const WAIVERS_COLLECTION = {
  name: 'waivers',
  storedSchema: storedWaiverSchema,
  schemaVersion: 1,
  indexes: [{ key: { facilityId: 1, waiverVersion: 1 }, name: 'facilityId_waiverVersion_unique', unique: true }],
} as const satisfies MongoCollectionDefinition;

/**
 * The `waiver_signatures` collection: one signature per user and waiver version (unique), and
 * a member's newest signature at a facility in one indexed read.
 *
 * @example
 * ```ts
 * WAIVER_SIGNATURES_COLLECTION.name // 'waiver_signatures'
 * ```
 */
export const WAIVER_SIGNATURES_COLLECTION = {
  name: 'waiver_signatures',
  storedSchema: storedWaiverSignatureSchema,
  schemaVersion: 1,
  indexes: [
    { key: { userId: 1, waiverId: 1 }, name: 'userId_waiverId_unique', unique: true },
    { key: { userId: 1, facilityId: 1, waiverVersion: -1 }, name: 'userId_facilityId_waiverVersion' },
  ],
} as const satisfies MongoCollectionDefinition;

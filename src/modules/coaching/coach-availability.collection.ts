import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedCoachAvailabilitySchema } from './coach-availability.schema.js';

/**
 * The `coach_availabilities` collection: a coach's weekly windows and exceptions, one
 * document per coach and facility (the unique `coachId + facilityId` index, which also lists
 * a coach's availabilities).
 *
 * @example
 * ```ts
 * COACH_AVAILABILITIES_COLLECTION.indexes.map((index) => index.name) // ['coachId_facilityId_unique']
 * ```
 */
export const COACH_AVAILABILITIES_COLLECTION = {
  name: 'coach_availabilities',
  storedSchema: storedCoachAvailabilitySchema,
  schemaVersion: 1,
  indexes: [{ key: { coachId: 1, facilityId: 1 }, name: 'coachId_facilityId_unique', unique: true }],
} as const satisfies MongoCollectionDefinition;

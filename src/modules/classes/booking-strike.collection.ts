import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedBookingStrikeSchema, storedBookingSuspensionSchema } from './booking-strike.schema.js';

/**
 * The `booking_strikes` collection: one strike per booking and kind (the unique index decides
 * under concurrency), listed per member and facility.
 *
 * @example
 * ```ts
 * BOOKING_STRIKES_COLLECTION.indexes.map((index) => index.name) // ['bookingId_kind_unique', 'userId_facilityId_at']
 * ```
 */
export const BOOKING_STRIKES_COLLECTION = {
  name: 'booking_strikes',
  storedSchema: storedBookingStrikeSchema,
  schemaVersion: 1,
  indexes: [
    { key: { bookingId: 1, kind: 1 }, name: 'bookingId_kind_unique', unique: true },
    { key: { userId: 1, facilityId: 1, at: 1 }, name: 'userId_facilityId_at' },
  ],
} as const satisfies MongoCollectionDefinition;

/**
 * The `booking_suspensions` collection: members' booking suspensions, newest first per member
 * and facility.
 *
 * @example
 * ```ts
 * BOOKING_SUSPENSIONS_COLLECTION.name // 'booking_suspensions'
 * ```
 */
export const BOOKING_SUSPENSIONS_COLLECTION = {
  name: 'booking_suspensions',
  storedSchema: storedBookingSuspensionSchema,
  schemaVersion: 1,
  indexes: [{ key: { userId: 1, facilityId: 1, from: -1 }, name: 'userId_facilityId_from' }],
} as const satisfies MongoCollectionDefinition;

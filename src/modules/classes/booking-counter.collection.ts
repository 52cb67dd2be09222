import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';

/**
 * The `class_booking_counters` collection: seats taken per class occurrence and bookings per member-week.
 *
 * @example
 * ```ts
 * CLASS_BOOKING_COUNTERS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const CLASS_BOOKING_COUNTERS_COLLECTION = {
  name: 'class_booking_counters',
  schemaVersion: 1,
  // Seats taken per class occurrence and bookings per member-week, keyed by `_id`: claimed and
  // released with conditional $inc so capacity and weekly limits hold under concurrency.
  // Housekeeping removes the counters of past occurrences (found by `updatedAt`).
  indexes: [{ key: { updatedAt: 1 }, name: 'updatedAt' }],
} as const satisfies MongoCollectionDefinition;

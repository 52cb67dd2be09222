import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';

/**
 * The `membership_visit_counters` collection: facility visits per member subscription and ISO week.
 *
 * @example
 * ```ts
 * MEMBERSHIP_VISIT_COUNTERS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const MEMBERSHIP_VISIT_COUNTERS_COLLECTION = {
  name: 'membership_visit_counters',
  schemaVersion: 1,
  // Facility visits per member subscription and ISO week, keyed by `_id`: claimed with a
  // conditional $inc so a plan's maxVisitsPerWeek holds under concurrent check-ins.
  // Housekeeping removes the counters of past weeks.
  indexes: [{ key: { updatedAt: 1 }, name: 'updatedAt' }],
} as const satisfies MongoCollectionDefinition;

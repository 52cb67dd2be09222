import { ascendingIndex as asc, type MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedClassSchema } from './class.schema.js';

/**
 * The `classes` collection: a facility's classes with their schedules and instructors.
 *
 * @example
 * ```ts
 * CLASSES_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const CLASSES_COLLECTION = {
  name: 'classes',
  storedSchema: storedClassSchema,
  schemaVersion: 1,
  indexes: [
    asc('facilityId'), // seed
    asc('schedule.startTime'), // seed
    { key: { facilityId: 1, 'schedule.startTime': 1 }, name: 'facilityId_schedule_startTime' },
    asc('instructor.userId'),
  ],
} as const satisfies MongoCollectionDefinition;

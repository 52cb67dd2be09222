import { ascendingIndex as asc, type MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedWorkoutProgramSchema } from './workout-program.schema.js';

/**
 * The `workout_programs` collection: multi-week programs of templates, private or published.
 *
 * @example
 * ```ts
 * WORKOUT_PROGRAMS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const WORKOUT_PROGRAMS_COLLECTION = {
  name: 'workout_programs',
  storedSchema: storedWorkoutProgramSchema,
  // 2: set types, ranges and units (see workout.document-migrations.ts).
  schemaVersion: 2,
  indexes: [asc('createdBy'), { key: { isPublic: 1, 'reviews.averageRating': -1 }, name: 'isPublic_averageRating' }],
} as const satisfies MongoCollectionDefinition;

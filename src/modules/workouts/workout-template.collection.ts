import { ascendingIndex as asc, type MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedWorkoutTemplateSchema } from './workout-template.schema.js';

/**
 * The `workout_templates` collection: workouts written by coaches and users, private or published.
 *
 * @example
 * ```ts
 * WORKOUT_TEMPLATES_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const WORKOUT_TEMPLATES_COLLECTION = {
  name: 'workout_templates',
  storedSchema: storedWorkoutTemplateSchema,
  // 2: set types, ranges and units (see workout.document-migrations.ts).
  schemaVersion: 2,
  indexes: [
    asc('createdBy'),
    { key: { isPublic: 1, 'reviews.averageRating': -1 }, name: 'isPublic_averageRating' },
    // The templates using an exercise: the catalogue refuses to delete an exercise in use.
    asc('exercises.exerciseId'),
  ],
} as const satisfies MongoCollectionDefinition;

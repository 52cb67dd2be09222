import { ascendingIndex as asc, type MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedWorkoutLogSchema } from './workout-log.schema.js';

/**
 * The `workout_logs` collection: the workouts a user did, read newest first; heart rate
 * encrypted at rest.
 *
 * @example
 * ```ts
 * WORKOUT_LOGS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const WORKOUT_LOGS_COLLECTION = {
  name: 'workout_logs',
  storedSchema: storedWorkoutLogSchema,
  // 2: set types, ranges and units (see workout.document-migrations.ts).
  schemaVersion: 2,
  // Heart rate is health data (stored in clear before layout 6).
  encryptedFields: ['biometrics'],
  plaintextUntilRotated: ['biometrics'],
  // `archiveOlderThan({ target: 'workout_logs' })` moves old documents here unchanged.
  archiveCollection: 'workout_logs_archive',
  indexes: [
    asc('userId'), // seed
    asc('startTime'), // seed
    asc('workoutTemplateId'), // seed
    // A user's history, newest first: the hot query.
    { key: { userId: 1, startTime: -1 }, name: 'userId_startTime' },
  ],
} as const satisfies MongoCollectionDefinition;

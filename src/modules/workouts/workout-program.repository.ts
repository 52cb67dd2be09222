import type { Db } from 'mongodb';
import { MONGO_COLLECTIONS } from '../../stores/mongo/collections.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import type { RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import { PublishedWorkoutRepository } from './published-workout.repository.js';
import {
  createWorkoutProgramInputSchema,
  patchWorkoutProgramInputSchema,
  workoutProgramSchema,
  type WorkoutProgram,
} from './workout-program.schema.js';

const definition = MONGO_COLLECTIONS.workout_programs;

/**
 * The `workout_programs` collection: CRUD (a patch is checked again as a whole, so the
 * schedule always fits the duration), an author's programmes and public programmes by rating.
 *
 * @example
 * ```ts
 * const programs = new WorkoutProgramRepository(db, deps)
 * const mine = await programs.listByAuthor(coachId)
 * ```
 */
export class WorkoutProgramRepository extends PublishedWorkoutRepository<
  WorkoutProgram,
  typeof createWorkoutProgramInputSchema,
  typeof patchWorkoutProgramInputSchema
> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'workout program',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: workoutProgramSchema,
        idSchema: workoutProgramSchema.shape.id,
        createSchema: createWorkoutProgramInputSchema,
        patchSchema: patchWorkoutProgramInputSchema,
        codec: createDocumentCodec<WorkoutProgram>(definition.storedSchema),
      },
      deps,
    );
  }
}

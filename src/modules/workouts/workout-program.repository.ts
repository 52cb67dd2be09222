import type { Db } from 'mongodb';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { upgradeOnRead } from '../../stores/mongo/document-migrations/upgrade-on-read.js';
import { WORKOUT_DOCUMENT_MIGRATIONS } from './workout.document-migrations.js';
import type { RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import { PublishedWorkoutRepository } from './published-workout.repository.js';
import {
  createWorkoutProgramInputSchema,
  patchWorkoutProgramInputSchema,
  workoutProgramSchema,
  type WorkoutProgram,
} from './workout-program.schema.js';
import { WORKOUT_PROGRAMS_COLLECTION } from './workout-program.collection.js';

const definition = WORKOUT_PROGRAMS_COLLECTION;

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
        upgrade: upgradeOnRead(definition.name, WORKOUT_DOCUMENT_MIGRATIONS),
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

import type { Db } from 'mongodb';
import type { ExerciseId } from '../../core/ids.js';
import type { StoreContext } from '../../stores/store-context.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { upgradeOnRead } from '../../stores/mongo/document-migrations/upgrade-on-read.js';
import { WORKOUT_DOCUMENT_MIGRATIONS } from './workout.document-migrations.js';
import type { RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import { PublishedWorkoutRepository } from './published-workout.repository.js';
import {
  createWorkoutTemplateInputSchema,
  patchWorkoutTemplateInputSchema,
  workoutTemplateSchema,
  type WorkoutTemplate,
} from './workout-template.schema.js';
import { WORKOUT_TEMPLATES_COLLECTION } from './workout-template.collection.js';

const definition = WORKOUT_TEMPLATES_COLLECTION;

/**
 * The `workout_templates` collection: CRUD, an author's templates, public templates by
 * rating, and `findManyByIds` for resolving the templates of a programme.
 *
 * @example
 * ```ts
 * const templates = new WorkoutTemplateRepository(db, deps)
 * const best = await templates.listPublic({ limit: 10 })
 * ```
 */
export class WorkoutTemplateRepository extends PublishedWorkoutRepository<
  WorkoutTemplate,
  typeof createWorkoutTemplateInputSchema,
  typeof patchWorkoutTemplateInputSchema
> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'workout template',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        upgrade: upgradeOnRead(definition.name, WORKOUT_DOCUMENT_MIGRATIONS),
        entitySchema: workoutTemplateSchema,
        idSchema: workoutTemplateSchema.shape.id,
        createSchema: createWorkoutTemplateInputSchema,
        patchSchema: patchWorkoutTemplateInputSchema,
        codec: createDocumentCodec<WorkoutTemplate>(definition.storedSchema),
      },
      deps,
    );
  }

  /** How many templates list the exercise (index `exercises.exerciseId`): the catalogue's deletion guard. */
  async countExerciseReferences(exerciseId: ExerciseId, ctx?: StoreContext): Promise<number> {
    const id = this.parse(workoutTemplateSchema.shape.exercises.element.shape.exerciseId, exerciseId);
    return this.countWhere({ 'exercises.exerciseId': this.config.codec.toStoredValue('exercises.exerciseId', id) }, ctx);
  }
}

/**
 * The catalogue module's only door: exercises (search, visibility, symmetric alternates,
 * deletion guard) and foods (search, nutrients of a portion), and the free-exercise-db importer.
 *
 * @example
 * ```ts
 * const { service, exercises } = createCatalogModule(db, deps, workoutTemplates)
 * await importFreeExerciseDb(exercises)
 * await service.searchExercises({ text: 'squat', bodyArea: 'quadriceps' })
 * ```
 */
import type { Db } from 'mongodb';
import type { ServiceDeps } from '../service-deps.js';
import { CatalogService, type ExerciseUsage } from './catalog.service.js';
import { ExerciseRepository } from './exercise.repository.js';
import { FoodRepository } from './food.repository.js';

export * from './exercise.schema.js';
export * from './food.schema.js';
export { ExerciseRepository, exerciseSearchSchema, type ExerciseSearchCriteria } from './exercise.repository.js';
export { FoodRepository, foodSearchSchema, type FoodSearchCriteria } from './food.repository.js';
export { CatalogService, isExerciseVisibleTo, type CatalogActor, type ExerciseUsage, type ExerciseWithAlternates, type PortionNutrients } from './catalog.service.js';
export {
  FREE_EXERCISE_DB_FILE,
  FREE_EXERCISE_DB_IMAGE_BASE_URL,
  FREE_EXERCISE_DB_SOURCE,
  MUSCLE_BODY_AREAS,
  freeExerciseDbRecordSchema,
  importFreeExerciseDb,
  loadFreeExerciseDb,
  mapFreeExerciseDbRecord,
  type FreeExerciseDbImportOptions,
  type FreeExerciseDbImportProgress,
  type FreeExerciseDbImportResult,
  type FreeExerciseDbRecord,
  type FreeExerciseDbTarget,
} from './free-exercise-db.importer.js';

/**
 * The exercise and food repositories and the catalogue service. The catalogue needs no
 * PostgreSQL; `usage` tells it which exercises workout templates use (pass the workouts
 * module's `WorkoutTemplateRepository`: modules do not import each other, the host wires them).
 */
export function createCatalogModule(
  db: Db,
  deps: ServiceDeps,
  usage: ExerciseUsage,
): { readonly exercises: ExerciseRepository; readonly foods: FoodRepository; readonly service: CatalogService } {
  const exercises = new ExerciseRepository(db, deps);
  const foods = new FoodRepository(db, deps);
  return { exercises, foods, service: new CatalogService(exercises, foods, usage, deps) };
}

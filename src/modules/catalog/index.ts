/**
 * The catalogue module's only door: exercises (search, visibility, symmetric alternates,
 * deletion guard) and foods (search, barcodes, nutrients of a portion), and the importers of
 * free-exercise-db and of the Open Food Facts export.
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
export { foodBarcodeSchema, isValidFoodBarcode } from './food-barcode.js';
export { ENERGY_CHECK_KCAL_PER_GRAM, ENERGY_CHECK_TOLERANCE, MAX_MACROS_PER_100G, foodNutrientIssues, type CheckedNutrients } from './food-nutrient-checks.js';
export { FOOD_DOCUMENT_MIGRATIONS, FOODS_0002_PACKAGE_DATA } from './food.migrations.js';
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
export {
  OPEN_FOOD_FACTS_DEFAULT_CATEGORY,
  OPEN_FOOD_FACTS_DIET_LABELS,
  OPEN_FOOD_FACTS_SOURCE_PREFIX,
  importOpenFoodFacts,
  mapOpenFoodFactsProduct,
  type OpenFoodFactsImportOptions,
  type OpenFoodFactsImportProgress,
  type OpenFoodFactsImportResult,
  type OpenFoodFactsMapping,
  type OpenFoodFactsRejection,
  type OpenFoodFactsTarget,
} from './open-food-facts.importer.js';

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

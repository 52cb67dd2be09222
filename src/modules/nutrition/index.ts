/**
 * The nutrition module: its only door. Schemas, the repository and the
 * {@link NutritionService}.
 *
 * @example
 * ```ts
 * const { service: nutrition } = createNutritionModule(db, pg, deps, { foods: foodRepository })
 * const summary = await nutrition.summarizePlan(planId)
 * ```
 */
import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import type { Database } from '../../stores/postgres/database.js';
import type { ServiceDeps } from '../service-deps.js';
import { NutritionPlanRepository } from './nutrition-plan.repository.js';
import { NutritionService, type FoodCatalogReader } from './nutrition.service.js';

export * from './nutrition-plan.schema.js';
export { NutritionPlanRepository } from './nutrition-plan.repository.js';
export {
  NutritionService,
  KCAL_PER_GRAM,
  createPlanInputSchema,
  updatePlanInputSchema,
  mealInputSchema,
  plannedFoodInputSchema,
  macroSplitOf,
  portionFactor,
  scaleNutrients,
  summarizeNutritionPlan,
  type CreatePlanInput,
  type UpdatePlanInput,
  type MealInput,
  type PlannedFoodInput,
  type FoodCatalogReader,
  type FoodNutrientSource,
  type MacroSplit,
  type MealSummary,
  type NutrientTotals,
  type NutritionPlanSummary,
} from './nutrition.service.js';

/** The nutrition module's repository and service, built on the SDK's stores. */
export interface NutritionModule {
  readonly repository: NutritionPlanRepository;
  readonly service: NutritionService;
}

/**
 * Builds the nutrition module. `foods` is the food catalogue (the catalogue module's
 * `FoodRepository`), passed in because modules do not import each other.
 */
export function createNutritionModule(db: Db, _pg: Kysely<Database>, deps: ServiceDeps, collaborators: { readonly foods: FoodCatalogReader }): NutritionModule {
  const repository = new NutritionPlanRepository(db, deps);
  return { repository, service: new NutritionService(repository, collaborators.foods, deps) };
}

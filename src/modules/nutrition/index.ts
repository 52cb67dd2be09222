/**
 * The nutrition module: its only door. Schemas, the repositories, the
 * {@link NutritionService} (plans, energy estimates) and the {@link FoodDiaryService}.
 *
 * @example
 * ```ts
 * const { service: nutrition, diary } = createNutritionModule(db, pg, deps, { foods: foodRepository })
 * const summary = await nutrition.summarizePlan(planId)
 * const today = await diary.dayTotals({ userId, date: '2026-03-02' })
 * ```
 */
import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import type { Database } from '../../stores/postgres/database.js';
import type { ServiceDeps } from '../service-deps.js';
import { FoodDiaryEntryRepository } from './food-diary-entry.repository.js';
import { FoodDiaryService } from './food-diary.service.js';
import type { MemberProfileReader } from './member-profile.js';
import { NutritionPlanRepository } from './nutrition-plan.repository.js';
import { NutritionService, type FoodCatalogReader } from './nutrition.service.js';

export * from './nutrition-plan.schema.js';
export * from './food-diary-entry.schema.js';
export * from './energy.js';
export type { MemberProfile, MemberProfileReader } from './member-profile.js';
export { NutritionPlanRepository } from './nutrition-plan.repository.js';
export { FoodDiaryEntryRepository, MAX_DIARY_ENTRIES_PER_WINDOW } from './food-diary-entry.repository.js';
export {
  FoodDiaryService,
  MAX_DIARY_LEAD_MS,
  diaryDayQuerySchema,
  diaryTotalsQuerySchema,
  logFoodInputSchema,
  updateDiaryEntryInputSchema,
  type DiaryDayQuery,
  type DiaryMealTotals,
  type DiaryPlanComparison,
  type DiaryTotalsQuery,
  type FoodDiaryDay,
  type FoodDiaryDayTotals,
  type LogFoodInput,
  type UpdateDiaryEntryInput,
} from './food-diary.service.js';
export {
  NutritionService,
  KCAL_PER_GRAM,
  createPlanInputSchema,
  energyEstimateInputSchema,
  updatePlanInputSchema,
  mealInputSchema,
  plannedFoodInputSchema,
  macroSplitOf,
  nutrientDifference,
  portionFactor,
  scaleNutrients,
  sumNutrients,
  summarizeNutritionPlan,
  type CreatePlanInput,
  type EnergyEstimate,
  type EnergyEstimateInput,
  type EnergyInputSource,
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

/** The nutrition module's repositories and services, built on the SDK's stores. */
export interface NutritionModule {
  readonly repository: NutritionPlanRepository;
  readonly diaryEntries: FoodDiaryEntryRepository;
  readonly service: NutritionService;
  readonly diary: FoodDiaryService;
}

/**
 * Builds the nutrition module. `foods` is the food catalogue (the catalogue module's
 * `FoodRepository`) and `profiles` reads a member's body data and time zone, both passed in
 * because modules do not import each other. Without `profiles`, energy estimates need every
 * value given and diary days default to `Europe/Istanbul`.
 */
export function createNutritionModule(
  db: Db,
  _pg: Kysely<Database>,
  deps: ServiceDeps,
  collaborators: { readonly foods: FoodCatalogReader; readonly profiles?: MemberProfileReader },
): NutritionModule {
  const repository = new NutritionPlanRepository(db, deps);
  const diaryEntries = new FoodDiaryEntryRepository(db, deps);
  return {
    repository,
    diaryEntries,
    service: new NutritionService(repository, collaborators.foods, deps, collaborators.profiles),
    diary: new FoodDiaryService(diaryEntries, repository, collaborators.foods, deps, collaborators.profiles),
  };
}

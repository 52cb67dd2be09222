import { z } from 'zod';
import { ConflictError, ForbiddenError, ValidationError, type ValidationIssue } from '../../core/errors.js';
import type { FoodId, NutritionPlanId, UserId } from '../../core/ids.js';
import { servingsInPortion, type ServingNutrients, type ServingUnit } from '../../core/fitness-vocabulary.js';
import { patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { roundTo as round } from '../../core/rounding.js';
import { parseOrThrow } from '../../core/validation.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import type { ServiceDeps } from '../service-deps.js';
import { ACTIVITY_FACTORS, ACTIVITY_LEVELS, ageInYears, basalMetabolicRate, BMR_SEXES, totalDailyEnergyExpenditure, type ActivityLevel, type BmrSex } from './energy.js';
import type { MemberProfileReader } from './member-profile.js';
import type { NutritionPlanRepository } from './nutrition-plan.repository.js';
import {
  createNutritionPlanInputSchema,
  mealSchema,
  nutritionPlanSchema,
  plannedFoodSchema,
  type Meal,
  type NutritionPlan,
  type PlannedFood,
} from './nutrition-plan.schema.js';

/** Energy per gram of each macronutrient (Atwater factors). */
export const KCAL_PER_GRAM = { protein: 4, carbs: 4, fat: 9 } as const;

/** What a nutrient calculation needs of a catalogue food: its nutrients per serving. */
export interface FoodNutrientSource {
  readonly id: string;
  readonly name: string;
  readonly nutrients: ServingNutrients & {
    readonly servingSize: number;
    readonly servingUnit: ServingUnit;
  };
  /** Household portions of the food, weighed in grams (a diary entry may be written in one). */
  readonly portions?: readonly { readonly name: string; readonly grams: number }[] | undefined;
}

/**
 * What the service needs from the food catalogue: foods by id. The catalogue module's
 * `FoodRepository` satisfies it; the nutrition module does not import the catalogue module.
 */
export interface FoodCatalogReader {
  findManyByIds(ids: readonly FoodId[], ctx?: StoreContext): Promise<readonly FoodNutrientSource[]>;
}

/** A food line as a caller writes it: which food, how much, in which unit. Nutrient values are computed, never accepted. */
export const plannedFoodInputSchema = plannedFoodSchema.pick({ foodId: true, quantity: true, unit: true });
export type PlannedFoodInput = z.input<typeof plannedFoodInputSchema>;

export const mealInputSchema = mealSchema.extend({ foods: z.array(plannedFoodInputSchema).max(100) });
export type MealInput = z.input<typeof mealInputSchema>;

const mealsInputSchema = z.array(mealInputSchema).max(24);

/** A new plan: as {@link createNutritionPlanInputSchema}, with food lines of {@link plannedFoodInputSchema}. */
export const createPlanInputSchema = createNutritionPlanInputSchema.extend({ meals: mealsInputSchema.default([]) });
export type CreatePlanInput = z.input<typeof createPlanInputSchema>;

/** The editable fields of a plan; `null` clears an optional one. The author never changes. */
export const updatePlanInputSchema = patchSchemaOf({
  ...pickFields(nutritionPlanSchema.shape, ['name', 'description', 'forUserId', 'isTemplate', 'isPublic', 'metadata', 'pricing']),
  meals: mealsInputSchema,
});
export type UpdatePlanInput = z.input<typeof updatePlanInputSchema>;

/**
 * An energy estimate's input: the member, their sex and activity level, and — when not
 * taken from their profile — weight (kg), height (cm) and date of birth. `asOf` (default
 * now) is the day the age is counted on.
 */
export const energyEstimateInputSchema = z.strictObject({
  userId: nutritionPlanSchema.shape.createdBy,
  sex: z.enum(BMR_SEXES),
  activityLevel: z.enum(ACTIVITY_LEVELS),
  weightKg: z.number().min(2).max(700).optional(),
  heightCm: z.number().min(30).max(300).optional(),
  dateOfBirth: instantSchema.optional(),
  asOf: instantSchema.optional(),
});
/** What a caller passes to {@link NutritionService.estimateEnergy}. */
export type EnergyEstimateInput = z.input<typeof energyEstimateInputSchema>;

/** Where a value of an energy estimate came from: the call, or the member's stored profile. */
export type EnergyInputSource = 'given' | 'profile';

/** A member's basal metabolic rate and total daily energy expenditure, with the values used. */
export interface EnergyEstimate {
  /** Mifflin-St Jeor, kcal per day, rounded to 0.1. */
  readonly bmr: number;
  /** `bmr` times the activity factor, kcal per day, rounded to whole kcal. */
  readonly tdee: number;
  readonly activityLevel: ActivityLevel;
  readonly activityFactor: number;
  readonly sex: BmrSex;
  readonly weightKg: number;
  readonly heightCm: number;
  readonly ageYears: number;
  readonly sources: { readonly weightKg: EnergyInputSource; readonly heightCm: EnergyInputSource; readonly ageYears: EnergyInputSource };
}

const planIdSchema = nutritionPlanSchema.shape.id;
const userIdSchema = nutritionPlanSchema.shape.createdBy;
const versionOptionsSchema = z.strictObject({ expectedVersion: z.number().int().min(1).optional() });
const copyOptionsSchema = z.strictObject({ createdBy: userIdSchema.optional(), name: nutritionPlanSchema.shape.name.optional() });

/** Energy and macronutrients: kcal and grams. */
export interface NutrientTotals {
  readonly calories: number;
  readonly protein: number;
  readonly carbs: number;
  readonly fat: number;
}

/** Shares of the energy that comes from the macronutrients, in percent (they add up to 100, give or take rounding). */
export interface MacroSplit {
  readonly protein: number;
  readonly carbs: number;
  readonly fat: number;
}

/** One meal of a plan, when it is eaten, and its totals. */
export interface MealSummary {
  readonly name: string;
  readonly time: string;
  readonly totals: NutrientTotals;
}

/** A plan's day against its targets. */
export interface NutritionPlanSummary {
  readonly meals: readonly MealSummary[];
  /** The day's totals: the sum of every meal. */
  readonly actual: NutrientTotals;
  /** `metadata.calorieTarget` and `metadata.macros`. */
  readonly target: NutrientTotals;
  /** `actual - target` for each value (negative: below target). */
  readonly difference: NutrientTotals;
  /** Percent of `target.calories` reached, rounded to 0.1; `null` for a zero target. */
  readonly calorieTargetReached: number | null;
  /** The macro split of the planned foods and of the targets; `null` when there are no macro grams. */
  readonly macroSplit: { readonly actual: MacroSplit | null; readonly target: MacroSplit | null };
}

/**
 * Nutrition plans: meals of catalogue foods, with each food line's nutrients computed from
 * the catalogue (never taken from the caller), per-meal and per-day totals against the
 * plan's targets, and template plans copied to clients.
 *
 * Portions: nutrients are stored per serving (`servingSize` `servingUnit`). A line in
 * `serving`s multiplies them by `quantity`; a line in the food's own serving unit (g for a
 * food measured in g, ml for ml, piece for piece, and likewise cup, tbsp, tsp, slice) scales
 * them by `quantity / servingSize`. Any other pairing (g of a food measured in ml, pieces of
 * a food measured in g) is refused with a `ValidationError` naming the line: there is no
 * density or piece weight to convert with.
 *
 * @example
 * ```ts
 * const nutrition = new NutritionService(planRepository, foodRepository, deps)
 * const plan = await nutrition.createPlan({ name: 'Kış planı', createdBy: coachId, forUserId: clientId, metadata, meals: [{ name: 'Kahvaltı', time: '08:00', foods: [{ foodId: oatsId, quantity: 60, unit: 'g' }] }] })
 * const { actual, target, macroSplit } = await nutrition.summarizePlan(plan.id)
 * ```
 */
export class NutritionService {
  readonly #plans: NutritionPlanRepository;
  readonly #foods: FoodCatalogReader;
  readonly #deps: ServiceDeps;

  readonly #profiles: MemberProfileReader | undefined;

  constructor(plans: NutritionPlanRepository, foods: FoodCatalogReader, deps: ServiceDeps, profiles?: MemberProfileReader) {
    this.#plans = plans;
    this.#foods = foods;
    this.#deps = deps;
    this.#profiles = profiles;
  }

  /**
   * A member's basal metabolic rate (Mifflin-St Jeor) and total daily energy expenditure at
   * an activity level (see `ACTIVITY_FACTORS`). Weight, height and date of birth not given
   * are read from the member's stored client profile; one found in neither is a
   * `ValidationError` on that field. The age is counted in whole years on `asOf` (default now).
   *
   * @example
   * ```ts
   * const { bmr, tdee } = await nexfit.nutrition.estimateEnergy({ userId, sex: 'female', activityLevel: 'moderate' })
   * ```
   */
  async estimateEnergy(input: EnergyEstimateInput, uow?: UnitOfWork): Promise<EnergyEstimate> {
    const data = this.#parse(energyEstimateInputSchema, input, 'energy estimate');
    const needsProfile = data.weightKg === undefined || data.heightCm === undefined || data.dateOfBirth === undefined;
    const profile = needsProfile ? await this.#profiles?.memberProfile(data.userId, uow?.ctx) : undefined;
    const weightKg = data.weightKg ?? profile?.weightKg;
    const heightCm = data.heightCm ?? profile?.heightCm;
    const dateOfBirth = data.dateOfBirth ?? profile?.dateOfBirth;
    const missing = (['weightKg', 'heightCm', 'dateOfBirth'] as const).filter((k) => ({ weightKg, heightCm, dateOfBirth })[k] === undefined);
    if (missing.length > 0) {
      const message = this.#deps.locale === 'tr' ? M.energyProfileValue.tr : M.energyProfileValue.en;
      throw new ValidationError(`Invalid energy estimate: ${missing.join(', ')}: ${message}`, missing.map((k) => ({ path: [k], code: 'custom', message })));
    }
    const ageYears = ageInYears(dateOfBirth!, data.asOf ?? this.#deps.clock.now());
    const bmr = basalMetabolicRate({ sex: data.sex, weightKg: weightKg!, heightCm: heightCm!, ageYears });
    const source = (given: unknown): EnergyInputSource => (given === undefined ? 'profile' : 'given');
    return {
      bmr,
      tdee: totalDailyEnergyExpenditure(bmr, data.activityLevel),
      activityLevel: data.activityLevel,
      activityFactor: ACTIVITY_FACTORS[data.activityLevel],
      sex: data.sex,
      weightKg: weightKg!,
      heightCm: heightCm!,
      ageYears,
      sources: { weightKg: source(data.weightKg), heightCm: source(data.heightCm), ageYears: source(data.dateOfBirth) },
    };
  }

  /**
   * Creates a plan. Every food line's calories and macros are computed from the catalogue;
   * an unknown food or a unit that does not fit the food is a `ValidationError` whose issue
   * paths point at the line (`meals.0.foods.2.unit`), and nothing is written.
   */
  async createPlan(input: CreatePlanInput, uow?: UnitOfWork): Promise<NutritionPlan> {
    const parsed = this.#parse(createPlanInputSchema, input);
    const meals = await this.#computeMeals(parsed.meals, uow?.ctx);
    return this.#plans.create({ ...parsed, meals }, uow?.ctx);
  }

  /** Changes a plan; new meals are computed as in {@link createPlan}. `ConcurrencyError` on a stale `expectedVersion`. */
  async updatePlan(planId: NutritionPlanId, patch: UpdatePlanInput, options: { readonly expectedVersion?: number } = {}, uow?: UnitOfWork): Promise<NutritionPlan> {
    const id = this.#parse(planIdSchema, planId, 'nutrition plan id');
    const { meals, ...changes } = this.#parse(updatePlanInputSchema, patch);
    const { expectedVersion } = this.#parse(versionOptionsSchema, options, 'options');
    const computed = meals === undefined ? undefined : await this.#computeMeals(meals, uow?.ctx);
    return this.#plans.patch(id, { ...changes, ...(computed ? { meals: computed } : {}) }, expectedVersion === undefined ? {} : { expectedVersion }, uow?.ctx);
  }

  /**
   * Recomputes every food line of a plan from the catalogue as it is now (after a food's
   * values were corrected). A food no longer in the catalogue is a `ValidationError`.
   */
  async recalculatePlan(planId: NutritionPlanId, uow?: UnitOfWork): Promise<NutritionPlan> {
    const plan = await this.getPlan(planId, uow);
    const meals = await this.#computeMeals(plan.meals, uow?.ctx);
    return this.#plans.patch(plan.id, { meals }, { expectedVersion: plan.version }, uow?.ctx);
  }

  /** The plan; `NotFoundError` when there is none. */
  async getPlan(planId: NutritionPlanId, uow?: UnitOfWork): Promise<NutritionPlan> {
    return this.#plans.getById(this.#parse(planIdSchema, planId, 'nutrition plan id'), uow?.ctx);
  }

  /** The plans an author (a coach) wrote, newest first. */
  async listByAuthor(authorId: UserId, page?: PageRequest, uow?: UnitOfWork): Promise<Page<NutritionPlan>> {
    return this.#plans.listByAuthor(this.#parse(userIdSchema, authorId, 'user id'), page, uow?.ctx);
  }

  /** The plans written for a client, newest first. */
  async listForClient(clientId: UserId, page?: PageRequest, uow?: UnitOfWork): Promise<Page<NutritionPlan>> {
    return this.#plans.listForUser(this.#parse(userIdSchema, clientId, 'user id'), page, uow?.ctx);
  }

  /** Deletes a plan; `NotFoundError` when there is none. */
  async deletePlan(planId: NutritionPlanId, options: { readonly expectedVersion?: number } = {}, uow?: UnitOfWork): Promise<void> {
    const { expectedVersion } = this.#parse(versionOptionsSchema, options, 'options');
    await this.#plans.delete(this.#parse(planIdSchema, planId, 'nutrition plan id'), expectedVersion === undefined ? {} : { expectedVersion }, uow?.ctx);
  }

  /** The per-meal and per-day totals of a stored plan against its targets. */
  async summarizePlan(planId: NutritionPlanId, uow?: UnitOfWork): Promise<NutritionPlanSummary> {
    return summarizeNutritionPlan(await this.getPlan(planId, uow));
  }

  /**
   * Copies a template plan to a client: a new, private, non-template plan for `clientId`
   * with the template's targets and meals, the food values recomputed from the catalogue as
   * it is now, and no price. The copy's author is `options.createdBy` (the coach making the
   * copy), by default the template's author. A plan that is not a template is
   * `ConflictError('not_a_template')`; a private template of another author is
   * `ForbiddenError`.
   */
  async copyTemplateToClient(
    templateId: NutritionPlanId,
    clientId: UserId,
    options: { readonly createdBy?: UserId; readonly name?: string } = {},
    uow?: UnitOfWork,
  ): Promise<NutritionPlan> {
    const client = this.#parse(userIdSchema, clientId, 'user id');
    const { createdBy, name } = this.#parse(copyOptionsSchema, options, 'options');
    const template = await this.getPlan(templateId, uow);
    if (!template.isTemplate) {
      throw new ConflictError('not_a_template', `Nutrition plan ${template.id} is not a template`, { details: { planId: template.id } });
    }
    const author = createdBy ?? template.createdBy;
    if (!template.isPublic && author !== template.createdBy) {
      throw new ForbiddenError('A private template can only be copied by its author', { details: { planId: template.id } });
    }
    const meals = await this.#computeMeals(template.meals, uow?.ctx);
    return this.#plans.create(
      {
        name: name ?? template.name,
        ...(template.description !== undefined ? { description: template.description } : {}),
        createdBy: author,
        forUserId: client,
        isTemplate: false,
        isPublic: false,
        metadata: template.metadata,
        meals,
      },
      uow?.ctx,
    );
  }

  /** The meals with every food line's nutrients computed from the catalogue. */
  async #computeMeals(meals: readonly z.output<typeof mealInputSchema>[], ctx?: StoreContext): Promise<Meal[]> {
    const ids = [...new Set(meals.flatMap((meal) => meal.foods.map((line) => line.foodId as string)))];
    const foods = new Map<string, FoodNutrientSource>();
    for (let i = 0; i < ids.length; i += 500) {
      for (const food of await this.#foods.findManyByIds(ids.slice(i, i + 500) as FoodId[], ctx)) foods.set(food.id, food);
    }
    const issues: ValidationIssue[] = [];
    const computed = meals.map((meal, m) => ({
      ...meal,
      foods: meal.foods.flatMap((line, f): PlannedFood[] => {
        const path = ['meals', m, 'foods', f];
        const food = foods.get(line.foodId);
        if (!food) {
          issues.push({ path: [...path, 'foodId'], code: 'custom', message: `Food ${line.foodId} is not in the catalogue` });
          return [];
        }
        const factor = portionFactor(food, line.quantity, line.unit);
        if (factor === null) {
          issues.push({
            path: [...path, 'unit'],
            code: 'custom',
            message: `${food.name} is measured in ${food.nutrients.servingUnit}: plan it in ${food.nutrients.servingUnit} or in servings, not in ${line.unit}`,
          });
          return [];
        }
        return [{ ...line, ...scaleNutrients(food.nutrients, factor) }];
      }),
    }));
    if (issues.length > 0) {
      const first = issues[0]!;
      throw new ValidationError(`Invalid nutrition plan: ${first.path.join('.')}: ${first.message}${issues.length > 1 ? ` (+${issues.length - 1})` : ''}`, issues);
    }
    return computed;
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown, entity = 'nutrition plan'): z.output<S> {
    return parseOrThrow(schema, input, { entity, ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}

/**
 * How many of the food's servings `quantity` `unit` is: `quantity` servings, or
 * `quantity / servingSize` in the food's own serving unit; `null` for any other unit.
 */
export function portionFactor(food: FoodNutrientSource, quantity: number, unit: ServingUnit): number | null {
  return servingsInPortion(food.nutrients, quantity, unit);
}

/** The nutrients of `factor` servings, rounded to 0.1 kcal and 0.1 g. */
export function scaleNutrients(nutrients: FoodNutrientSource['nutrients'], factor: number): NutrientTotals {
  return {
    calories: round(nutrients.calories * factor, 1),
    protein: round(nutrients.protein * factor, 1),
    carbs: round(nutrients.carbs * factor, 1),
    fat: round(nutrients.fat * factor, 1),
  };
}

/**
 * Totals a plan: each meal is the sum of its stored food lines, the day the sum of its
 * meals, compared with `metadata.calorieTarget` and `metadata.macros`. The macro split is
 * each macro's share of the energy from macros at 4/4/9 kcal per gram of protein, carbs
 * and fat (so the shares add up to 100 even when a food's listed calories include fibre or
 * alcohol).
 */
export function summarizeNutritionPlan(plan: Pick<NutritionPlan, 'meals' | 'metadata'>): NutritionPlanSummary {
  const meals = plan.meals.map((meal) => ({ name: meal.name, time: meal.time, totals: sumNutrients(meal.foods) }));
  const actual = sumNutrients(meals.map((m) => m.totals));
  const { calorieTarget, macros } = plan.metadata;
  const target = { calories: calorieTarget, protein: macros.protein, carbs: macros.carbs, fat: macros.fat };
  const difference = nutrientDifference(actual, target);
  return {
    meals,
    actual,
    target,
    difference,
    calorieTargetReached: target.calories > 0 ? round((actual.calories / target.calories) * 100, 1) : null,
    macroSplit: { actual: macroSplitOf(actual), target: macroSplitOf(target) },
  };
}

/** Each macro's share of the energy from macros (4/4/9 kcal per gram), in percent rounded to 0.1; `null` without any. */
export function macroSplitOf(grams: Pick<NutrientTotals, 'protein' | 'carbs' | 'fat'>): MacroSplit | null {
  const protein = grams.protein * KCAL_PER_GRAM.protein;
  const carbs = grams.carbs * KCAL_PER_GRAM.carbs;
  const fat = grams.fat * KCAL_PER_GRAM.fat;
  const total = protein + carbs + fat;
  if (total === 0) return null;
  return { protein: round((protein / total) * 100, 1), carbs: round((carbs / total) * 100, 1), fat: round((fat / total) * 100, 1) };
}

/** The sum of some nutrient totals (meals, diary entries), each value rounded to 0.1. */
export function sumNutrients(items: readonly NutrientTotals[]): NutrientTotals {
  const sum = (key: keyof NutrientTotals) => round(items.reduce((s, item) => s + item[key], 0), 1);
  return { calories: sum('calories'), protein: sum('protein'), carbs: sum('carbs'), fat: sum('fat') };
}

/** `actual - target` for each value, rounded to 0.1 (negative: below target). */
export function nutrientDifference(actual: NutrientTotals, target: NutrientTotals): NutrientTotals {
  return {
    calories: round(actual.calories - target.calories, 1),
    protein: round(actual.protein - target.protein, 1),
    carbs: round(actual.carbs - target.carbs, 1),
    fat: round(actual.fat - target.fat, 1),
  };
}

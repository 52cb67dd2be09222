import { z } from 'zod';
import { calendarDayWindow } from '../../core/calendar-day.js';
import { ValidationError, type ValidationIssue } from '../../core/errors.js';
import { portionNutrients, servingsInPortion } from '../../core/fitness-vocabulary.js';
import type { FoodDiaryEntryId, FoodId, NutritionPlanId, UserId } from '../../core/ids.js';
import { roundTo as round } from '../../core/rounding.js';
import { calendarDateSchema, DEFAULT_TIME_ZONE, timeZoneSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import { turkishMessageFor, VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { ServiceDeps } from '../service-deps.js';
import type { FoodDiaryEntryRepository } from './food-diary-entry.repository.js';
import { DIARY_MEALS, foodDiaryEntrySchema, type DiaryNutrients, type DiaryUnit, type FoodDiaryEntry } from './food-diary-entry.schema.js';
import type { MemberProfileReader } from './member-profile.js';
import type { NutritionPlanRepository } from './nutrition-plan.repository.js';
import type { NutritionPlan } from './nutrition-plan.schema.js';
import { macroSplitOf, nutrientDifference, sumNutrients, summarizeNutritionPlan, type FoodCatalogReader, type FoodNutrientSource, type MacroSplit, type NutrientTotals } from './nutrition.service.js';

/** How far ahead of now an entry may be eaten: a day, so a member can log tomorrow's breakfast but not next month's. */
export const MAX_DIARY_LEAD_MS = 24 * 60 * 60 * 1000;

const userIdSchema = foodDiaryEntrySchema.shape.userId;
const entryIdSchema = foodDiaryEntrySchema.shape.id;
const fields = foodDiaryEntrySchema.shape;

/** A new diary entry as a member writes it: nutrients are computed from the catalogue, never accepted. */
export const logFoodInputSchema = z.strictObject({
  userId: fields.userId,
  eatenAt: fields.eatenAt,
  meal: fields.meal,
  foodId: fields.foodId,
  amount: fields.amount,
  unit: fields.unit,
  portion: fields.portion,
  planId: fields.planId,
});
/** What a caller passes to {@link FoodDiaryService.logFood}. */
export type LogFoodInput = z.input<typeof logFoodInputSchema>;

/** The changeable fields of an entry; `null` clears `meal`, `portion` or `planId`. The member and the food never change. */
export const updateDiaryEntryInputSchema = z
  .strictObject({
    eatenAt: fields.eatenAt.optional(),
    meal: fields.meal.unwrap().nullable().optional(),
    amount: fields.amount.optional(),
    unit: fields.unit.optional(),
    portion: fields.portion.unwrap().nullable().optional(),
    planId: fields.planId.unwrap().nullable().optional(),
  })
  .refine((patch) => Object.values(patch).some((v) => v !== undefined), { error: M.emptyPatch.en });
/** What a caller passes to {@link FoodDiaryService.updateEntry}. */
export type UpdateDiaryEntryInput = z.input<typeof updateDiaryEntryInputSchema>;

/** A day of a member's diary: the calendar date, in a time zone (the member's by default). */
export const diaryDayQuerySchema = z.strictObject({
  userId: userIdSchema,
  date: calendarDateSchema,
  timeZone: timeZoneSchema.optional(),
});
/** What a caller passes to {@link FoodDiaryService.listDay}. */
export type DiaryDayQuery = z.input<typeof diaryDayQuerySchema>;

/** A day's totals query: {@link diaryDayQuerySchema} and, optionally, the plan to compare with. */
export const diaryTotalsQuerySchema = diaryDayQuerySchema.extend({ planId: fields.planId });
/** What a caller passes to {@link FoodDiaryService.dayTotals}. */
export type DiaryTotalsQuery = z.input<typeof diaryTotalsQuerySchema>;

const versionOptionsSchema = z.strictObject({ expectedVersion: z.number().int().min(1).optional() });

/** A day of a member's diary, in the order eaten. */
export interface FoodDiaryDay {
  readonly userId: UserId;
  readonly date: string;
  readonly timeZone: string;
  /** The day's first instant (local midnight), inclusive. */
  readonly from: Date;
  /** The next day's local midnight, exclusive. */
  readonly to: Date;
  readonly entries: readonly FoodDiaryEntry[];
}

/** One meal of a day: what was eaten in it against what the plan gives that meal. */
export interface DiaryMealTotals {
  /** The meal's name; `null` for entries logged without one. */
  readonly meal: string | null;
  readonly entries: number;
  readonly totals: NutrientTotals;
  /** The plan meal of the same name's totals, or `null` when the plan has no such meal. */
  readonly target: NutrientTotals | null;
  /** `totals - target`, or `null` without a target. */
  readonly difference: NutrientTotals | null;
}

/** A day's totals against a plan's daily goals. */
export interface DiaryPlanComparison {
  readonly planId: NutritionPlanId;
  readonly planName: string;
  /** `metadata.calorieTarget` and `metadata.macros` of the plan. */
  readonly target: NutrientTotals;
  /** Eaten minus target for each value (negative: below target). */
  readonly difference: NutrientTotals;
  /** Percent of the calorie target eaten, rounded to 0.1; `null` for a zero target. */
  readonly calorieTargetReached: number | null;
  readonly macroSplit: { readonly actual: MacroSplit | null; readonly target: MacroSplit | null };
}

/** What {@link FoodDiaryService.dayTotals} returns. */
export interface FoodDiaryDayTotals extends Omit<FoodDiaryDay, 'entries'> {
  readonly entries: number;
  readonly totals: NutrientTotals;
  /** The plan's meals first (in plan order), then breakfast, lunch, dinner, snack, then other names, then entries without a meal. Only meals with entries or a plan target appear. */
  readonly meals: readonly DiaryMealTotals[];
  /** The comparison with the plan, or `null` when the member has none. */
  readonly plan: DiaryPlanComparison | null;
}

/**
 * The food diary: what a member ate (time, optional meal, amount and unit), with the
 * nutrients of each entry computed from the catalogue when it is written, and each day's
 * totals — per day and per meal — against the goals of the member's nutrition plan, in the
 * member's time zone.
 *
 * Rules:
 * - an entry is eaten at most 1 day ahead of now ({@link MAX_DIARY_LEAD_MS}); later is a
 *   `ValidationError` on `eatenAt`;
 * - amounts: `g` or `ml` of a food measured in that unit, `serving`s, or `portion`s (a
 *   household portion of the food, named in `portion`, weighed in grams: for foods measured
 *   in grams). Any other pairing is a `ValidationError` on `unit`;
 * - `meal` is breakfast, lunch, dinner, snack, or a meal name of the entry's plan;
 * - `planId` must be a plan written for the member (or the member's own plan).
 *
 * A day is the member's local calendar day: the time zone given, else their facility's,
 * else `Europe/Istanbul`.
 *
 * @example
 * ```ts
 * await nexfit.foodDiary.logFood({ userId, eatenAt: '2026-03-02T05:30:00Z', meal: 'breakfast', foodId: oatsId, amount: 60, unit: 'g' })
 * const day = await nexfit.foodDiary.dayTotals({ userId, date: '2026-03-02' })
 * day.totals.calories; day.plan?.calorieTargetReached
 * ```
 */
export class FoodDiaryService {
  readonly #entries: FoodDiaryEntryRepository;
  readonly #plans: NutritionPlanRepository;
  readonly #foods: FoodCatalogReader;
  readonly #profiles: MemberProfileReader | undefined;
  readonly #deps: ServiceDeps;

  constructor(entries: FoodDiaryEntryRepository, plans: NutritionPlanRepository, foods: FoodCatalogReader, deps: ServiceDeps, profiles?: MemberProfileReader) {
    this.#entries = entries;
    this.#plans = plans;
    this.#foods = foods;
    this.#deps = deps;
    this.#profiles = profiles;
  }

  /**
   * Logs what a member ate. The entry's nutrients are those of `amount` `unit` of the food as
   * the catalogue has it now. Bad input — an entry more than a day ahead, an unknown food,
   * a unit that does not fit the food, an unknown portion or meal, a plan not the member's —
   * is a `ValidationError` naming the field, and nothing is written.
   */
  async logFood(input: LogFoodInput, uow?: UnitOfWork): Promise<FoodDiaryEntry> {
    const data = this.#parse(this.#withLeadCheck(logFoodInputSchema), input);
    const ctx = uow?.ctx;
    this.#checkPortion(data.unit, data.portion);
    const plan = data.planId === undefined ? undefined : await this.#memberPlan(data.userId, data.planId, ctx);
    this.#checkMeal(data.meal, plan);
    const food = await this.#food(data.foodId, ctx);
    const nutrients = this.#nutrientsOf(food, data.amount, data.unit, data.portion);
    return this.#entries.create({ ...data, foodName: food.name, nutrients }, ctx);
  }

  /**
   * Changes an entry's time, meal, amount, unit, portion or plan. A new amount, unit or
   * portion recomputes the nutrients from the catalogue as it is now; otherwise the stored
   * ones stay. Validated as {@link logFood}; `ConcurrencyError` on a stale `expectedVersion`.
   */
  async updateEntry(entryId: FoodDiaryEntryId, patch: UpdateDiaryEntryInput, options: { readonly expectedVersion?: number } = {}, uow?: UnitOfWork): Promise<FoodDiaryEntry> {
    const id = this.#parse(entryIdSchema, entryId, 'food diary entry id');
    const changes = this.#parse(this.#withLeadCheck(updateDiaryEntryInputSchema), patch);
    const { expectedVersion } = this.#parse(versionOptionsSchema, options, 'options');
    const ctx = uow?.ctx;
    const current = await this.#entries.getById(id, ctx);
    const unit = changes.unit ?? current.unit;
    // A new unit other than `portion` drops the old portion name; a portion entry keeps it unless a new one is named.
    const portion = changes.portion === null ? undefined : (changes.portion ?? (unit === 'portion' ? current.portion : undefined));
    const meal = changes.meal === null ? undefined : (changes.meal ?? current.meal);
    const planId = changes.planId === null ? undefined : (changes.planId ?? current.planId);
    const amount = changes.amount ?? current.amount;
    this.#checkPortion(unit, portion);
    const plan = planId === undefined ? undefined : await this.#memberPlan(current.userId, planId, ctx);
    this.#checkMeal(meal, plan);
    const recompute = amount !== current.amount || unit !== current.unit || portion !== current.portion;
    const nutrients = recompute ? this.#nutrientsOf(await this.#food(current.foodId, ctx), amount, unit, portion) : undefined;
    return this.#entries.patch(
      id,
      {
        ...(changes.eatenAt === undefined ? {} : { eatenAt: changes.eatenAt }),
        ...(meal === current.meal ? {} : { meal: meal ?? null }),
        ...(amount === current.amount ? {} : { amount }),
        ...(unit === current.unit ? {} : { unit }),
        ...(portion === current.portion ? {} : { portion: portion ?? null }),
        ...(planId === current.planId ? {} : { planId: planId ?? null }),
        ...(nutrients ? { nutrients } : {}),
        // A patch must change something: an update that changes nothing rewrites the time eaten as it is.
        ...(changes.eatenAt === undefined && !nutrients && meal === current.meal && planId === current.planId ? { eatenAt: current.eatenAt } : {}),
      },
      { expectedVersion: expectedVersion ?? current.version },
      ctx,
    );
  }

  /** Deletes an entry; `NotFoundError` when there is none, `ConcurrencyError` on a stale `expectedVersion`. */
  async deleteEntry(entryId: FoodDiaryEntryId, options: { readonly expectedVersion?: number } = {}, uow?: UnitOfWork): Promise<void> {
    const id = this.#parse(entryIdSchema, entryId, 'food diary entry id');
    const { expectedVersion } = this.#parse(versionOptionsSchema, options, 'options');
    await this.#entries.delete(id, expectedVersion === undefined ? {} : { expectedVersion }, uow?.ctx);
  }

  /** One entry; `NotFoundError` when there is none. */
  async getEntry(entryId: FoodDiaryEntryId, uow?: UnitOfWork): Promise<FoodDiaryEntry> {
    return this.#entries.getById(this.#parse(entryIdSchema, entryId, 'food diary entry id'), uow?.ctx);
  }

  /** The entries of one local calendar day of the member, in the order eaten. */
  async listDay(query: DiaryDayQuery, uow?: UnitOfWork): Promise<FoodDiaryDay> {
    const q = this.#parse(diaryDayQuerySchema, query, 'food diary query');
    return this.#day(q.userId, q.date, q.timeZone, uow?.ctx);
  }

  /**
   * A day's totals, per day and per meal, against the goals of a nutrition plan: the plan
   * given, else the plan the day's latest entry was logged against, else the newest plan
   * written for the member; `plan` is `null` when there is none. A meal's target is the
   * totals of the plan meal of the same name.
   */
  async dayTotals(query: DiaryTotalsQuery, uow?: UnitOfWork): Promise<FoodDiaryDayTotals> {
    const q = this.#parse(diaryTotalsQuerySchema, query, 'food diary query');
    const ctx = uow?.ctx;
    const day = await this.#day(q.userId, q.date, q.timeZone, ctx);
    const planId = q.planId ?? day.entries.findLast((e) => e.planId !== undefined)?.planId;
    const plan = planId !== undefined ? await this.#memberPlan(q.userId, planId, ctx) : (await this.#plans.listForUser(q.userId, { limit: 1 }, ctx)).items[0];
    const summary = plan ? summarizeNutritionPlan(plan) : undefined;
    const totals = sumNutrients(day.entries.map((e) => e.nutrients));

    const planMeals = new Map((summary?.meals ?? []).map((m) => [m.name, m.totals]));
    const byMeal = new Map<string | null, FoodDiaryEntry[]>();
    for (const entry of day.entries) byMeal.set(entry.meal ?? null, [...(byMeal.get(entry.meal ?? null) ?? []), entry]);
    const order = [...planMeals.keys(), ...DIARY_MEALS, ...[...byMeal.keys()].filter((k): k is string => k !== null).sort(), null];
    const meals: DiaryMealTotals[] = [];
    for (const meal of new Set(order)) {
      const eaten = byMeal.get(meal) ?? [];
      const target = meal === null ? undefined : planMeals.get(meal);
      if (eaten.length === 0 && target === undefined) continue;
      const mealTotals = sumNutrients(eaten.map((e) => e.nutrients));
      meals.push({ meal, entries: eaten.length, totals: mealTotals, target: target ?? null, difference: target ? nutrientDifference(mealTotals, target) : null });
    }

    const { entries, ...window } = day;
    return {
      ...window,
      entries: entries.length,
      totals,
      meals,
      plan:
        plan && summary
          ? {
              planId: plan.id,
              planName: plan.name,
              target: summary.target,
              difference: nutrientDifference(totals, summary.target),
              calorieTargetReached: summary.target.calories > 0 ? round((totals.calories / summary.target.calories) * 100, 1) : null,
              macroSplit: { actual: macroSplitOf(totals), target: summary.macroSplit.target },
            }
          : null,
    };
  }

  // ── internals ──────────────────────────────────────────────────────────────

  async #day(userId: UserId, date: string, timeZone: string | undefined, ctx?: StoreContext): Promise<FoodDiaryDay> {
    const zone = timeZone ?? (await this.#profiles?.memberProfile(userId, ctx))?.timeZone ?? DEFAULT_TIME_ZONE;
    const window = calendarDayWindow(date, zone);
    const entries = await this.#entries.listForUserBetween(userId, window.start, window.end, ctx);
    return { userId, date: window.date, timeZone: zone, from: window.start, to: window.end, entries };
  }

  /** The schema with the diary's time rule: `eatenAt` at most {@link MAX_DIARY_LEAD_MS} after now. */
  #withLeadCheck<S extends z.ZodType<{ eatenAt?: Date | undefined }>>(schema: S) {
    const latest = this.#deps.clock.now().getTime() + MAX_DIARY_LEAD_MS;
    return schema.superRefine((value, ctx) => {
      if (value.eatenAt !== undefined && value.eatenAt.getTime() > latest) ctx.addIssue({ code: 'custom', path: ['eatenAt'], message: M.eatenTooFarAhead.en });
    });
  }

  #checkPortion(unit: DiaryUnit, portion: string | undefined): void {
    if ((unit === 'portion') !== (portion !== undefined)) this.#refuse(['portion'], 'diaryPortion');
  }

  #checkMeal(meal: string | undefined, plan: NutritionPlan | undefined): void {
    if (meal === undefined || (DIARY_MEALS as readonly string[]).includes(meal) || plan?.meals.some((m) => m.name === meal)) return;
    this.#refuse(['meal'], 'diaryMeal');
  }

  async #memberPlan(userId: UserId, planId: NutritionPlanId, ctx?: StoreContext): Promise<NutritionPlan> {
    const plan = await this.#plans.findById(planId, ctx);
    const forMember = plan && (plan.forUserId === userId || (plan.forUserId === undefined && plan.createdBy === userId));
    if (!plan || !forMember) this.#refuse(['planId'], 'diaryPlan');
    return plan;
  }

  async #food(foodId: FoodId, ctx?: StoreContext): Promise<FoodNutrientSource> {
    const [food] = await this.#foods.findManyByIds([foodId], ctx);
    if (!food) this.#refuse(['foodId'], 'diaryUnknownFood');
    return food;
  }

  /** The nutrients of `amount` `unit` of the food, rounded to 0.1. */
  #nutrientsOf(food: FoodNutrientSource, amount: number, unit: DiaryUnit, portionName: string | undefined): DiaryNutrients {
    let servings: number | null;
    if (unit === 'portion') {
      const portion = food.portions?.find((p) => p.name === portionName);
      if (!portion) this.#refuse(['portion'], 'diaryUnknownPortion');
      servings = food.nutrients.servingUnit === 'g' ? (amount * portion.grams) / food.nutrients.servingSize : null;
    } else {
      servings = servingsInPortion(food.nutrients, amount, unit);
    }
    if (servings === null) this.#refuse(['unit'], 'diaryUnit');
    return portionNutrients(food.nutrients, servings);
  }

  /** A `ValidationError` with one issue, in the instance's language. */
  #refuse(path: (string | number)[], message: 'diaryPortion' | 'diaryUnit' | 'diaryUnknownPortion' | 'diaryUnknownFood' | 'diaryMeal' | 'diaryPlan'): never {
    const text = this.#deps.locale === 'tr' ? (turkishMessageFor(M[message].en) ?? M[message].en) : M[message].en;
    const issue: ValidationIssue = { path, code: 'custom', message: text };
    throw new ValidationError(`Invalid food diary entry: ${path.join('.')}: ${text}`, [issue]);
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown, entity = 'food diary entry'): z.output<S> {
    return parseOrThrow(schema, input, { entity, ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}

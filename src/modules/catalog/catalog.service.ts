import { z } from 'zod';
import { ConflictError, ForbiddenError, NotFoundError } from '../../core/errors.js';
import { SERVING_UNITS, portionNutrients, servingsInPortion, type ScaledNutrients, type ServingUnit } from '../../core/fitness-vocabulary.js';
import type { ExerciseId, FoodId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { roundTo } from '../../core/rounding.js';
import { parseOrThrow } from '../../core/validation.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import type { ServiceDeps } from '../service-deps.js';
import { exerciseSearchSchema, type ExerciseRepository, type ExerciseSearchCriteria } from './exercise.repository.js';
import {
  createExerciseInputSchema,
  exerciseSchema,
  patchExerciseInputSchema,
  type CreateExerciseInput,
  type Exercise,
  type PatchExerciseInput,
} from './exercise.schema.js';
import { foodBarcodeSchema } from './food-barcode.js';
import { foodSearchSchema, type FoodRepository, type FoodSearchCriteria } from './food.repository.js';
import { createFoodInputSchema, foodSchema, patchFoodInputSchema, type CreateFoodInput, type Food, type FoodNutrients, type PatchFoodInput } from './food.schema.js';

/**
 * Who uses an exercise elsewhere. The catalogue cannot see workout templates (modules do not
 * import each other), so the host wires this port to the workouts module
 * (`WorkoutTemplateRepository` satisfies it as is).
 */
export interface ExerciseUsage {
  /** How many workout templates list the exercise. */
  countExerciseReferences(exerciseId: ExerciseId, ctx?: StoreContext): Promise<number>;
}

/**
 * Who acts on the catalogue: a user, or `null` for the platform itself (an admin tool, an
 * import, a migration), which may edit every exercise.
 */
export type CatalogActor = UserId | null;

/** An exercise with its alternates resolved (only those the viewer may see). */
export interface ExerciseWithAlternates {
  readonly exercise: Exercise;
  readonly alternates: readonly Exercise[];
}

/** The nutrients of a portion of a food, see {@link CatalogService.nutrientsFor}. */
export interface PortionNutrients extends ScaledNutrients {
  readonly foodId: FoodId;
  readonly quantity: number;
  readonly unit: ServingUnit;
  /** The portion in servings of the food (`nutrients` are per serving). */
  readonly servings: number;
}

const exerciseIdSchema = exerciseSchema.shape.id;
const foodIdSchema = foodSchema.shape.id;
const userIdSchema = exerciseSchema.shape.createdBy.unwrap();
const actorSchema = userIdSchema.nullable();
const versionOptionsSchema = z.strictObject({ expectedVersion: z.number().int().min(1).optional() });
const portionSchema = z.strictObject({
  quantity: z.number().gt(0).max(100_000),
  unit: z.enum(SERVING_UNITS),
});

/**
 * Alternate links write two documents that concurrent links may write too (a popular
 * exercise is linked from many); MongoDB's transactions then conflict and are re-run, so
 * more often than the default five attempts.
 */
const LINK_UNIT_OPTIONS = { maxAttempts: 50 } as const;

/** True when `viewer` may see the exercise: it is public, or the viewer created it. */
export function isExerciseVisibleTo(exercise: Pick<Exercise, 'isPublic' | 'createdBy'>, viewer: UserId | undefined): boolean {
  return exercise.isPublic || (viewer !== undefined && exercise.createdBy === viewer);
}

/**
 * The exercise and food catalogue.
 *
 * Exercises: search by body area, equipment, type, difficulty, tags and a folded name
 * prefix ("sinav" finds "Şınav"), always on the collection's indexes; visibility (a private
 * exercise is seen only by its creator: to anyone else it does not exist); alternates kept
 * symmetric (linking B to A links A to B in the same unit of work, unlinking likewise); and
 * deletion refused with `ConflictError('exercise_in_use')` while a workout template lists the
 * exercise (programmes reach exercises only through templates, so they are covered).
 *
 * Foods: CRUD, search, and {@link nutrientsFor} scaled to a portion.
 *
 * @example
 * ```ts
 * const catalog = new CatalogService(exercises, foods, templates, deps)
 * const page = await catalog.searchExercises({ text: 'sinav', bodyArea: 'chest', visibleTo: userId })
 * await catalog.addAlternate(pushUp.id, kneePushUp.id, null)
 * const { alternates } = await catalog.getWithAlternates(pushUp.id, userId)
 * ```
 */
export class CatalogService {
  readonly #exercises: ExerciseRepository;
  readonly #foods: FoodRepository;
  readonly #usage: ExerciseUsage;
  readonly #deps: ServiceDeps;

  constructor(exercises: ExerciseRepository, foods: FoodRepository, usage: ExerciseUsage, deps: ServiceDeps) {
    this.#exercises = exercises;
    this.#foods = foods;
    this.#usage = usage;
    this.#deps = deps;
  }

  // ── exercises ──────────────────────────────────────────────────────────────

  /**
   * Creates an exercise. Its alternates must exist and be visible to its creator (public ones
   * only for a platform exercise); each of them gets the new exercise as an alternate too,
   * in the same unit of work.
   */
  async createExercise(input: CreateExerciseInput, uow?: UnitOfWork): Promise<Exercise> {
    const data = this.#parse(createExerciseInputSchema, input);
    return inUnitOfWork(
      this.#deps.units,
      uow,
      async (u) => {
        const alternates = await this.#visibleExercises(data.alternateExercises, data.createdBy, u.ctx);
        const created = await this.#exercises.create(input, u.ctx);
        for (const alternate of alternates) await this.#link(alternate, created.id, u.ctx);
        return created;
      },
      LINK_UNIT_OPTIONS,
    );
  }

  /** The exercise; `NotFoundError` when it does not exist or is private to someone else. */
  async getExercise(exerciseId: ExerciseId, viewer?: UserId, uow?: UnitOfWork): Promise<Exercise> {
    const id = this.#parse(exerciseIdSchema, exerciseId);
    const who = viewer === undefined ? undefined : this.#parse(userIdSchema, viewer);
    const exercise = await this.#exercises.getById(id, uow?.ctx);
    if (!isExerciseVisibleTo(exercise, who)) throw new NotFoundError('exercise', id);
    return exercise;
  }

  /** The exercise and its alternates, in the order listed, leaving out those the viewer may not see. */
  async getWithAlternates(exerciseId: ExerciseId, viewer?: UserId, uow?: UnitOfWork): Promise<ExerciseWithAlternates> {
    const exercise = await this.getExercise(exerciseId, viewer, uow);
    const alternates = await this.#exercises.findManyByIds(exercise.alternateExercises, uow?.ctx);
    return { exercise, alternates: alternates.filter((a) => isExerciseVisibleTo(a, viewer)) };
  }

  /**
   * Searches the catalogue (filters combine with AND; `text` is a folded name prefix).
   * Public exercises only, plus the private ones of `visibleTo` when given.
   */
  async searchExercises(criteria: ExerciseSearchCriteria = {}, page?: PageRequest, uow?: UnitOfWork): Promise<Page<Exercise>> {
    return this.#exercises.search(this.#parse(exerciseSearchSchema, criteria), page, uow?.ctx);
  }

  /**
   * Updates an exercise: the creator or the platform only (`ForbiddenError`). Alternates
   * change through {@link addAlternate} and {@link removeAlternate}, which keep them symmetric.
   */
  async updateExercise(exerciseId: ExerciseId, patch: PatchExerciseInput, actor: CatalogActor, options: { expectedVersion?: number } = {}, uow?: UnitOfWork): Promise<Exercise> {
    const id = this.#parse(exerciseIdSchema, exerciseId);
    const who = this.#parse(actorSchema, actor);
    const changes = this.#parse(patchExerciseInputSchema, patch);
    const write = this.#parse(versionOptionsSchema, options);
    if (changes.alternateExercises !== undefined && changes.alternateExercises !== null) {
      throw new ConflictError('alternates_via_link_operations', 'Alternates change through addAlternate and removeAlternate, which keep them symmetric');
    }
    const current = await this.#exercises.getById(id, uow?.ctx);
    this.#assertMayEdit(current, who);
    return this.#exercises.patch(id, patch, { expectedVersion: write.expectedVersion ?? current.version }, uow?.ctx);
  }

  /**
   * Makes `alternateId` an alternate of `exerciseId` and `exerciseId` one of `alternateId`, in
   * one unit of work. The actor must be allowed to edit `exerciseId` and see `alternateId`.
   * Linking twice is a no-op; an exercise is never its own alternate.
   */
  async addAlternate(exerciseId: ExerciseId, alternateId: ExerciseId, actor: CatalogActor, uow?: UnitOfWork): Promise<Exercise> {
    const id = this.#parse(exerciseIdSchema, exerciseId);
    const otherId = this.#parse(exerciseIdSchema, alternateId);
    const who = this.#parse(actorSchema, actor);
    if (id === otherId) throw new ConflictError('alternate_of_itself', 'An exercise cannot be its own alternate');
    return inUnitOfWork(
      this.#deps.units,
      uow,
      async (u) => {
        const exercise = await this.#exercises.getById(id, u.ctx);
        this.#assertMayEdit(exercise, who);
        const [other] = await this.#visibleExercises([otherId], who ?? undefined, u.ctx, who === null);
        const linked = await this.#link(exercise, otherId, u.ctx);
        await this.#link(other!, id, u.ctx);
        return linked;
      },
      LINK_UNIT_OPTIONS,
    );
  }

  /** Unlinks two alternates in both directions, in one unit of work; unlinking unlinked ones is a no-op. */
  async removeAlternate(exerciseId: ExerciseId, alternateId: ExerciseId, actor: CatalogActor, uow?: UnitOfWork): Promise<Exercise> {
    const id = this.#parse(exerciseIdSchema, exerciseId);
    const otherId = this.#parse(exerciseIdSchema, alternateId);
    const who = this.#parse(actorSchema, actor);
    return inUnitOfWork(
      this.#deps.units,
      uow,
      async (u) => {
        const exercise = await this.#exercises.getById(id, u.ctx);
        this.#assertMayEdit(exercise, who);
        const unlinked = await this.#unlink(exercise, otherId, u.ctx);
        const other = await this.#exercises.findById(otherId, u.ctx);
        if (other) await this.#unlink(other, id, u.ctx);
        return unlinked;
      },
      LINK_UNIT_OPTIONS,
    );
  }

  /**
   * Deletes an exercise (creator or platform). Refused with `ConflictError('exercise_in_use')`
   * while a workout template lists it: logs keep their history either way, but a template
   * whose exercise vanished could no longer be followed. The exercise is also removed from
   * the alternates of its alternates, in the same unit of work.
   */
  async deleteExercise(exerciseId: ExerciseId, actor: CatalogActor, uow?: UnitOfWork): Promise<void> {
    const id = this.#parse(exerciseIdSchema, exerciseId);
    const who = this.#parse(actorSchema, actor);
    await inUnitOfWork(
      this.#deps.units,
      uow,
      async (u) => {
        const exercise = await this.#exercises.getById(id, u.ctx);
        this.#assertMayEdit(exercise, who);
        const references = await this.#usage.countExerciseReferences(id, u.ctx);
        if (references > 0) {
          throw new ConflictError('exercise_in_use', `Exercise ${id} is used by ${references} workout template(s)`, { details: { templates: references } });
        }
        for (const alternate of await this.#exercises.findManyByIds(exercise.alternateExercises, u.ctx)) await this.#unlink(alternate, id, u.ctx);
        await this.#exercises.delete(id, { expectedVersion: exercise.version }, u.ctx);
      },
      LINK_UNIT_OPTIONS,
    );
  }

  // ── foods ──────────────────────────────────────────────────────────────────

  /** Adds a food to the catalogue. */
  async createFood(input: CreateFoodInput, uow?: UnitOfWork): Promise<Food> {
    this.#parse(createFoodInputSchema, input);
    return this.#foods.create(input, uow?.ctx);
  }

  /** One food; `NotFoundError` when there is none. */
  async getFood(foodId: FoodId, uow?: UnitOfWork): Promise<Food> {
    return this.#foods.getById(this.#parse(foodIdSchema, foodId), uow?.ctx);
  }

  /** Changes a food, under a version check when `expectedVersion` is given. */
  async updateFood(foodId: FoodId, patch: PatchFoodInput, options: { expectedVersion?: number } = {}, uow?: UnitOfWork): Promise<Food> {
    const id = this.#parse(foodIdSchema, foodId);
    this.#parse(patchFoodInputSchema, patch);
    const write = this.#parse(versionOptionsSchema, options);
    return this.#foods.patch(id, patch, write.expectedVersion === undefined ? {} : { expectedVersion: write.expectedVersion }, uow?.ctx);
  }

  /** The food with this barcode (EAN-8, UPC-A or EAN-13, check digit validated); `NotFoundError` when there is none. */
  async findFoodByBarcode(barcode: string, uow?: UnitOfWork): Promise<Food> {
    const code = this.#parse(foodBarcodeSchema, barcode);
    const food = await this.#foods.findByBarcode(code, uow?.ctx);
    if (!food) throw new NotFoundError('food', code);
    return food;
  }

  /** Foods by folded name prefix ("yulaf"), category, tags and diet flags. */
  async searchFoods(criteria: FoodSearchCriteria = {}, page?: PageRequest, uow?: UnitOfWork): Promise<Page<Food>> {
    return this.#foods.search(this.#parse(foodSearchSchema, criteria), page, uow?.ctx);
  }

  /**
   * The nutrients of `quantity` `unit` of a food, scaled from its per-serving values.
   * Conversion rules:
   * - `serving`: `quantity` servings, whatever the food's serving unit;
   * - the food's own serving unit (`g` for a 40 g serving, `piece`, `ml`…):
   *   `quantity / servingSize` servings;
   * - anything else is refused with `ConflictError('unit_not_convertible')`: grams and
   *   millilitres need a density, pieces and grams a piece weight, neither of which a food has.
   *
   * Every value is rounded to one decimal, half away from zero; optional nutrients appear only
   * when the food has them.
   *
   * @example
   * ```ts
   * // oats: 40 g per serving, 150 kcal
   * await catalog.nutrientsFor(oatsId, 60, 'g') // { servings: 1.5, calories: 225, ... }
   * ```
   */
  async nutrientsFor(foodId: FoodId, quantity: number, unit: ServingUnit, uow?: UnitOfWork): Promise<PortionNutrients> {
    const portion = this.#parse(portionSchema, { quantity, unit });
    const food = await this.getFood(foodId, uow);
    const n = food.nutrients;
    const servings = servingsOf(n, portion.quantity, portion.unit);
    return {
      foodId: food.id,
      quantity: portion.quantity,
      unit: portion.unit,
      servings: roundTo(servings, 3),
      ...portionNutrients(n, servings),
    };
  }

  // ── internals ──────────────────────────────────────────────────────────────

  /** The exercises with these ids; `NotFoundError` for any missing or not visible to `viewer`. */
  async #visibleExercises(ids: readonly ExerciseId[], viewer: UserId | undefined, ctx: StoreContext, seesAll = false): Promise<Exercise[]> {
    const found = await this.#exercises.findManyByIds(ids, ctx);
    const byId = new Map(found.map((e) => [e.id, e]));
    return ids.map((id) => {
      const exercise = byId.get(id);
      if (!exercise || (!seesAll && !isExerciseVisibleTo(exercise, viewer))) throw new NotFoundError('exercise', id);
      return exercise;
    });
  }

  async #link(exercise: Exercise, alternateId: ExerciseId, ctx: StoreContext): Promise<Exercise> {
    if (exercise.alternateExercises.includes(alternateId)) return exercise;
    return this.#exercises.patch(exercise.id, { alternateExercises: [...exercise.alternateExercises, alternateId] }, { expectedVersion: exercise.version }, ctx);
  }

  async #unlink(exercise: Exercise, alternateId: ExerciseId, ctx: StoreContext): Promise<Exercise> {
    if (!exercise.alternateExercises.includes(alternateId)) return exercise;
    return this.#exercises.patch(
      exercise.id,
      { alternateExercises: exercise.alternateExercises.filter((a) => a !== alternateId) },
      { expectedVersion: exercise.version },
      ctx,
    );
  }

  #assertMayEdit(exercise: Exercise, actor: UserId | null): void {
    if (actor === null || exercise.createdBy === actor) return;
    if (!isExerciseVisibleTo(exercise, actor)) throw new NotFoundError('exercise', exercise.id);
    throw new ForbiddenError(`Only the creator of exercise ${exercise.id} or the platform may change it`, { details: { exerciseId: exercise.id } });
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: 'catalog input', ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}

/** Servings in a portion, by the rules of {@link CatalogService.nutrientsFor}. */
function servingsOf(nutrients: FoodNutrients, quantity: number, unit: ServingUnit): number {
  const servings = servingsInPortion(nutrients, quantity, unit);
  if (servings !== null) return servings;
  throw new ConflictError('unit_not_convertible', `A portion in ${unit} cannot be converted to servings of ${nutrients.servingSize} ${nutrients.servingUnit}`, {
    details: { unit, servingUnit: nutrients.servingUnit },
  });
}

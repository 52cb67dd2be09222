import { roundTo } from './rounding.js';
/**
 * Value sets shared by several collections (exercises, workout templates and programmes,
 * classes, foods and nutrition plans), kept in one place so the modules agree.
 *
 * @example
 * ```ts
 * z.enum(DIFFICULTY_LEVELS).parse('beginner')
 * ```
 */
export const DIFFICULTY_LEVELS = ['beginner', 'intermediate', 'advanced'] as const;
/** A difficulty level of an exercise, template or programme. */
export type DifficultyLevel = (typeof DIFFICULTY_LEVELS)[number];

/** Body areas an exercise or a workout targets. */
export const BODY_AREAS = [
  'full_body',
  'upper_body',
  'lower_body',
  'chest',
  'back',
  'shoulders',
  'biceps',
  'triceps',
  'forearms',
  'core',
  'glutes',
  'quadriceps',
  'hamstrings',
  'calves',
  'hips',
  'neck',
] as const;
/** A body area an exercise works. */
export type BodyArea = (typeof BODY_AREAS)[number];

/** Units a food serving or a planned portion is measured in. */
export const SERVING_UNITS = ['g', 'ml', 'piece', 'serving', 'cup', 'tbsp', 'tsp', 'slice'] as const;
/** A unit a food portion is measured in. */
export type ServingUnit = (typeof SERVING_UNITS)[number];

/**
 * How many servings of a food `quantity` `unit` is: `quantity` servings, or
 * `quantity / servingSize` in the food's own serving unit; `null` for any other unit, since a
 * food has no density or piece weight to convert grams, millilitres and pieces between.
 *
 * @example
 * ```ts
 * servingsInPortion({ servingSize: 100, servingUnit: 'g' }, 250, 'g') // 2.5
 * ```
 */
export function servingsInPortion(serving: { readonly servingSize: number; readonly servingUnit: ServingUnit }, quantity: number, unit: ServingUnit): number | null {
  if (unit === 'serving') return quantity;
  if (unit === serving.servingUnit) return quantity / serving.servingSize;
  return null;
}

/** The per-serving nutrients of a food that scale with the portion (grams, and kcal for energy). */
export interface ServingNutrients {
  readonly calories: number;
  readonly protein: number;
  readonly carbs: number;
  readonly fat: number;
  readonly fiber?: number | undefined;
  readonly sugar?: number | undefined;
  readonly saturatedFat?: number | undefined;
  readonly sodium?: number | undefined;
}

/** {@link ServingNutrients} of a portion: each value present in the food, never one it lacks. */
export interface ScaledNutrients {
  readonly calories: number;
  readonly protein: number;
  readonly carbs: number;
  readonly fat: number;
  readonly fiber?: number;
  readonly sugar?: number;
  readonly saturatedFat?: number;
  readonly sodium?: number;
}

const tenth = (value: number) => roundTo(value, 1);

/**
 * The nutrients of `servings` servings of a food: every value multiplied, then rounded to one
 * decimal, half away from zero. Optional nutrients appear only when the food has them. The
 * catalogue's portions and the food diary's entries both use it, so the same portion has the
 * same numbers in both.
 *
 * @example
 * ```ts
 * portionNutrients({ calories: 150, protein: 5, carbs: 27, fat: 2.5, fiber: 4 }, 1.5)
 * // { calories: 225, protein: 7.5, carbs: 40.5, fat: 3.8, fiber: 6 }
 * ```
 */
export function portionNutrients(n: ServingNutrients, servings: number): ScaledNutrients {
  return {
    calories: tenth(n.calories * servings),
    protein: tenth(n.protein * servings),
    carbs: tenth(n.carbs * servings),
    fat: tenth(n.fat * servings),
    ...(n.fiber === undefined ? {} : { fiber: tenth(n.fiber * servings) }),
    ...(n.sugar === undefined ? {} : { sugar: tenth(n.sugar * servings) }),
    ...(n.saturatedFat === undefined ? {} : { saturatedFat: tenth(n.saturatedFat * servings) }),
    ...(n.sodium === undefined ? {} : { sodium: tenth(n.sodium * servings) }),
  };
}

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

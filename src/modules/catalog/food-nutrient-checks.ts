import type { ValidationIssue } from '../../core/errors.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';

/** Energy per gram the consistency check counts: protein and carbohydrates 4, fat 9, fibre 2 kcal (EU Regulation 1169/2011, Annex XIV). */
export const ENERGY_CHECK_KCAL_PER_GRAM = { protein: 4, carbs: 4, fat: 9, fiber: 2 } as const;

/**
 * The tolerances of {@link foodNutrientIssues}: the declared energy may differ from the energy
 * computed from the macros by `relative` of itself plus `absoluteKcalPer100g` (scaled to the
 * serving), and the check is skipped when both are below `minKcalPer100g` (a drink of water,
 * a spice: rounding dominates there). A label's values are rounded and EU law allows ±20 %
 * or more per nutrient, so a tighter band would refuse honest labels.
 */
export const ENERGY_CHECK_TOLERANCE = { relative: 0.2, absoluteKcalPer100g: 15, minKcalPer100g: 10 } as const;

/** Protein, carbohydrates and fat may add up to this many grams per 100 g (labels' measurement tolerances; Open Food Facts' own quality check uses 105). */
export const MAX_MACROS_PER_100G = 105;

/** The nutrient values a consistency check reads: per serving of `servingSize` `servingUnit`. */
export interface CheckedNutrients {
  readonly servingSize: number;
  readonly servingUnit: string;
  readonly calories: number;
  readonly protein: number;
  readonly carbs: number;
  readonly fat: number;
  readonly fiber?: number | undefined;
  readonly sugar?: number | undefined;
  readonly saturatedFat?: number | undefined;
}

/**
 * The inconsistencies of a food's nutrients, the sanity checks wger applies to imported
 * foods, each an issue whose path names the field (relative to the nutrients object):
 * - `saturatedFat` above `fat`, `sugar` above `carbs`;
 * - for a food measured in g or ml (1 ml counted as 1 g): any of protein, carbohydrates,
 *   fat, fibre, sugar or saturated fat above 100 g per 100 g, or protein + carbohydrates +
 *   fat above {@link MAX_MACROS_PER_100G};
 * - `calories` outside the band of {@link ENERGY_CHECK_TOLERANCE} around
 *   4 × protein + 4 × carbohydrates + 9 × fat + 2 × fibre.
 *
 * @example
 * ```ts
 * foodNutrientIssues({ servingSize: 100, servingUnit: 'g', calories: 900, protein: 10, carbs: 10, fat: 5 })
 * // [{ path: ['calories'], code: 'custom', message: 'The energy does not match the macronutrients …' }]
 * ```
 */
export function foodNutrientIssues(n: CheckedNutrients): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const issue = (path: string, message: string) => issues.push({ path: [path], code: 'custom', message });
  if (n.saturatedFat !== undefined && n.saturatedFat > n.fat) issue('saturatedFat', M.saturatedFatWithinFat.en);
  if (n.sugar !== undefined && n.sugar > n.carbs) issue('sugar', M.sugarsWithinCarbs.en);
  const massBased = n.servingUnit === 'g' || n.servingUnit === 'ml';
  // Per 100 g of the food, when the serving is a mass (or a volume, read as grams); otherwise per serving.
  const per100 = massBased ? 100 / n.servingSize : 1;
  if (massBased) {
    for (const field of ['protein', 'carbs', 'fat', 'fiber', 'sugar', 'saturatedFat'] as const) {
      const value = n[field];
      if (value !== undefined && value * per100 > 100 + 1e-9) issue(field, M.nutrientOver100g.en);
    }
    if ((n.protein + n.carbs + n.fat) * per100 > MAX_MACROS_PER_100G + 1e-9) issue('fat', M.macrosOver105g.en);
  }
  const k = ENERGY_CHECK_KCAL_PER_GRAM;
  const computed = n.protein * k.protein + n.carbs * k.carbs + n.fat * k.fat + (n.fiber ?? 0) * k.fiber;
  // The absolute allowances are per 100 g; for a piece or a cup they apply per serving.
  const scale = massBased ? n.servingSize / 100 : 1;
  const t = ENERGY_CHECK_TOLERANCE;
  if (n.calories > t.minKcalPer100g * scale || computed > t.minKcalPer100g * scale) {
    const lower = n.calories * (1 - t.relative) - t.absoluteKcalPer100g * scale;
    const upper = n.calories * (1 + t.relative) + t.absoluteKcalPer100g * scale;
    if (computed < lower || computed > upper) issue('calories', M.energyMatchesMacros.en);
  }
  return issues;
}

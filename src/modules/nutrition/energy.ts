import { roundTo } from '../../core/rounding.js';

/** The sexes the Mifflin-St Jeor equation distinguishes (its constant term differs). */
export const BMR_SEXES = ['male', 'female'] as const;
/** The sex term of the Mifflin-St Jeor equation. */
export type BmrSex = (typeof BMR_SEXES)[number];

/**
 * Activity factors that turn a basal metabolic rate into total daily energy expenditure —
 * the multipliers commonly used with Mifflin-St Jeor (after McArdle, Katch & Katch):
 * - `sedentary` 1.2: desk work, little or no exercise;
 * - `light` 1.375: light exercise 1–3 days a week;
 * - `moderate` 1.55: moderate exercise 3–5 days a week;
 * - `active` 1.725: hard exercise 6–7 days a week;
 * - `very_active` 1.9: hard daily training and a physical job, or twice-daily training.
 */
export const ACTIVITY_FACTORS = {
  sedentary: 1.2,
  light: 1.375,
  moderate: 1.55,
  active: 1.725,
  very_active: 1.9,
} as const;
/** An activity level of {@link ACTIVITY_FACTORS}. */
export type ActivityLevel = keyof typeof ACTIVITY_FACTORS;
/** The activity levels, lightest first. */
export const ACTIVITY_LEVELS = Object.keys(ACTIVITY_FACTORS) as [ActivityLevel, ...ActivityLevel[]];

/** What the Mifflin-St Jeor equation needs: body weight in kg, height in cm, age in whole years, sex. */
export interface BmrInput {
  readonly sex: BmrSex;
  readonly weightKg: number;
  readonly heightCm: number;
  readonly ageYears: number;
}

/**
 * Basal metabolic rate in kcal per day by Mifflin-St Jeor (1990):
 * `10 × weight(kg) + 6.25 × height(cm) − 5 × age(y) + s`, `s` = +5 for men and −161 for
 * women. Rounded to 0.1 kcal.
 *
 * @example
 * ```ts
 * basalMetabolicRate({ sex: 'female', weightKg: 60, heightCm: 165, ageYears: 30 }) // 1320.3
 * ```
 */
export function basalMetabolicRate(input: BmrInput): number {
  const s = input.sex === 'male' ? 5 : -161;
  return roundTo(10 * input.weightKg + 6.25 * input.heightCm - 5 * input.ageYears + s, 1);
}

/**
 * Total daily energy expenditure in kcal per day: the basal metabolic rate times the
 * {@link ACTIVITY_FACTORS} factor of `activity`, rounded to whole kcal.
 *
 * @example
 * ```ts
 * totalDailyEnergyExpenditure(1320.25, 'moderate') // 2046
 * ```
 */
export function totalDailyEnergyExpenditure(bmr: number, activity: ActivityLevel): number {
  return roundTo(bmr * ACTIVITY_FACTORS[activity], 0);
}

export { ageInYears } from '../../core/age.js';

import { z } from 'zod';

/** The units a load is entered in; kilograms are canonical (what is stored and compared). */
export const WEIGHT_UNITS = ['kg', 'lb'] as const;
/** The units a distance is entered in; metres are canonical. */
export const DISTANCE_UNITS = ['m', 'km', 'mi'] as const;
/** A unit of load: kilograms or pounds. */
export type WeightUnit = (typeof WEIGHT_UNITS)[number];
/** A unit of distance: metres, kilometres or international miles. */
export type DistanceUnit = (typeof DISTANCE_UNITS)[number];

/** One international avoirdupois pound in kilograms, exactly (international yard and pound agreement, 1959). */
export const KILOGRAMS_PER_POUND = 0.45359237;
/** One international mile in metres, exactly. */
export const METRES_PER_MILE = 1_609.344;

/**
 * How a load shown to a lifter is rounded: to a multiple of `increment` (the smallest step
 * the lifter's plates allow: 0.5, 1 or 2.5 kg; 1, 2.5 or 5 lb) or to `decimals` places, in
 * the unit shown; `mode` rounds to the nearest step (halves up), always down or always up.
 */
export interface LoadRounding {
  readonly increment?: number | undefined;
  readonly decimals?: number | undefined;
  readonly mode?: 'nearest' | 'down' | 'up' | undefined;
}

/** Validates a {@link LoadRounding}: an increment or a number of decimals (0–3), not both. */
export const loadRoundingSchema = z
  .strictObject({
    increment: z.number().positive().max(100).optional(),
    decimals: z.number().int().min(0).max(3).optional(),
    mode: z.enum(['nearest', 'down', 'up']).default('nearest'),
  })
  .refine((r) => r.increment === undefined || r.decimals === undefined, { error: 'Give an increment or decimals, not both', path: ['decimals'] });

/** The plates a gym usually has: 2.5 kg (two 1.25 kg plates) or 5 lb (two 2.5 lb plates). */
export const DEFAULT_LOAD_ROUNDING: Readonly<Record<WeightUnit, LoadRounding>> = {
  kg: { increment: 2.5, mode: 'nearest' },
  lb: { increment: 5, mode: 'nearest' },
};

// Exact arithmetic: every finite double is a decimal fraction n / 10^k, and the conversion
// factors are decimals too, so conversions and roundings are done on integers and only the
// result is turned back into the nearest double.
interface Fraction {
  readonly n: bigint;
  readonly d: bigint;
}

const TEN = 10n;

function fractionOf(value: number): Fraction {
  if (!Number.isFinite(value)) throw new RangeError(`Not a finite number: ${value}`);
  // The shortest decimal that reads back as this double, e.g. 102.05828325 or 1e-7.
  const match = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(value));
  if (!match) throw new RangeError(`Cannot read ${value} as a decimal`);
  const [, sign, whole, fraction = '', exponent = '0'] = match;
  const scale = fraction.length - Number(exponent);
  let n = BigInt(`${sign}${whole}${fraction}`);
  let d = 1n;
  if (scale >= 0) d = TEN ** BigInt(scale);
  else n *= TEN ** BigInt(-scale);
  return { n, d };
}

const multiply = (a: Fraction, b: Fraction): Fraction => ({ n: a.n * b.n, d: a.d * b.d });
const divide = (a: Fraction, b: Fraction): Fraction => (b.n < 0n ? { n: -a.n * b.d, d: a.d * -b.n } : { n: a.n * b.d, d: a.d * b.n });

/** `a / b` rounded to an integer: to nearest with halves away from zero, or towards −∞ / +∞. */
function roundQuotient(f: Fraction, mode: 'nearest' | 'down' | 'up'): bigint {
  const { n, d } = f;
  const floor = n >= 0n ? n / d : -((-n + d - 1n) / d);
  const remainder = n - floor * d;
  if (remainder === 0n) return floor;
  if (mode === 'down') return floor;
  if (mode === 'up') return floor + 1n;
  const twice = 2n * remainder;
  if (twice > d) return floor + 1n;
  if (twice < d) return floor;
  return n >= 0n ? floor + 1n : floor;
}

/** The double nearest to a fraction: exact decimals go through their decimal text. */
function toNumber(f: Fraction, maxDecimals = 12): number {
  // Enough digits that every conversion of a human-entered value is represented exactly.
  const scale = TEN ** BigInt(maxDecimals);
  const scaled = roundQuotient({ n: f.n * scale, d: f.d }, 'nearest');
  const negative = scaled < 0n;
  const digits = (negative ? -scaled : scaled).toString().padStart(maxDecimals + 1, '0');
  const text = `${negative ? '-' : ''}${digits.slice(0, -maxDecimals)}.${digits.slice(-maxDecimals)}`;
  const result = Number(text);
  return Object.is(result, -0) ? 0 : result;
}

const KG_PER_LB = fractionOf(KILOGRAMS_PER_POUND);
const FACTOR: Readonly<Record<WeightUnit | DistanceUnit, Fraction>> = {
  kg: { n: 1n, d: 1n },
  lb: KG_PER_LB,
  m: { n: 1n, d: 1n },
  km: { n: 1_000n, d: 1n },
  mi: fractionOf(METRES_PER_MILE),
};

function rounded(value: Fraction, rounding: LoadRounding | undefined): Fraction {
  if (!rounding || (rounding.increment === undefined && rounding.decimals === undefined)) return value;
  const step = rounding.increment !== undefined ? fractionOf(rounding.increment) : { n: 1n, d: TEN ** BigInt(rounding.decimals!) };
  const count = roundQuotient(divide(value, step), rounding.mode ?? 'nearest');
  return { n: count * step.n, d: step.d };
}

/**
 * A load in kilograms, the canonical unit: `225 lb` is exactly `102.05828325 kg` (the double
 * nearest to it). Conversions are exact: they run on integers, not on binary fractions.
 *
 * @example
 * ```ts
 * toKilograms(225, 'lb') // 102.05828325
 * ```
 */
export function toKilograms(value: number, unit: WeightUnit): number {
  return toNumber(multiply(fractionOf(value), FACTOR[unit]));
}

/**
 * A load given in kilograms, in `unit`, optionally rounded as the lifter chooses. A value that
 * {@link toKilograms} made from a pound value reads back as that value exactly.
 *
 * @example
 * ```ts
 * fromKilograms(102.05828325, 'lb') // 225
 * fromKilograms(100, 'lb', { increment: 5 }) // 220 (220.46 rounded to 5 lb plates)
 * ```
 */
export function fromKilograms(kilograms: number, unit: WeightUnit, rounding?: LoadRounding): number {
  return toNumber(rounded(divide(fractionOf(kilograms), FACTOR[unit]), rounding));
}

/**
 * A value rounded as a {@link LoadRounding} says, in whatever unit it is in; exact.
 *
 * @example
 * ```ts
 * roundLoad(103.75, { increment: 2.5 }) // 105 (a half step rounds up)
 * roundLoad(103.75, { increment: 2.5, mode: 'down' }) // 102.5
 * ```
 */
export function roundLoad(value: number, rounding: LoadRounding): number {
  return toNumber(rounded(fractionOf(value), rounding));
}

/**
 * The canonical kilograms of a load as a lifter in `unit` would load the bar: rounded in
 * their unit, then converted back exactly.
 *
 * @example
 * ```ts
 * loadableKilograms(100, 'lb', { increment: 5 }) // 99.7903214 (220 lb)
 * ```
 */
export function loadableKilograms(kilograms: number, unit: WeightUnit, rounding: LoadRounding): number {
  return toKilograms(fromKilograms(kilograms, unit, rounding), unit);
}

/**
 * A distance in metres, the canonical unit (1 mi = 1609.344 m exactly).
 *
 * @example
 * ```ts
 * toMetres(5, 'km') // 5000
 * ```
 */
export function toMetres(value: number, unit: DistanceUnit): number {
  return toNumber(multiply(fractionOf(value), FACTOR[unit]));
}

/**
 * A distance given in metres, in `unit`.
 *
 * @example
 * ```ts
 * fromMetres(1609.344, 'mi') // 1
 * ```
 */
export function fromMetres(metres: number, unit: DistanceUnit): number {
  return toNumber(divide(fractionOf(metres), FACTOR[unit]));
}

import { z } from 'zod';

/**
 * Money in the domain API is an integer count of minor units (kuruş for TRY), as payment
 * APIs do, so no amount ever passes through binary floating point (SPEC decision 5).
 * PostgreSQL `DECIMAL(10,2)` values cross the boundary as exact decimal strings.
 */
export type MinorUnits = number;

/** ISO 4217 currency codes accepted by the SDK (upper-case, three letters). */
export const currencyCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{3}$/, { message: 'Expected an ISO 4217 currency code such as TRY' });

/** The currency amounts are in when none is given: Turkish lira (ISO 4217 `TRY`). */
export const DEFAULT_CURRENCY = 'TRY';

/** Largest amount a `DECIMAL(10,2)` column holds, in minor units. */
export const MAX_DECIMAL_10_2_MINOR = 99_999_999_99;

/** A non-negative integer amount in minor units that fits `DECIMAL(10,2)`. */
export const minorUnitsSchema = z.number().int().min(0).max(MAX_DECIMAL_10_2_MINOR);

/** A signed integer amount in minor units (refunds are negative) that fits `DECIMAL(10,2)`. */
export const signedMinorUnitsSchema = z.number().int().min(-MAX_DECIMAL_10_2_MINOR).max(MAX_DECIMAL_10_2_MINOR);

/**
 * Minor units to the exact decimal string PostgreSQL stores (`12345` -> `"123.45"`).
 *
 * @example
 * ```ts
 * minorToDecimal(-5) // "-0.05"
 * ```
 */
export function minorToDecimal(minor: MinorUnits): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`Not an integer amount of minor units: ${minor}`);
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor).toString().padStart(3, '0');
  return `${sign}${abs.slice(0, -2)}.${abs.slice(-2)}`;
}

/**
 * An exact decimal string (as `pg` returns NUMERIC) to minor units, without floating point
 * (`"123.45"` -> `12345`). More than two fraction digits are refused, not rounded.
 */
export function decimalToMinor(decimal: string): MinorUnits {
  const match = /^(-?)(\d+)(?:\.(\d{1,2})0*)?$/.exec(decimal.trim());
  if (!match) throw new RangeError(`Not a decimal amount with at most 2 fraction digits: ${decimal}`);
  const [, sign, whole, fraction = ''] = match;
  const minor = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(minor)) throw new RangeError(`Amount out of range: ${decimal}`);
  return sign === '-' && minor !== 0 ? -minor : minor;
}

/**
 * `amount * numerator / denominator`, rounded half away from zero, in exact integer
 * arithmetic. Used for tax and proration.
 *
 * @example
 * ```ts
 * percentOf(10_00, 20) // 2_00: 20 % VAT on 10.00
 * ```
 */
export function mulDivRound(amount: MinorUnits, numerator: number, denominator: number): MinorUnits {
  if (!Number.isSafeInteger(amount) || !Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator <= 0) {
    throw new RangeError('mulDivRound takes safe integers and a positive denominator');
  }
  const product = BigInt(amount) * BigInt(numerator);
  const d = BigInt(denominator);
  const negative = product < 0n;
  const abs = negative ? -product : product;
  let q = abs / d;
  if ((abs % d) * 2n >= d) q += 1n;
  return Number(negative ? -q : q);
}

/** `percent` % of `amount`, exact, rounded half away from zero; `percent` may have two decimals given as basis points via {@link mulDivRound}. */
export function percentOf(amount: MinorUnits, percent: number): MinorUnits {
  return mulDivRound(amount, Math.round(percent * 100), 100_00);
}

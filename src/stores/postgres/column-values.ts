import { decimalToMinor, minorToDecimal, type MinorUnits } from '../../core/money.js';

/**
 * Conversions between the values `pg` returns and the SDK's entity values, shared by every
 * PostgreSQL repository's row mapping. They accept what the SDK's own pool returns
 * (`DATE` and `NUMERIC` as text) and also what a host app's differently configured pool
 * would (`DATE` as a local-midnight `Date`), so a lent pool cannot shift a day or an amount.
 *
 * @example
 * ```ts
 * calendarDateOf(new Date(2026, 2, 1)) // '2026-03-01', whatever the process's time zone
 * minorOf('149.90')                    // 14990
 * ```
 */
export function calendarDateOf(value: unknown): string {
  if (typeof value === 'string') return value.slice(0, 10);
  // `pg`'s default DATE parser builds the Date at local midnight: read it back in local time.
  if (value instanceof Date) {
    const month = String(value.getMonth() + 1).padStart(2, '0');
    const day = String(value.getDate()).padStart(2, '0');
    return `${String(value.getFullYear()).padStart(4, '0')}-${month}-${day}`;
  }
  throw new TypeError(`Not a DATE value: ${String(value)}`);
}

/** A nullable `DATE` column as `YYYY-MM-DD` or `null`. */
export function nullableCalendarDateOf(value: unknown): string | null {
  return value === null || value === undefined ? null : calendarDateOf(value);
}

/**
 * A `DECIMAL` value as minor units, exactly. A number only arrives from a host pool that
 * parses NUMERIC itself; two fraction digits are all a `DECIMAL(p, 2)` column holds.
 */
export function minorOf(value: unknown): MinorUnits {
  if (typeof value === 'string') return decimalToMinor(value);
  if (typeof value === 'number') return decimalToMinor(value.toFixed(2));
  throw new TypeError(`Not a DECIMAL value: ${String(value)}`);
}

/** Minor units as the exact decimal text a `DECIMAL(p, 2)` column takes. */
export function decimalOf(minor: MinorUnits): string {
  return minorToDecimal(minor);
}

/** A `TIMESTAMPTZ` value as a `Date`. */
export function instantOf(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string') return new Date(value);
  throw new TypeError(`Not a TIMESTAMPTZ value: ${String(value)}`);
}

/** A JSONB value as the JSON text the column takes on write (`null` stays SQL NULL). */
export function jsonTextOf(value: object): string;
export function jsonTextOf(value: object | null | undefined): string | null;
export function jsonTextOf(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

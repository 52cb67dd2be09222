import type { JsonValue } from 'type-fest';
import { z } from 'zod';
import { currencyCodeSchema, DEFAULT_CURRENCY, minorUnitsSchema } from './money.js';
import { VALIDATION_MESSAGES as M } from './validation-messages.js';

/**
 * Shared building blocks of every entity schema: bounded strings and lists, contact data,
 * times of day, dates in a sane range, geo shapes and free-form JSON without keys MongoDB or
 * a query builder would treat as operators.
 *
 * @example
 * ```ts
 * const roomSchema = z.strictObject({ name: nameSchema, capacity: countSchema, opensAt: timeOfDaySchema });
 * ```
 */
export const LIMITS = {
  /** Names and titles. */
  name: 200,
  /** Short labels: tags, categories, units, permission names. */
  label: 100,
  /** Descriptions, notes, bios. */
  text: 5_000,
  /** URLs (the de-facto limit of browsers and CDNs). */
  url: 2_048,
  /** Any list inside a document, so a document stays far below MongoDB's 16 MB. */
  list: 500,
  /** Tag-like lists. */
  tags: 100,
} as const;

/** A trimmed, non-empty string of at most `max` characters. */
export function requiredText(max: number = LIMITS.name) {
  return z.string().trim().min(1).max(max);
}

/** A trimmed string of at most `max` characters (may be empty). */
export function optionalText(max: number = LIMITS.text) {
  return z.string().trim().max(max);
}

/** Names of people, places, exercises, plans (1–200 characters). */
export const nameSchema = requiredText(LIMITS.name);

/** A short label such as a tag, a category or a permission (1–100 characters). */
export const labelSchema = requiredText(LIMITS.label);

/** Descriptions, notes and bios (up to 5 000 characters). */
export const longTextSchema = optionalText(LIMITS.text);

/** A list of at most `max` items (500 by default). */
export function boundedArray<T extends z.ZodType>(item: T, max: number = LIMITS.list) {
  return z.array(item).max(max);
}

/** A list whose items are unique (by `===`, or by `keyOf`). */
export function uniqueArray<T extends z.ZodType>(item: T, max: number = LIMITS.list, keyOf: (value: z.output<T>) => unknown = (v) => v) {
  return z
    .array(item)
    .max(max)
    .refine((items) => new Set(items.map(keyOf)).size === items.length, { error: M.uniqueItems.en });
}

/** Free-form labels (tags, goals, amenities…): at most 100 labels of at most 100 characters. */
export const labelListSchema = boundedArray(labelSchema, LIMITS.tags);

/** An http or https URL (at most 2 048 characters). */
export const urlSchema = z
  .string()
  .trim()
  .max(LIMITS.url)
  .regex(/^https?:\/\/[^\s/?#]+[^\s]*$/, { error: M.url.en })
  .refine(isHttpUrl, { error: M.url.en });

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/**
 * Lower-cases the ASCII letters only. `toLowerCase()` would turn `İ` into `i` + U+0307 and
 * `toLocaleLowerCase('tr')` would turn `I` into `ı`: neither is what the mailbox owner typed.
 * Domains are ASCII (or punycode) in practice and the local part is case-sensitive by
 * RFC 5321, so only ASCII case is folded; other letters are kept, NFC-normalised.
 */
export function normaliseEmail(value: string): string {
  return value.trim().normalize('NFC').replace(/[A-Z]+/g, (s) => s.toLowerCase());
}

/** An e-mail address, normalised by `normaliseEmail` (Unicode local parts allowed). */
export const emailSchema = z
  .string()
  .max(254)
  .overwrite(normaliseEmail)
  .regex(z.regexes.unicodeEmail, { error: M.email.en });

/** Strips the separators people type in phone numbers. */
export function normalisePhone(value: string): string {
  return value.trim().replace(/[\s\-().]/g, '');
}

/** A phone number, E.164-like after removing spaces, dashes, dots and parentheses. */
export const phoneSchema = z
  .string()
  .max(40)
  .overwrite(normalisePhone)
  .regex(/^\+?[1-9]\d{6,14}$/, { error: M.phone.en });

/** A wall-clock time of day, `HH:mm` on a 24-hour clock (opening hours, meal times). */
export const timeOfDaySchema = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, { error: M.timeOfDay.en });

/** Days of the week, `0` = Sunday … `6` = Saturday, as JavaScript's `getDay()` and the seed count them. */
export const WEEKDAYS = [0, 1, 2, 3, 4, 5, 6] as const;
/** A day of the week, `0` (Sunday) to `6` (Saturday). */
export type Weekday = (typeof WEEKDAYS)[number];
/** Validates a {@link Weekday}. */
export const weekdaySchema = z.literal(WEEKDAYS);

/** A rating given by a person: an integer from 1 to 5. */
export const ratingSchema = z.number().int().min(1).max(5);

/** An average of ratings: 0 (no ratings yet) to 5. */
export const averageRatingSchema = z.number().min(0).max(5);

/** A percentage, 0–100. */
export const percentageSchema = z.number().min(0).max(100);

/** A non-negative integer count. */
export const countSchema = z.number().int().min(0);

/** A non-negative finite quantity (kilograms, metres, seconds…). */
export const quantitySchema = z.number().min(0);

/** A positive integer (at least 1). */
export const positiveIntSchema = z.number().int().min(1);

/** The earliest instant the schemas accept (1900-01-01Z). */
export const MIN_DATE = new Date('1900-01-01T00:00:00.000Z');
/** The latest instant the schemas accept (2200-12-31Z). */
export const MAX_DATE = new Date('2200-12-31T23:59:59.999Z');

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

/**
 * An instant: a `Date`, or an ISO-8601 string (`2026-03-29T08:00:00+03:00`, `…Z`, or a bare
 * `YYYY-MM-DD`, read as UTC midnight) turned into one; between the years 1900 and 2200.
 * Numbers are refused, so `0` or `true` never become 1970.
 */
export const instantSchema = z.preprocess(
  // Typed `Date | string` so input types say what callers may pass; any value still reaches zod.
  // `new Date('2026-02-30')` rolls over to 2 March: a day that does not exist is left a string, which z.date() refuses.
  (value: Date | string) => (typeof value === 'string' && ISO_INSTANT.test(value.trim()) && isExistingDay(value.trim().slice(0, 10)) ? new Date(value.trim()) : value),
  z.date().min(MIN_DATE, { error: M.dateRange.en }).max(MAX_DATE, { error: M.dateRange.en }),
);

/** A calendar date as `YYYY-MM-DD` (PostgreSQL `DATE`), a real day between 1900 and 2200. */
export const calendarDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { error: M.calendarDate.en })
  .refine(isRealCalendarDate, { error: M.calendarDate.en });

function isRealCalendarDate(value: string): boolean {
  if (!DAY_PATTERN.test(value)) {
    const date = new Date(`${value}T00:00:00.000Z`);
    return isExistingDay(value) && date >= MIN_DATE && date <= MAX_DATE;
  }
  // A day at UTC midnight is within [MIN_DATE, MAX_DATE] exactly when its year is.
  const year = Number(value.slice(0, 4));
  return isExistingDay(value) && year >= MIN_DATE.getUTCFullYear() && year <= MAX_DATE.getUTCFullYear();
}

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** True when `YYYY-MM-DD` names a day of the calendar (not 30 February, not month 13). */
function isExistingDay(value: string): boolean {
  if (DAY_PATTERN.test(value)) {
    // Arithmetic instead of a Date and its ISO text: this runs on every date a schema reads.
    // The proleptic Gregorian leap years, as a JavaScript Date counts them.
    const year = Number(value.slice(0, 4));
    const month = Number(value.slice(5, 7));
    const day = Number(value.slice(8, 10));
    if (month < 1 || month > 12 || day < 1) return false;
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    return day <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!);
  }
  const date = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** An ISO-8601 week label, `YYYY-Www` (`2026-W10`): weekly limits are counted per such week. */
export const isoWeekSchema = z.string().max(8).regex(/^\d{4}-W(?:0[1-9]|[1-4]\d|5[0-3])$/, { error: M.isoWeek.en });

/** Zones already found valid: building an `Intl.DateTimeFormat` costs far more than the rest of a facility's validation. */
const knownTimeZones = new Set<string>();

/** True when the runtime knows `zone` as an IANA time zone. */
export function isTimeZone(zone: string): boolean {
  if (knownTimeZones.has(zone)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    // Only valid names are remembered, so the set is bounded by the runtime's zone list.
    if (zone.length > 0) knownTimeZones.add(zone);
    return zone.length > 0;
  } catch {
    return false;
  }
}

/** The IANA time zone a facility gets when none is given (SPEC decision 6). */
export const DEFAULT_TIME_ZONE = 'Europe/Istanbul';

/** An IANA time zone (`Europe/Istanbul`), checked against the runtime's `Intl` data. */
export const timeZoneSchema = z.string().trim().max(64).refine(isTimeZone, { error: M.timeZone.en });

/** Latitude/longitude in degrees, as the API and the seed spell them. */
export const coordinatesSchema = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
});
/** A position as the API takes it: `{ latitude, longitude }` in degrees (SPEC decision 4). */
export type Coordinates = z.output<typeof coordinatesSchema>;

/** A GeoJSON point; note the order: `[longitude, latitude]`. */
export const geoPointSchema = z.strictObject({
  type: z.literal('Point'),
  coordinates: z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]),
});
/** A GeoJSON `Point` (`[longitude, latitude]`), the stored form that carries the 2dsphere index. */
export type GeoPoint = z.output<typeof geoPointSchema>;

/**
 * The GeoJSON point of a coordinate pair (SPEC decision 4: the 2dsphere index needs
 * `[longitude, latitude]`; the seed's `{latitude, longitude}` would be read the wrong way round).
 */
export function toGeoPoint(coordinates: Coordinates): GeoPoint {
  return { type: 'Point', coordinates: [coordinates.longitude, coordinates.latitude] };
}

/** A UUID (PostgreSQL business keys: `transaction_id`, `invoice_id`, …), lower-cased. */
export const uuidSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, { error: M.uuid.en });

/** A key that neither MongoDB nor a query builder could read as an operator or a path. */
export function isSafeKey(key: string): boolean {
  return key.length > 0 && key.length <= LIMITS.label && !key.startsWith('$') && !key.includes('.') && key !== '__proto__' && key !== 'constructor' && key !== 'prototype';
}

/**
 * A key of a caller-named map (a string record): {@link isSafeKey}, so it can never become
 * a MongoDB operator, a dotted path or a prototype.
 *
 * @example
 * ```ts
 * z.record(safeKeySchema, z.string().max(100))
 * ```
 */
export const safeKeySchema = z.string().max(LIMITS.label).refine(isSafeKey, { error: M.safeKey.en });

const JSON_MAX_DEPTH = 8;

function isSafeJsonValue(value: unknown, depth: number): boolean {
  if (value === null || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'string') return value.length <= 10 * LIMITS.text;
  if (depth >= JSON_MAX_DEPTH) return false;
  if (Array.isArray(value)) return value.length <= LIMITS.list && value.every((v) => isSafeJsonValue(v, depth + 1));
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    const keys = Reflect.ownKeys(value);
    return (
      keys.length <= LIMITS.list &&
      keys.every((k) => typeof k === 'string' && isSafeKey(k) && isSafeJsonValue((value as Record<string, unknown>)[k], depth + 1))
    );
  }
  return false;
}

/**
 * Free-form JSON (PostgreSQL `JSONB` columns: `metadata`, `invoice_data`, audit states): plain
 * objects, arrays and finite primitives, at most 8 levels deep and 500 entries per level, no
 * key starting with `$` or containing `.`, no `__proto__`/`constructor`/`prototype` keys.
 */
export const jsonValueSchema = z.custom<JsonValue>((value) => isSafeJsonValue(value, 0), { error: M.jsonValue.en });

/** A JSON object (not an array or primitive) checked like {@link jsonValueSchema}. */
export const jsonObjectSchema = z.custom<{ [key: string]: JsonValue }>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value) && isSafeJsonValue(value, 0),
  { error: M.jsonValue.en },
);

/**
 * An amount of money as an integer count of minor units (kuruş for TRY) that fits
 * `DECIMAL(10,2)` (SPEC decision 5), described for generated docs and validators.
 *
 * @example
 * ```ts
 * price: moneyAmountSchema('Price') // 149_90 is 149.90 TRY
 * ```
 */
export function moneyAmountSchema(what: string) {
  return minorUnitsSchema.describe(`${what} in minor units (kuruş for TRY)`);
}

/** An ISO 4217 currency code that defaults to `TRY` (the seed's `DEFAULT 'TRY'`). */
export const currencyWithDefaultSchema = currencyCodeSchema.default(DEFAULT_CURRENCY);

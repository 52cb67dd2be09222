import { evalExpr } from 'mingo/core';
import { $first as mingoFirst, $last as mingoLast } from 'mingo/operators/expression/array';
import type { Options } from 'mingo/types';
import { ObjectId } from 'mongodb';
import { isPlainObject, type Doc } from './bson-values.js';
import { CommandError } from './errors.js';

/** MongoDB's code for a time zone it does not know (`unrecognized time zone identifier`). */
const UNRECOGNIZED_TIME_ZONE = 40485;
/** MongoDB's code for a date operator given something that is not a date. */
const NOT_A_DATE = 16006;

const OFFSET = /^([+-])(\d{2})(?::?(\d{2}))?$/;
const calendars = new Map<string, Intl.DateTimeFormat>();

/** A formatter that reads an instant's calendar date in an IANA zone; `undefined` for a zone the runtime does not know. */
function calendarOf(zone: string): Intl.DateTimeFormat | undefined {
  let calendar = calendars.get(zone);
  if (!calendar) {
    try {
      calendar = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hourCycle: 'h23' });
    } catch {
      return undefined;
    }
    calendars.set(zone, calendar);
  }
  return calendar;
}

/**
 * The calendar date (year, month 1–12, day) of an instant in a time zone as MongoDB reads it:
 * an Olson name (`Europe/Istanbul`, `America/Argentina/Buenos_Aires`, `UTC`) or a UTC offset
 * (`+03`, `+0300`, `-03:30`); without one, UTC. Anything else is MongoDB's error 40485.
 */
export function localCalendarDate(instant: Date, timeZone: string | undefined): { year: number; month: number; day: number } {
  if (timeZone === undefined) return { year: instant.getUTCFullYear(), month: instant.getUTCMonth() + 1, day: instant.getUTCDate() };
  const offset = OFFSET.exec(timeZone);
  if (offset) {
    const minutes = (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3] ?? 0));
    return localCalendarDate(new Date(instant.getTime() + minutes * 60_000), undefined);
  }
  const calendar = calendarOf(timeZone);
  if (!calendar) throw new CommandError(UNRECOGNIZED_TIME_ZONE, `unrecognized time zone identifier: "${timeZone}"`);
  const parts = Object.fromEntries(calendar.formatToParts(instant).map((p) => [p.type, p.value]));
  return { year: Number(parts['year']), month: Number(parts['month']), day: Number(parts['day']) };
}

/**
 * The ISO 8601 week of a calendar date: weeks start on Monday and week 1 is the week holding
 * the year's first Thursday, so 2024-12-30 is in week 1 of 2025 and 2021-01-03 in week 53 of 2020.
 */
export function isoWeekDate(date: { year: number; month: number; day: number }): { isoWeekYear: number; isoWeek: number; isoDayOfWeek: number } {
  const utc = new Date(Date.UTC(date.year, date.month - 1, date.day));
  if (date.year < 100) utc.setUTCFullYear(date.year);
  const isoDayOfWeek = utc.getUTCDay() || 7;
  // The Thursday of the same ISO week decides the week's year.
  const thursday = new Date(utc.getTime() + (4 - isoDayOfWeek) * 86_400_000);
  const isoWeekYear = thursday.getUTCFullYear();
  const january1 = new Date(Date.UTC(isoWeekYear, 0, 1));
  if (isoWeekYear < 100) january1.setUTCFullYear(isoWeekYear);
  const isoWeek = Math.floor((thursday.getTime() - january1.getTime()) / 86_400_000 / 7) + 1;
  return { isoWeekYear, isoWeek, isoDayOfWeek };
}

type ExpressionOperator = (obj: Doc, expr: unknown, options: Options) => unknown;

const clocks = new Map<string, Intl.DateTimeFormat>();

/** A formatter that reads an instant's wall-clock time in an IANA zone (the zone already checked). */
function clockOf(zone: string): Intl.DateTimeFormat {
  let clock = clocks.get(zone);
  if (!clock) {
    clock = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' });
    clocks.set(zone, clock);
  }
  return clock;
}

/** An instant read in a time zone: its calendar date, wall-clock time and offset from UTC in minutes. */
interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
  readonly offsetMinutes: number;
}

/** The wall-clock time of an instant in a zone, as {@link localCalendarDate} reads zones (UTC when none). */
export function localTime(instant: Date, timeZone: string | undefined): LocalTime {
  const millisecond = ((instant.getTime() % 1000) + 1000) % 1000;
  const utc = (offsetMinutes: number): LocalTime => {
    const shifted = new Date(instant.getTime() + offsetMinutes * 60_000);
    return {
      year: shifted.getUTCFullYear(),
      month: shifted.getUTCMonth() + 1,
      day: shifted.getUTCDate(),
      hour: shifted.getUTCHours(),
      minute: shifted.getUTCMinutes(),
      second: shifted.getUTCSeconds(),
      millisecond,
      offsetMinutes,
    };
  };
  if (timeZone === undefined) return utc(0);
  const offset = OFFSET.exec(timeZone);
  if (offset) return utc((offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3] ?? 0)));
  localCalendarDate(instant, timeZone); // refuses an unknown zone with 40485
  const parts = Object.fromEntries(clockOf(timeZone).formatToParts(instant).map((p) => [p.type, Number(p.value)]));
  const [year, month, day, hour, minute, second] = ['year', 'month', 'day', 'hour', 'minute', 'second'].map((k) => parts[k]!) as [number, number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const offsetMinutes = Math.round((wall - (instant.getTime() - millisecond)) / 60_000);
  return { year, month, day, hour, minute, second, millisecond, offsetMinutes };
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad = (value: number, width: number) => String(Math.abs(value)).padStart(width, '0');
const signed = (value: number, width: number) => (value < 0 ? '-' : '+') + pad(value, width);

/** The day of the year, 1–366. */
function dayOfYear(t: { year: number; month: number; day: number }): number {
  const start = new Date(Date.UTC(t.year, 0, 1));
  const date = new Date(Date.UTC(t.year, t.month - 1, t.day));
  if (t.year < 100) {
    start.setUTCFullYear(t.year);
    date.setUTCFullYear(t.year);
  }
  return Math.round((date.getTime() - start.getTime()) / 86_400_000) + 1;
}

/** The value of one format specifier (`%Y` → `Y`) for a local time, or `undefined` when MongoDB has no such specifier. */
function formatSpecifier(specifier: string, t: LocalTime): string | undefined {
  const week = () => isoWeekDate(t);
  switch (specifier) {
    case 'Y':
      return pad(t.year, 4);
    case 'm':
      return pad(t.month, 2);
    case 'd':
      return pad(t.day, 2);
    case 'H':
      return pad(t.hour, 2);
    case 'M':
      return pad(t.minute, 2);
    case 'S':
      return pad(t.second, 2);
    case 'L':
      return pad(t.millisecond, 3);
    case 'j':
      return pad(dayOfYear(t), 3);
    case 'G':
      return pad(week().isoWeekYear, 4);
    case 'V':
      return pad(week().isoWeek, 2);
    case 'u':
      return String(week().isoDayOfWeek);
    case 'w':
      // 1 (Sunday) to 7 (Saturday), unlike strftime's 0–6.
      return String((week().isoDayOfWeek % 7) + 1);
    case 'U': {
      // Week of the year with weeks starting on Sunday; the days before the first Sunday are week 00.
      const sundayBased = week().isoDayOfWeek % 7;
      return pad(Math.floor((dayOfYear(t) - 1 + 7 - sundayBased) / 7), 2);
    }
    case 'z':
      return (t.offsetMinutes < 0 ? '-' : '+') + pad(Math.trunc(t.offsetMinutes / 60), 2) + pad(t.offsetMinutes % 60, 2);
    case 'Z':
      return signed(t.offsetMinutes, 3);
    case 'b':
      return MONTH_NAMES[t.month - 1]!.slice(0, 3);
    case 'B':
      return MONTH_NAMES[t.month - 1]!;
    case '%':
      return '%';
    default:
      return undefined;
  }
}

/** A format string checked as MongoDB checks it: every `%` followed by a known specifier (errors 18535, 18536). */
function checkFormat(format: string): void {
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') continue;
    if (i + 1 >= format.length) throw new CommandError(18535, 'Unmatched \'%\' at end of format string');
    if (formatSpecifier(format[i + 1]!, localTime(new Date(0), undefined)) === undefined) throw new CommandError(18536, `Invalid format character '%${format[i + 1]}' in format string`);
    i++;
  }
}

/** MongoDB's zones that read as UTC: the default format of any other zone has no `Z` (since MongoDB 7.1). */
const UTC_ZONES = new Set(['UTC', 'GMT', 'Etc/UTC', 'Etc/GMT', 'Z', 'Zulu', 'Etc/Zulu', 'Universal', 'Etc/Universal', 'UCT', 'Etc/UCT', 'Greenwich', 'Etc/Greenwich']);

const DATE_TO_STRING_FIELDS = new Set(['date', 'format', 'timezone', 'onNull']);

/**
 * `$dateToString` as MongoDB 8 evaluates it: every format specifier (`%G`, `%V`, `%u`, `%U`, `%w`
 * from 1 for Sunday, `%z`, `%Z` as signed minutes, `%%`…) in the given zone; without a format,
 * `%Y-%m-%dT%H:%M:%S.%LZ` in UTC and the same without `Z` in any other zone; `onNull` for a null
 * or missing date. Unknown specifiers and arguments are MongoDB's errors.
 */
const dateToString: ExpressionOperator = (obj, expr, options) => {
  if (!isPlainObject(expr)) throw new CommandError(18629, '$dateToString only supports an object as its argument');
  for (const key of Object.keys(expr)) if (!DATE_TO_STRING_FIELDS.has(key)) throw new CommandError(18534, `Unrecognized argument to $dateToString: ${key}`);
  if (!('date' in expr)) throw new CommandError(18628, "Missing 'date' parameter to $dateToString");
  const format = expr['format'] === undefined ? undefined : evalExpr(obj, expr['format'], options);
  if (format !== undefined && format !== null && typeof format !== 'string') throw new CommandError(18533, `$dateToString requires that 'format' be a string, found: ${typeof format}`);
  if (typeof format === 'string') checkFormat(format);
  const zone = expr['timezone'] === undefined ? undefined : evalExpr(obj, expr['timezone'], options);
  if (zone !== undefined && zone !== null && typeof zone !== 'string') throw new CommandError(40517, `timezone must evaluate to a string, found ${typeof zone}`);
  const date = evalExpr(obj, expr['date'], options);
  if (date === null || date === undefined) return expr['onNull'] === undefined ? null : evalExpr(obj, expr['onNull'], options);
  if (format === null || zone === null) return null;
  const instant = date instanceof Date ? date : date instanceof ObjectId ? date.getTimestamp() : undefined;
  if (!instant) throw new CommandError(NOT_A_DATE, `can't convert from BSON type ${typeof date} to Date`);
  const t = localTime(instant, zone);
  if (t.year < 0 || t.year > 9999) throw new CommandError(18537, 'Could not convert date to string: date component was outside the supported range of 0-9999');
  const pattern = format ?? (zone === undefined || UTC_ZONES.has(zone) || t.offsetMinutes === 0 && OFFSET.test(zone) ? '%Y-%m-%dT%H:%M:%S.%LZ' : '%Y-%m-%dT%H:%M:%S.%L');
  return pattern.replace(/%(.)/g, (_match, specifier: string) => formatSpecifier(specifier, t)!);
};

/**
 * A date-part operator as MongoDB evaluates it: `{ $op: <date> }` or `{ $op: { date, timezone } }`
 * (also `[<date>]`); a null or missing date gives null; an ObjectId reads as its timestamp.
 */
function datePart(name: string, part: (date: { year: number; month: number; day: number }) => number): ExpressionOperator {
  return (obj, expr, options) => {
    const spec = Array.isArray(expr) && expr.length === 1 ? expr[0] : expr;
    const withZone = isPlainObject(spec) && 'date' in spec;
    const date = evalExpr(obj, withZone ? spec['date'] : spec, options);
    const zone = withZone && spec['timezone'] !== undefined ? evalExpr(obj, spec['timezone'], options) : undefined;
    if (zone === null) return null;
    if (zone !== undefined && typeof zone !== 'string') throw new CommandError(40517, `timezone must evaluate to a string, found ${typeof zone}`);
    if (date === null || date === undefined) return null;
    const instant = date instanceof Date ? date : date instanceof ObjectId ? date.getTimestamp() : undefined;
    if (!instant) throw new CommandError(NOT_A_DATE, `${name}: can't convert from BSON type ${typeof date} to Date`);
    return part(localCalendarDate(instant, zone));
  };
}

/**
 * `$first` / `$last` over an array as MongoDB evaluates them: the element itself, an array
 * element staying an array (mingo flattens nested arrays, so `$first` of `[[1, 2], [3]]` gave
 * `1`); an empty array gives nothing, null or missing gives null, anything else error 28689/28690.
 * Inside `$group` and window stages the accumulators of the same name are used instead.
 */
function arrayEnd(name: '$first' | '$last', code: number, fallback: ExpressionOperator): ExpressionOperator {
  return (obj, expr, options) => {
    if (Array.isArray(obj)) return fallback(obj, expr, options);
    const array = evalExpr(obj, expr, options);
    if (array === null || array === undefined) return null;
    if (!Array.isArray(array)) throw new CommandError(code, `${name}'s argument must be an array, but is ${typeof array === 'object' ? 'object' : typeof array}`);
    return name === '$first' ? array[0] : array[array.length - 1];
  };
}

/**
 * Expression operators that replace mingo's where it departs from MongoDB: `$isoWeekYear`
 * (mingo returns the calendar year around New Year), `$isoWeek` / `$isoDayOfWeek` (mingo
 * accepts only two-part Olson names, so `UTC` or `America/Argentina/Buenos_Aires` failed, and
 * knows no error 40485), `$dateToString` (mingo's `%G`, `%U`, `%w`, `%Z` and `%%` differ from
 * MongoDB's, and it accepts unknown specifiers), and the array `$first` / `$last` (mingo
 * flattens nested arrays).
 */
export const EXPRESSION_OPERATORS: Readonly<Record<string, ExpressionOperator>> = {
  $isoWeekYear: datePart('$isoWeekYear', (d) => isoWeekDate(d).isoWeekYear),
  $isoWeek: datePart('$isoWeek', (d) => isoWeekDate(d).isoWeek),
  $isoDayOfWeek: datePart('$isoDayOfWeek', (d) => isoWeekDate(d).isoDayOfWeek),
  $dateToString: dateToString,
  $first: arrayEnd('$first', 28689, mingoFirst as ExpressionOperator),
  $last: arrayEnd('$last', 28690, mingoLast as ExpressionOperator),
};

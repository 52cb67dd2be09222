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
 * knows no error 40485), and the array `$first` / `$last` (mingo flattens nested arrays).
 */
export const EXPRESSION_OPERATORS: Readonly<Record<string, ExpressionOperator>> = {
  $isoWeekYear: datePart('$isoWeekYear', (d) => isoWeekDate(d).isoWeekYear),
  $isoWeek: datePart('$isoWeek', (d) => isoWeekDate(d).isoWeek),
  $isoDayOfWeek: datePart('$isoDayOfWeek', (d) => isoWeekDate(d).isoDayOfWeek),
  $first: arrayEnd('$first', 28689, mingoFirst as ExpressionOperator),
  $last: arrayEnd('$last', 28690, mingoLast as ExpressionOperator),
};

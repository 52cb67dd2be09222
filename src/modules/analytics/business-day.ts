import { Temporal } from 'temporal-polyfill';
import { calendarDayWindow, type CalendarDayWindow } from '../../core/calendar-day.js';

/** The instants a calendar day covers in a time zone: `[start, end)`, 23 to 25 hours long across DST. */
export type BusinessDay = CalendarDayWindow;

/**
 * The UTC window of calendar day `date` (`YYYY-MM-DD`) in `timeZone`: a business's day runs
 * from its local midnight to the next, so a payment at 00:30 in Istanbul (21:30 UTC the day
 * before) counts for the Istanbul day it happened on.
 *
 * @example
 * ```ts
 * businessDay('2026-03-29', 'Europe/Berlin') // 2026-03-28T23:00Z .. 2026-03-29T22:00Z (23 h)
 * ```
 */
export function businessDay(date: string, timeZone: string): BusinessDay {
  return calendarDayWindow(date, timeZone);
}

/** Every calendar day from `from` to `to`, both inclusive. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let d = Temporal.PlainDate.from(from); Temporal.PlainDate.compare(d, Temporal.PlainDate.from(to)) <= 0; d = d.add({ days: 1 })) days.push(d.toString());
  return days;
}

import { Temporal } from 'temporal-polyfill';

/** The instants a calendar day covers in a time zone: `[start, end)`, 23 to 25 hours long across DST. */
export interface CalendarDayWindow {
  readonly date: string;
  readonly start: Date;
  readonly end: Date;
}

/**
 * The UTC window of calendar day `date` (`YYYY-MM-DD`) in `timeZone`: from its local
 * midnight to the next, so a meal at 00:30 in Istanbul (21:30 UTC the day before) counts for
 * the Istanbul day it was eaten on.
 *
 * @example
 * ```ts
 * calendarDayWindow('2026-03-29', 'Europe/Berlin') // 2026-03-28T23:00Z .. 2026-03-29T22:00Z (23 h)
 * ```
 */
export function calendarDayWindow(date: string, timeZone: string): CalendarDayWindow {
  const day = Temporal.PlainDate.from(date);
  const start = day.toZonedDateTime({ timeZone });
  const end = day.add({ days: 1 }).toZonedDateTime({ timeZone });
  return { date: day.toString(), start: new Date(start.epochMilliseconds), end: new Date(end.epochMilliseconds) };
}

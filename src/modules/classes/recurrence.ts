import { Temporal } from 'temporal-polyfill';
import type { ClassSchedule } from './class.schema.js';

/** One occurrence of a class: its start and end instants (UTC `Date`s). */
export interface ClassOccurrence {
  readonly start: Date;
  readonly end: Date;
}

/**
 * How a local wall-clock time that does not exist (the spring-forward gap) or exists twice
 * (the autumn fold) becomes an instant: Temporal's `'compatible'` rule, as RFC 5545 and most
 * calendars do. In the gap the time moves forward by the gap's length (02:30 on the night
 * clocks go 02:00 → 03:00 becomes 03:30); in the fold the earlier of the two instants is used.
 */
export const OCCURRENCE_DISAMBIGUATION = 'compatible' as const;

/** The most occurrences one expansion returns: a guard against unbounded windows. */
export const MAX_OCCURRENCES_PER_EXPANSION = 5_000;

const MS_PER_DAY = 86_400_000;

/**
 * Expands a class schedule into the occurrences whose start lies in `[from, to)`, in the
 * facility's IANA time zone, earliest first. Pure: no clock, no store.
 *
 * The rules (SPEC decision 6: recurrence is interpreted in the facility's zone):
 * - `schedule.startTime` is the first occurrence; its **local** date and time of day in
 *   `timeZone` are what repeats, so an 18:00 Europe/Berlin class stays at 18:00 local time
 *   across the March and October changes (its UTC instant moves by an hour). A local time
 *   that falls in a DST gap or fold is resolved by {@link OCCURRENCE_DISAMBIGUATION}.
 * - Every occurrence lasts as long as the first one (`endTime - startTime`, elapsed time).
 * - `once`: only the first occurrence. `daily`: every `interval` days.
 * - `weekly`: every `interval` weeks (ISO weeks, Monday first, counted from the week of the
 *   first occurrence), on each of `weekdays` (0 = Sunday, seed) — or on the first
 *   occurrence's weekday when `weekdays` is empty. Days before the first occurrence's date
 *   in its own week are not occurrences.
 * - `monthly`: every `interval` months on the first occurrence's day of the month. A month
 *   without that day (the 31st in April, the 30th in February) is **skipped**, not clamped,
 *   as RFC 5545 does: a class "on the 31st" never moves to the 30th. A skipped month does
 *   not count towards `maxOccurrences`.
 * - `endsOnDate` is **inclusive** and compared as an instant: an occurrence starting exactly
 *   at `endsOnDate` is the last one. To end on a local day, pass the end of that day.
 * - `maxOccurrences` counts from the first occurrence, including those before `from`.
 *
 * @example
 * ```ts
 * const week = expandOccurrences(yoga.schedule, 'Europe/Istanbul', new Date('2026-03-02T00:00:00Z'), new Date('2026-03-09T00:00:00Z'))
 * ```
 */
export function expandOccurrences(schedule: ClassSchedule, timeZone: string, from: Date, to: Date): ClassOccurrence[] {
  const fromMs = from.getTime();
  const toMs = to.getTime();
  if (!(toMs > fromMs)) return [];
  const durationMs = schedule.endTime.getTime() - schedule.startTime.getTime();
  const { recurrence } = schedule;
  const endsMs = recurrence.endsOnDate?.getTime() ?? Number.POSITIVE_INFINITY;
  const max = recurrence.maxOccurrences ?? Number.POSITIVE_INFINITY;

  const first = Temporal.Instant.fromEpochMilliseconds(schedule.startTime.getTime()).toZonedDateTimeISO(timeZone);
  const firstDate = first.toPlainDate();
  const time = first.toPlainTime();

  const out: ClassOccurrence[] = [];
  let counted = 0;
  for (const date of candidateDates(schedule, firstDate, timeZone, fromMs, max === Number.POSITIVE_INFINITY)) {
    const startMs = date.toPlainDateTime(time).toZonedDateTime(timeZone, { disambiguation: OCCURRENCE_DISAMBIGUATION }).epochMilliseconds;
    if (startMs > endsMs || startMs >= toMs || counted >= max) break;
    counted += 1;
    if (startMs >= fromMs) {
      out.push({ start: new Date(startMs), end: new Date(startMs + durationMs) });
      if (out.length >= MAX_OCCURRENCES_PER_EXPANSION) break;
    }
  }
  return out;
}

/**
 * Whether `start` is the start instant of a real occurrence of the schedule (what a booking
 * must name).
 *
 * @example
 * ```ts
 * if (!isOccurrenceStart(yoga.schedule, 'Europe/Istanbul', requested)) throw ...
 * ```
 */
export function isOccurrenceStart(schedule: ClassSchedule, timeZone: string, start: Date): boolean {
  const [found] = expandOccurrences(schedule, timeZone, start, new Date(start.getTime() + 1));
  return found !== undefined && found.start.getTime() === start.getTime();
}

/** Seed weekday (0 = Sunday … 6 = Saturday) of a Temporal date (1 = Monday … 7 = Sunday). */
export function seedWeekday(date: Temporal.PlainDate): number {
  return date.dayOfWeek % 7;
}

/**
 * The local dates the rule produces, in order, from the first occurrence's date. When the
 * count does not matter (`skipAhead`), daily and weekly rules start near `from` instead of
 * walking every period since the first occurrence.
 */
function* candidateDates(schedule: ClassSchedule, firstDate: Temporal.PlainDate, timeZone: string, fromMs: number, skipAhead: boolean): Generator<Temporal.PlainDate> {
  const { frequency, interval, weekdays } = schedule.recurrence;
  // A day of margin either side of `from` covers any UTC offset.
  const fromDate = Temporal.Instant.fromEpochMilliseconds(fromMs - MS_PER_DAY).toZonedDateTimeISO(timeZone).toPlainDate();
  const daysToFrom = firstDate.until(fromDate, { largestUnit: 'days' }).days;
  switch (frequency) {
    case 'once':
      yield firstDate;
      return;
    case 'daily': {
      let k = skipAhead && daysToFrom > 0 ? Math.floor(daysToFrom / interval) : 0;
      for (;; k++) yield firstDate.add({ days: k * interval });
    }
    case 'weekly': {
      const days = (weekdays.length ? [...weekdays] : [seedWeekday(firstDate)]).map((d) => (d === 0 ? 7 : d)).sort((a, b) => a - b);
      const firstMonday = firstDate.subtract({ days: firstDate.dayOfWeek - 1 });
      let week = skipAhead && daysToFrom > 7 ? Math.floor(Math.floor(daysToFrom / 7) / interval) * interval : 0;
      for (;; week += interval) {
        const monday = firstMonday.add({ weeks: week });
        for (const isoDay of days) {
          const date = monday.add({ days: isoDay - 1 });
          if (Temporal.PlainDate.compare(date, firstDate) >= 0) yield date;
        }
      }
    }
    case 'monthly': {
      const firstMonth = firstDate.toPlainYearMonth();
      for (let k = 0; ; k++) {
        const month = firstMonth.add({ months: k * interval });
        if (firstDate.day <= month.daysInMonth) yield month.toPlainDate({ day: firstDate.day });
      }
    }
  }
}

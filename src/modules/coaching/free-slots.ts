import { Temporal } from 'temporal-polyfill';
import type { AvailabilityException, CoachAvailability, WeeklyAvailability } from './coach-availability.schema.js';

/** A real-time interval `[start, end)` in epoch milliseconds. */
export interface TimeInterval {
  readonly start: number;
  readonly end: number;
}

/** The wall-clock `time` (or `24:00`, the next midnight) on `date`, as an instant of `timeZone`. */
function instantOf(date: Temporal.PlainDate, time: string, timeZone: string): number {
  const [day, wall] = time === '24:00' ? [date.add({ days: 1 }), '00:00'] : [date, time];
  // Wall times a DST change skips move forward by the gap, repeated ones take the earlier
  // instant (`compatible`, the RFC 5545 rule): the same rule as facility opening hours.
  return day.toPlainDateTime(Temporal.PlainTime.from(wall)).toZonedDateTime(timeZone, { disambiguation: 'compatible' }).epochMilliseconds;
}

const minutesOf = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/** The longest single window, in wall-clock minutes, of the weekly windows and extra hours. */
export function longestWindowMinutes(availability: Pick<CoachAvailability, 'weekly' | 'exceptions'>): number {
  const windows: { start: string; end: string }[] = [...availability.weekly];
  for (const e of availability.exceptions) if (e.kind === 'extra' && e.start && e.end) windows.push({ start: e.start, end: e.end });
  return Math.max(0, ...windows.map((w) => minutesOf(w.end) - minutesOf(w.start)));
}

/** Sorted, with touching and overlapping intervals merged. */
export function mergeIntervals(intervals: readonly TimeInterval[]): TimeInterval[] {
  const sorted = [...intervals].filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const merged: TimeInterval[] = [];
  for (const i of sorted) {
    const last = merged.at(-1);
    if (last && i.start <= last.end) merged[merged.length - 1] = { start: last.start, end: Math.max(last.end, i.end) };
    else merged.push(i);
  }
  return merged;
}

/** `windows` without any instant of `taken` (both merged first). */
export function subtractIntervals(windows: readonly TimeInterval[], taken: readonly TimeInterval[]): TimeInterval[] {
  const out: TimeInterval[] = [];
  const busy = mergeIntervals(taken);
  for (const w of mergeIntervals(windows)) {
    let start = w.start;
    for (const b of busy) {
      if (b.end <= start || b.start >= w.end) continue;
      if (b.start > start) out.push({ start, end: b.start });
      start = Math.max(start, b.end);
    }
    if (start < w.end) out.push({ start, end: w.end });
  }
  return out;
}

/** The instants in both `a` and `b`. */
export function intersectIntervals(a: readonly TimeInterval[], b: readonly TimeInterval[]): TimeInterval[] {
  const out: TimeInterval[] = [];
  for (const x of mergeIntervals(a)) {
    for (const y of mergeIntervals(b)) {
      const start = Math.max(x.start, y.start);
      const end = Math.min(x.end, y.end);
      if (start < end) out.push({ start, end });
    }
  }
  return mergeIntervals(out);
}

const windowOn = (date: Temporal.PlainDate, w: { start: string; end: string }, timeZone: string): TimeInterval => ({
  start: instantOf(date, w.start, timeZone),
  end: instantOf(date, w.end, timeZone),
});

/**
 * The real-time windows in which the coach is available at the facility between `from` and
 * `to`: on each calendar day of the facility's zone, the weekly windows of its weekday plus
 * its `extra` hours, minus its `off` time (a day off without times removes the whole day).
 * Wall-clock times are read in `timeZone`, so a 09:00 window is 08:00Z in Berlin's winter
 * and 07:00Z in its summer.
 *
 * @example
 * ```ts
 * availabilityWindows({ weekly: [{ day: 1, start: '09:00', end: '12:00' }], exceptions: [] }, 'Europe/Berlin', from, to)
 * ```
 */
export function availabilityWindows(
  availability: { readonly weekly: readonly WeeklyAvailability[]; readonly exceptions: readonly AvailabilityException[] },
  timeZone: string,
  from: Date,
  to: Date,
): TimeInterval[] {
  const first = Temporal.Instant.fromEpochMilliseconds(from.getTime()).toZonedDateTimeISO(timeZone).toPlainDate().subtract({ days: 1 });
  const last = Temporal.Instant.fromEpochMilliseconds(to.getTime()).toZonedDateTimeISO(timeZone).toPlainDate();
  const open: TimeInterval[] = [];
  const off: TimeInterval[] = [];
  for (let date = first; Temporal.PlainDate.compare(date, last) <= 0; date = date.add({ days: 1 })) {
    const iso = date.toString();
    // Temporal numbers Monday 1 … Sunday 7; the schema numbers Sunday 0 … Saturday 6.
    for (const w of availability.weekly) if (w.day === date.dayOfWeek % 7) open.push(windowOn(date, w, timeZone));
    for (const e of availability.exceptions) {
      if (e.date !== iso) continue;
      const times = { start: e.start ?? '00:00', end: e.end ?? '24:00' };
      (e.kind === 'extra' ? open : off).push(windowOn(date, times, timeZone));
    }
  }
  return intersectIntervals(subtractIntervals(open, off), [{ start: from.getTime(), end: to.getTime() }]);
}

/**
 * Cuts `free` into slots of `durationMs`, each free interval from its start on, one every
 * `stepMs`; a slot never reaches past the end of its interval.
 */
export function cutSlots(free: readonly TimeInterval[], durationMs: number, stepMs: number): TimeInterval[] {
  const slots: TimeInterval[] = [];
  for (const f of free) for (let start = f.start; start + durationMs <= f.end; start += stepMs) slots.push({ start, end: start + durationMs });
  return slots;
}

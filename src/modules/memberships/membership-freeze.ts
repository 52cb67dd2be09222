import { Temporal } from 'temporal-polyfill';
import { ConflictError } from '../../core/errors.js';
import type { MembershipFreeze } from './membership-freeze.schema.js';

/**
 * The calendar of freezes. A freeze's length is counted in calendar days of the facility's
 * time zone, and the membership's period moves by the same number of calendar days: its end
 * keeps its local wall-clock time, so a day across a DST change is 23 or 25 hours, a month
 * end stays a date (31 January + 10 days is 10 February) and a leap day is a day.
 *
 * @example
 * ```ts
 * calendarDaysBetween('2028-02-20', '2028-03-05') // 14 (2028 is a leap year)
 * shiftByCalendarDays(new Date('2026-03-20T09:00:00Z'), 10, 'Europe/Berlin') // 2026-03-30T08:00:00Z
 * ```
 */
export function calendarDaysBetween(fromDay: string, toDay: string): number {
  return Temporal.PlainDate.from(fromDay).until(Temporal.PlainDate.from(toDay), { largestUnit: 'days' }).days;
}

/** The calendar day (`YYYY-MM-DD`) of `instant` in `timeZone`. */
export function calendarDayOf(instant: Date, timeZone: string): string {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone).toPlainDate().toString();
}

/** The first instant (00:00 local, or the first existing time) of calendar day `day` in `timeZone`. */
export function startOfCalendarDay(day: string, timeZone: string): Date {
  return new Date(Temporal.PlainDate.from(day).toZonedDateTime(timeZone).epochMilliseconds);
}

/** `day` plus `days` calendar days (`YYYY-MM-DD`). */
export function addCalendarDays(day: string, days: number): string {
  return Temporal.PlainDate.from(day).add({ days }).toString();
}

/**
 * `instant` moved by `days` calendar days (negative: back) in `timeZone`, keeping its local
 * wall-clock time; a time that does not exist on the new day (a DST gap) moves forward.
 */
export function shiftByCalendarDays(instant: Date, days: number, timeZone: string): Date {
  const zoned = Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone);
  return new Date(zoned.add({ days }).epochMilliseconds);
}

/** Whether `freeze` holds the membership at `at`; a cancelled freeze never does. */
export function freezeCovers(freeze: Pick<MembershipFreeze, 'startsAt' | 'resumesAt' | 'latestResumesAt' | 'status'>, at: Date): boolean {
  if (freeze.status === 'cancelled') return false;
  const until = freeze.resumesAt ?? freeze.latestResumesAt;
  return freeze.startsAt.getTime() <= at.getTime() && at.getTime() < until.getTime();
}

/** The freeze of `subscription` that holds it at `at`, if any. */
export function freezeAt(subscription: { readonly freezes?: readonly MembershipFreeze[] | undefined }, at: Date): MembershipFreeze | undefined {
  return subscription.freezes?.find((f) => freezeCovers(f, at));
}

/**
 * Refuses the use of a frozen membership at `at` (a class, a check-in):
 * `ConflictError('membership_frozen')`, naming the freeze and the day it resumes.
 */
export function assertNotFrozen(subscription: { readonly id: string; readonly freezes?: readonly MembershipFreeze[] | undefined }, at: Date): void {
  const freeze = freezeAt(subscription, at);
  if (!freeze) return;
  const resumesAt = (freeze.resumesAt ?? freeze.latestResumesAt).toISOString();
  throw new ConflictError('membership_frozen', `Member subscription ${subscription.id} is frozen at ${at.toISOString()} (until ${resumesAt})`, {
    details: { memberSubscriptionId: subscription.id, freezeId: freeze.freezeId, resumesAt },
  });
}

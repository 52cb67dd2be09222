import { Temporal } from 'temporal-polyfill';
import { ConflictError } from '../../core/errors.js';
import type { BookingPolicy, ClassBookingWindow } from '../../modules/classes/index.js';
import { OCCURRENCE_DISAMBIGUATION } from '../../modules/classes/index.js';

const MINUTE = 60_000;

/** When booking an occurrence opens (`null`: as soon as it is on the timetable) and closes. */
export interface BookingWindow {
  readonly opensAt: Date | null;
  readonly closesAt: Date;
}

/** What decides an occurrence's booking window: the host's policy, the class's override and the member's early access. */
export interface BookingWindowRules {
  readonly policy: Pick<BookingPolicy, 'bookingOpensDaysBefore' | 'bookingClosesMinutesBefore'>;
  readonly classWindow?: ClassBookingWindow | undefined;
  /** Extra days the member's plan opens booking early (`limitations.earlyBookingDays`). */
  readonly earlyBookingDays?: number | undefined;
}

/**
 * The booking window of the occurrence starting at `occurrenceStart`. The class's
 * `bookingWindow` overrides the policy field by field. Booking opens `opensDaysBefore +
 * earlyBookingDays` **calendar days** before the occurrence at the same wall-clock time in the
 * facility's zone — so across a DST change the window is an hour shorter or longer than a
 * multiple of 24 hours; a local time that does not exist that day is resolved as occurrences
 * are (Temporal's `'compatible'` rule, as for occurrences). It closes `closesMinutesBefore` minutes (elapsed
 * time) before the start. Early access only moves an opening that exists.
 *
 * @example
 * ```ts
 * bookingWindowOf(new Date('2026-03-30T07:00:00Z'), 'Europe/Berlin', { policy: { bookingOpensDaysBefore: 2, bookingClosesMinutesBefore: 60 } })
 * // { opensAt: 2026-03-28T08:00:00Z (09:00 local, before the change), closesAt: 2026-03-30T06:00:00Z }
 * ```
 */
export function bookingWindowOf(occurrenceStart: Date, timeZone: string, rules: BookingWindowRules): BookingWindow {
  const opensDaysBefore = rules.classWindow?.opensDaysBefore ?? rules.policy.bookingOpensDaysBefore;
  const closesMinutesBefore = rules.classWindow?.closesMinutesBefore ?? rules.policy.bookingClosesMinutesBefore;
  const closesAt = new Date(occurrenceStart.getTime() - closesMinutesBefore * MINUTE);
  if (opensDaysBefore === undefined) return { opensAt: null, closesAt };
  const days = opensDaysBefore + (rules.earlyBookingDays ?? 0);
  const local = Temporal.Instant.fromEpochMilliseconds(occurrenceStart.getTime()).toZonedDateTimeISO(timeZone).toPlainDateTime();
  const opens = local.subtract({ days }).toZonedDateTime(timeZone, { disambiguation: OCCURRENCE_DISAMBIGUATION });
  return { opensAt: new Date(opens.epochMilliseconds), closesAt };
}

/**
 * Refuses a booking made at `now` outside the occurrence's booking window (see
 * {@link bookingWindowOf}) with `ConflictError('outside_booking_window')`, whose details carry
 * the window's `opensAt` and `closesAt` (ISO instants; `opensAt` `null` when booking opens as
 * soon as the occurrence is on the timetable). Booking is allowed from `opensAt` inclusive
 * until `closesAt` exclusive.
 *
 * @example
 * ```ts
 * assertInsideBookingWindow(clock.now(), occurrence.start, 'Europe/Istanbul', { policy: bookings.policy, classWindow: yoga.bookingWindow })
 * ```
 */
export function assertInsideBookingWindow(now: Date, occurrenceStart: Date, timeZone: string, rules: BookingWindowRules): void {
  const { opensAt, closesAt } = bookingWindowOf(occurrenceStart, timeZone, rules);
  const t = now.getTime();
  const early = opensAt !== null && t < opensAt.getTime();
  if (!early && t < closesAt.getTime()) return;
  const when = early ? `opens at ${opensAt.toISOString()}` : `closed at ${closesAt.toISOString()}`;
  throw new ConflictError('outside_booking_window', `Booking for the occurrence at ${occurrenceStart.toISOString()} ${when}`, {
    details: { occurrence: occurrenceStart.toISOString(), opensAt: opensAt?.toISOString() ?? null, closesAt: closesAt.toISOString() },
  });
}

import { Temporal } from 'temporal-polyfill';
import type { Facility, OperatingHours } from './facility.schema.js';

/** What opening-hour questions need from a facility. */
export type FacilityHours = Pick<Facility, 'timezone' | 'operatingHours'>;

/** One opening of a facility: `[opensAt, closesAt)` in real time. */
export interface OpeningInterval {
  readonly opensAt: Date;
  readonly closesAt: Date;
}

/** Days an opening may start before the asked instant and still cover it (one overnight opening). */
const LOOK_BEHIND_DAYS = 1;
/** A week plus the overnight day: every weekday is seen once. */
const LOOK_AHEAD_DAYS = 8;

/**
 * The real-time interval a day's opening hours stand for. Wall-clock times are read in the
 * facility's IANA zone (SPEC decision 6), so an 06:00 opening is 05:00Z in Berlin's winter
 * and 04:00Z in its summer. A `closeTime` at or before `openTime` closes on the next day
 * (equal times: open around the clock). Wall times a DST change skips move forward by the
 * gap, and wall times it repeats take their earlier instant (Temporal's `compatible`, the
 * RFC 5545 rule), so a 22:00–02:00 night on the spring-forward night lasts three hours.
 */
export function openingOn(date: Temporal.PlainDate, hours: OperatingHours, timeZone: string): OpeningInterval | null {
  if (hours.isClosed) return null;
  const open = Temporal.PlainTime.from(hours.openTime);
  const close = Temporal.PlainTime.from(hours.closeTime);
  const closeDate = Temporal.PlainTime.compare(close, open) <= 0 ? date.add({ days: 1 }) : date;
  const opensAt = date.toPlainDateTime(open).toZonedDateTime(timeZone, { disambiguation: 'compatible' });
  const closesAt = closeDate.toPlainDateTime(close).toZonedDateTime(timeZone, { disambiguation: 'compatible' });
  return { opensAt: new Date(opensAt.epochMilliseconds), closesAt: new Date(closesAt.epochMilliseconds) };
}

/** The facility's openings whose start day lies in `[from, from + days)`, in order. */
function openings(facility: FacilityHours, from: Temporal.PlainDate, days: number): OpeningInterval[] {
  const byWeekday = new Map(facility.operatingHours.map((h) => [h.day as number, h]));
  const result: OpeningInterval[] = [];
  for (let i = 0; i < days; i++) {
    const date = from.add({ days: i });
    // Temporal numbers Monday 1 … Sunday 7; the schema numbers Sunday 0 … Saturday 6.
    const hours = byWeekday.get(date.dayOfWeek % 7);
    const interval = hours ? openingOn(date, hours, facility.timezone) : null;
    if (interval) result.push(interval);
  }
  return result;
}

function localDateOf(instant: Date, timeZone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone).toPlainDate();
}

/**
 * Whether the facility is open at `instant`. A weekday without an entry is closed.
 *
 * @example
 * ```ts
 * isFacilityOpenAt({ timezone: 'Europe/Berlin', operatingHours: [{ day: 0, openTime: '06:00', closeTime: '22:00', isClosed: false }] }, new Date('2026-03-29T04:00:00Z')) // true (06:00 CEST)
 * ```
 */
export function isFacilityOpenAt(facility: FacilityHours, instant: Date): boolean {
  const t = instant.getTime();
  const from = localDateOf(instant, facility.timezone).subtract({ days: LOOK_BEHIND_DAYS });
  return openings(facility, from, LOOK_BEHIND_DAYS + 1).some((o) => o.opensAt.getTime() <= t && t < o.closesAt.getTime());
}

/**
 * The opening in progress at `instant`, or else the next one to start: `null` when the
 * facility never opens. Answers "when can I go?": if it is open now, `opensAt` is in the past.
 *
 * @example
 * ```ts
 * nextFacilityOpening(facility, new Date('2026-03-28T12:00:00Z'))?.opensAt // 2026-03-29T04:00:00Z for a Berlin gym opening Sundays at 06:00
 * ```
 */
export function nextFacilityOpening(facility: FacilityHours, instant: Date): OpeningInterval | null {
  const t = instant.getTime();
  const from = localDateOf(instant, facility.timezone).subtract({ days: LOOK_BEHIND_DAYS });
  return openings(facility, from, LOOK_BEHIND_DAYS + LOOK_AHEAD_DAYS).find((o) => t < o.closesAt.getTime()) ?? null;
}

/**
 * The facility's openings that overlap `[from, to)`, in order, each whole (not clipped).
 *
 * @example
 * ```ts
 * facilityOpeningsBetween(facility, new Date('2026-03-23T00:00:00Z'), new Date('2026-03-30T00:00:00Z')).length // 7 for a gym open daily
 * ```
 */
export function facilityOpeningsBetween(facility: FacilityHours, from: Date, to: Date): OpeningInterval[] {
  const first = localDateOf(from, facility.timezone).subtract({ days: LOOK_BEHIND_DAYS });
  const days = localDateOf(to, facility.timezone).since(first).days + 1;
  return openings(facility, first, days).filter((o) => o.opensAt.getTime() < to.getTime() && from.getTime() < o.closesAt.getTime());
}

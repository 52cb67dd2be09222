import { Temporal } from 'temporal-polyfill';

/**
 * The ISO week (Monday to Monday, local midnights) containing `instant` in `timeZone`, with
 * its label (`2026-W10`): the period of a membership's weekly booking and visit limits.
 *
 * @example
 * ```ts
 * isoWeekOf(new Date('2026-03-04T15:00:00Z'), 'Europe/Istanbul') // { label: '2026-W10', from: 2026-03-01T21:00:00Z, to: 2026-03-08T21:00:00Z }
 * ```
 */
export function isoWeekOf(instant: Date, timeZone: string): { readonly label: string; readonly from: Date; readonly to: Date } {
  const local = Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone);
  const monday = local.toPlainDate().subtract({ days: local.dayOfWeek - 1 });
  const from = monday.toZonedDateTime({ timeZone });
  const to = monday.add({ weeks: 1 }).toZonedDateTime({ timeZone });
  const label = `${local.yearOfWeek ?? local.year}-W${String(local.weekOfYear ?? 1).padStart(2, '0')}`;
  return { label, from: new Date(from.epochMilliseconds), to: new Date(to.epochMilliseconds) };
}

import { ConflictError } from '../../core/errors.js';
import { isOverdueAt, type DunningPolicy, type MembershipDunning } from './membership-dunning.schema.js';
import { addCalendarDays, calendarDayOf, startOfCalendarDay } from './membership-freeze.js';

/**
 * When the retry following `declines` declined attempts is due: the start (00:00, facility
 * zone) of the calendar day `retryAfterDays[declines - 1]` days after the first decline's day;
 * `null` when the policy has no retry left (the membership is written off). Counted in
 * calendar days, so a retry across a DST change still falls on the day's start.
 *
 * @example
 * ```ts
 * dunningRetryAt(new Date('2027-01-31T09:00:00Z'), 1, DEFAULT_DUNNING_POLICY, 'Europe/Istanbul') // 2027-01-31T21:00:00Z (1 February, 00:00 local)
 * ```
 */
export function dunningRetryAt(since: Date, declines: number, policy: DunningPolicy, timeZone: string): Date | null {
  const days = policy.retryAfterDays[declines - 1];
  if (days === undefined) return null;
  return startOfCalendarDay(addCalendarDays(calendarDayOf(since, timeZone), days), timeZone);
}

/**
 * The refusal of an overdue membership: `ConflictError('membership_overdue')`, naming the
 * period end the renewal did not pay past and the next retry, if one is scheduled.
 *
 * @example
 * ```ts
 * throw overdueError({ id, dunning });
 * ```
 */
export function overdueError(subscription: { readonly id: string; readonly dunning: MembershipDunning }): ConflictError {
  const { periodEnd, nextRetryAt } = subscription.dunning;
  return new ConflictError('membership_overdue', `Member subscription ${subscription.id} is overdue: its renewal from ${periodEnd.toISOString()} is unpaid`, {
    details: { memberSubscriptionId: subscription.id, periodEnd: periodEnd.toISOString(), nextRetryAt: nextRetryAt?.toISOString() ?? null },
  });
}

/** Refuses the use of a membership overdue at `at` (a class, a check-in): `ConflictError('membership_overdue')`. */
export function assertNotOverdue(subscription: { readonly id: string; readonly dunning?: MembershipDunning | undefined }, at: Date): void {
  if (subscription.dunning && isOverdueAt(subscription, at)) throw overdueError({ id: subscription.id, dunning: subscription.dunning });
}

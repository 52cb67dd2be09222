import { ConflictError } from '../../core/errors.js';
import { isOverdueAt, type MembershipDunning } from './membership-dunning.schema.js';

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

import { ConflictError } from '../../core/errors.js';
import type { FacilityId, UserId } from '../../core/ids.js';
import { assertNotFrozen, assertNotOverdue, overdueError, type MembershipDunning, type MembershipFreeze } from '../../modules/memberships/index.js';
import type { StoreContext } from '../../stores/store-context.js';

/** What the standing checks read of a member subscription. */
export interface MembershipStandingSubject {
  readonly id: string;
  readonly freezes?: readonly MembershipFreeze[] | undefined;
  readonly dunning?: MembershipDunning | undefined;
}

/** Where the workflows look for an overdue membership when none covers the date. `MemberSubscriptionRepository` fits. */
export interface OverdueMembershipSource {
  findOverdueForUserAtFacility(userId: UserId, facilityId: FacilityId, at: Date, ctx?: StoreContext): Promise<(MembershipStandingSubject & { readonly dunning?: MembershipDunning | undefined }) | null>;
}

/**
 * The checks a membership passes before it is used at `at` (a class booking, a check-in),
 * after the workflow found the active subscription covering `at`: not frozen
 * (`ConflictError('membership_frozen')`) and not overdue (`ConflictError('membership_overdue')`).
 * Booking and check-in call this one function, so a new standing rule is added here once.
 *
 * @example
 * ```ts
 * assertMembershipInGoodStanding(subscription, occurrence.start);
 * ```
 */
export function assertMembershipInGoodStanding(subscription: MembershipStandingSubject, at: Date): void {
  assertNotFrozen(subscription, at);
  assertNotOverdue(subscription, at);
}

/**
 * The refusal when no active subscription covers `at`: `ConflictError('membership_overdue')`
 * when the member's subscription there is overdue (its renewal was declined: the period it
 * paid for ended before `at`), `ConflictError('membership_required')` otherwise.
 *
 * @example
 * ```ts
 * if (!subscription) throw await uncoveredMembershipError(subscriptions, userId, facilityId, occurrence.start);
 * ```
 */
export async function uncoveredMembershipError(source: OverdueMembershipSource, userId: UserId, facilityId: FacilityId, at: Date, ctx?: StoreContext): Promise<ConflictError> {
  const overdue = await source.findOverdueForUserAtFacility(userId, facilityId, at, ctx);
  if (overdue?.dunning) return overdueError({ id: overdue.id, dunning: overdue.dunning });
  return new ConflictError('membership_required', `User ${userId} has no active membership at facility ${facilityId} covering ${at.toISOString()}`, {
    details: { userId, facilityId },
  });
}

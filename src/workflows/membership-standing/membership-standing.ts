import { assertNotFrozen, type MembershipFreeze } from '../../modules/memberships/index.js';

/** What the standing checks read of a member subscription. */
export interface MembershipStandingSubject {
  readonly id: string;
  readonly freezes?: readonly MembershipFreeze[] | undefined;
}

/**
 * The checks a membership passes before it is used at `at` (a class booking, a check-in),
 * after the workflow found the active subscription covering `at`: not frozen
 * (`ConflictError('membership_frozen')`). Booking and check-in call this one function, so a
 * new standing rule is added here once.
 *
 * @example
 * ```ts
 * assertMembershipInGoodStanding(subscription, occurrence.start);
 * ```
 */
export function assertMembershipInGoodStanding(subscription: MembershipStandingSubject, at: Date): void {
  assertNotFrozen(subscription, at);
}

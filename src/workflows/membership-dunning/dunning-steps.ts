import type { FacilityId, MemberSubscriptionId } from '../../core/ids.js';
import { DEFAULT_DUNNING_POLICY, dunningRetryAt, type DunningPolicy, type MemberSubscription, type MembershipDunning } from '../../modules/memberships/index.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { MembershipWorkflowDeps } from '../purchase-membership/membership-workflow-deps.js';
import { payerOf } from '../renew-memberships/payer.js';

/** What the renewal and dunning runs work with: the membership workflows' deps and the dunning policy (default {@link DEFAULT_DUNNING_POLICY}). */
export interface DunningDeps extends MembershipWorkflowDeps {
  readonly dunningPolicy?: DunningPolicy | undefined;
}

/** What recording a declined charge came to: still retried, or written off. */
export type DeclineOutcome = 'declined' | 'written_off';

/**
 * A declined renewal puts the subscription into dunning: the period end stays (the member's
 * access stops there), the first attempt is recorded and the first retry scheduled, the
 * billing row becomes `past_due`, and `membership.overdue` is emitted. Read again inside the
 * unit: a subscription that is no longer active, was renewed meanwhile, or is already in
 * dunning is left as it is, so a repeated run records the decline once.
 */
export async function enterDunning(deps: DunningDeps, subscription: MemberSubscription, asOf: Date): Promise<'declined'> {
  const id = subscription.id as MemberSubscriptionId;
  const { timezone } = await deps.facilities.getById(subscription.facilityId as FacilityId);
  await deps.units.run(async (u) => {
    const current = await deps.memberships.getSubscription(id, u);
    if (current.status !== 'active' || current.dunning || current.endDate.getTime() !== subscription.endDate.getTime()) return;
    const nextRetryAt = dunningRetryAt(asOf, 1, deps.dunningPolicy ?? DEFAULT_DUNNING_POLICY, timezone);
    const dunning: MembershipDunning = { periodEnd: current.endDate, since: asOf, attempts: [{ at: asOf, outcome: 'declined' }], ...(nextRetryAt ? { nextRetryAt } : {}) };
    if (!nextRetryAt) {
      await writeOff(deps, current, dunning, asOf, u);
      return;
    }
    await deps.memberships.writeDunning(id, { dunning }, { expectedVersion: current.version }, u);
    const billingRow = await deps.billing.findBillingSubscription(payerOf(current), current.id, u);
    if (billingRow?.status === 'active') await deps.billing.updateBillingSubscription(billingRow.subscriptionId, { status: 'past_due' }, u);
    await u.emit('membership.overdue', { memberSubscriptionId: current.id, userId: current.userId, periodEnd: current.endDate.toISOString(), nextRetryAt: nextRetryAt.toISOString() });
  });
  return 'declined';
}

/**
 * Records the decline of dunning retry `retry` (the subscription had `retry` declined attempts
 * when it was charged) and schedules the next retry, or, when the policy has none left,
 * writes the membership off. Read again inside the unit and guarded by the attempt count and
 * the version: a racing run that recorded the same decline first leaves this one a no-op, so
 * every attempt is recorded once.
 */
export async function recordRetryDecline(deps: DunningDeps, subscription: MemberSubscription, retry: number, asOf: Date): Promise<DeclineOutcome> {
  const id = subscription.id as MemberSubscriptionId;
  const { timezone } = await deps.facilities.getById(subscription.facilityId as FacilityId);
  return deps.units.run(async (u) => {
    const current = await deps.memberships.getSubscription(id, u);
    const dunning = current.dunning;
    if (!dunning || dunning.writtenOffAt) return 'written_off';
    if (current.status !== 'active' || dunning.attempts.length !== retry || dunning.periodEnd.getTime() !== subscription.dunning?.periodEnd.getTime()) return 'declined';
    const attempts = [...dunning.attempts, { at: asOf, outcome: 'declined' as const }];
    const nextRetryAt = dunningRetryAt(dunning.since, attempts.length, deps.dunningPolicy ?? DEFAULT_DUNNING_POLICY, timezone);
    const { nextRetryAt: _previous, ...rest } = dunning;
    if (!nextRetryAt) {
      await writeOff(deps, current, { ...rest, attempts }, asOf, u);
      return 'written_off';
    }
    await deps.memberships.writeDunning(id, { dunning: { ...rest, attempts, nextRetryAt } }, { expectedVersion: current.version }, u);
    return 'declined';
  });
}

/**
 * The write-off: the membership ends (`expired`, auto-renewal off, the dunning record kept
 * with `writtenOffAt`), the billing row is cancelled, and `membership.written_off` is emitted.
 * Nothing is charged for the period afterwards: a charge racing it is refused by the renewal
 * unit (`renewal_not_applicable`) and refunded.
 */
async function writeOff(deps: DunningDeps, current: MemberSubscription, dunning: MembershipDunning, asOf: Date, u: UnitOfWork): Promise<void> {
  const { nextRetryAt: _none, ...kept } = dunning;
  await deps.memberships.writeDunning(current.id as MemberSubscriptionId, { dunning: { ...kept, writtenOffAt: asOf }, writeOff: true }, { expectedVersion: current.version }, u);
  const billingRow = await deps.billing.findBillingSubscription(payerOf(current), current.id, u);
  if (billingRow && (billingRow.status === 'active' || billingRow.status === 'past_due')) {
    await deps.billing.updateBillingSubscription(billingRow.subscriptionId, { status: 'cancelled', autoRenew: false }, u);
  }
  await u.emit('membership.written_off', { memberSubscriptionId: current.id, userId: current.userId, periodEnd: dunning.periodEnd.toISOString(), attempts: dunning.attempts.length });
}

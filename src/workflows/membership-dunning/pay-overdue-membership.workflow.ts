import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import { idSchema, type MemberSubscriptionId } from '../../core/ids.js';
import { parseOrThrow } from '../../core/validation.js';
import { PaymentFailedError } from '../../modules/billing/index.js';
import { freezeAt, type MemberSubscription } from '../../modules/memberships/index.js';
import { idempotencyKeySchema } from '../purchase-membership/purchase-membership.workflow.js';
import { chargeRenewal } from '../renew-memberships/renew-memberships.workflow.js';
import type { DunningDeps } from './dunning-steps.js';

const payOverdueSchema = z.strictObject({
  memberSubscriptionId: idSchema('MemberSubscriptionId'),
  idempotencyKey: idempotencyKeySchema.describe('One key per payment request: a retry with it charges once'),
});
/**
 * Input of `nexfit.workflows.payOverdueMembership`: the overdue member subscription, and a key
 * for the request.
 *
 * @useDeclaredType
 */
export type PayOverdueMembershipInput = z.input<typeof payOverdueSchema>;

/** What paying an overdue membership came to: the membership as it now stands, renewed. */
export interface PayOverdueMembershipResult {
  readonly memberSubscription: MemberSubscription;
  /** True when this key's request had already paid (a retry): nothing was charged again. */
  readonly replayed: boolean;
}

/**
 * A member in dunning pays now (after updating a card, say) instead of waiting for the next
 * nightly retry: the plan's renewal price is charged under the key
 * `renewal:<memberSubscriptionId>:pay-now:<idempotencyKey>`, opened as a payment intent
 * first, and the same unit as a paid dunning retry renews the period from its old end (no
 * gap, one invoice), clears the dunning and sets the billing row back to `active`. A retry
 * with the key returns the renewed membership without charging again (`replayed`).
 *
 * A decline throws `PaymentFailedError` (`declined`) and changes nothing: the dunning's
 * attempts and its next retry stay as scheduled (a member cannot bring a write-off forward by
 * trying). Refused with nothing charged: a membership whose renewal was not declined
 * (`ConflictError('not_overdue')`), written off or no longer active
 * (`subscription_not_active`), frozen (`membership_frozen`), or whose plan is no longer sold
 * (`plan_inactive`). When the nightly retry pays the same period first, the unit refuses this
 * charge and it is refunded (`ConflictError('renewal_not_applicable')`); a process that dies
 * after the charge leaves the intent to `recoverInDoubt()`, which renews or refunds.
 *
 * @example
 * ```ts
 * const { memberSubscription } = await payOverdueMembership(deps, { memberSubscriptionId, idempotencyKey: requestId });
 * memberSubscription.dunning; // undefined: paid
 * ```
 */
export async function payOverdueMembership(deps: DunningDeps, input: PayOverdueMembershipInput): Promise<PayOverdueMembershipResult> {
  const data = parseOrThrow(payOverdueSchema, input, { entity: 'overdue membership payment', locale: deps.locale });
  const id = data.memberSubscriptionId as MemberSubscriptionId;
  const key = `renewal:${id}:pay-now:${data.idempotencyKey}`;
  const earlier = await deps.intents.findByKey(key);
  if (earlier?.status === 'completed') return { memberSubscription: await deps.memberships.getSubscription(id), replayed: true };
  const subscription = await deps.memberships.getSubscription(id);
  const now = deps.clock.now();
  if (subscription.dunning?.writtenOffAt !== undefined || subscription.status !== 'active') {
    throw new ConflictError('subscription_not_active', `Member subscription ${id} is ${subscription.status}${subscription.dunning?.writtenOffAt ? ', written off' : ''}`);
  }
  // A declined renewal is payable at once, also in the hours before the period it renews begins.
  if (!subscription.dunning) throw new ConflictError('not_overdue', `Member subscription ${id} has no overdue renewal to pay`, { details: { memberSubscriptionId: id } });
  if (freezeAt(subscription, now)) throw new ConflictError('membership_frozen', `Member subscription ${id} is frozen`);
  const outcome = await chargeRenewal(deps, subscription, {
    idempotencyKey: key,
    request: { payNow: true },
    // Nothing is recorded in the dunning: the nightly retries stay as scheduled.
    declined: async () => 'declined_now' as const,
  });
  switch (outcome) {
    case 'renewed':
    case 'already_renewed':
      return { memberSubscription: await deps.memberships.getSubscription(id), replayed: outcome === 'already_renewed' };
    case 'declined_now':
      throw new PaymentFailedError('declined', 'The payment was declined');
    case 'plan_inactive':
      throw new ConflictError('plan_inactive', `The plan of member subscription ${id} is no longer sold`);
    case 'payer_unlinked':
      throw new ConflictError('payer_not_linked', `The account that paid for member subscription ${id} is no longer linked to it`);
    default:
      throw new ConflictError('not_overdue', `Member subscription ${id} has no overdue renewal to pay (${outcome})`);
  }
}

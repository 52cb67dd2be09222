import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import { idSchema, type MemberSubscriptionId } from '../../core/ids.js';
import { instantSchema, longTextSchema, moneyAmountSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import type { Invoice } from '../../modules/billing/index.js';
import type { Transaction } from '../../modules/billing/index.js';
import { freezeAt, type MemberSubscription } from '../../modules/memberships/index.js';
import { idempotencyKeySchema } from '../purchase-membership/purchase-membership.workflow.js';
import type { MembershipWorkflowDeps } from '../purchase-membership/membership-workflow-deps.js';
import type { PaymentIntent } from '../../modules/billing/index.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { assertSameRequest, refundUnderIntent, storeAndClose } from '../payment-intents/payment-intent-steps.js';
import type { JsonObject } from 'type-fest';

const cancelSchema = z.strictObject({
  memberSubscriptionId: idSchema('MemberSubscriptionId'),
  when: z.enum(['immediately', 'at_period_end']),
  reason: longTextSchema.optional(),
});
/**
 * Input of `nexfit.workflows.cancelMembership`: the member subscription, now or at the end of its period, and why.
 *
 * @useDeclaredType
 */
export type CancelMembershipInput = z.input<typeof cancelSchema>;

/**
 * Cancels a membership in both stores in one unit: `immediately` ends it now (member
 * subscription and billing row `cancelled`); `at_period_end` stops renewal and lets the paid
 * period run out. Emits `membership.cancelled`. Money is not returned here: see
 * {@link refundMembership}.
 */
export async function cancelMembership(deps: MembershipWorkflowDeps, input: CancelMembershipInput): Promise<MemberSubscription> {
  const data = parseOrThrow(cancelSchema, input, { entity: 'membership cancellation', locale: deps.locale });
  const id = data.memberSubscriptionId as MemberSubscriptionId;
  return deps.units.run(async (u) => {
    const cancelled = await deps.memberships.cancelSubscription(id, { when: data.when, ...(data.reason === undefined ? {} : { reason: data.reason }) }, u);
    const billingRow = await deps.billing.findBillingSubscription(cancelled.userId, cancelled.id, u);
    if (billingRow) {
      await deps.billing.updateBillingSubscription(billingRow.subscriptionId, data.when === 'immediately' ? { status: 'cancelled', autoRenew: false } : { autoRenew: false }, u);
    }
    await u.emit('membership.cancelled', { memberSubscriptionId: cancelled.id, reason: data.reason ?? null });
    return cancelled;
  });
}

/**
 * Marks every active, non-renewing membership that ended at or before `asOf` as `expired`
 * (and its billing row), each in its own unit; returns the ids expired. A membership frozen
 * at `asOf` (an open-ended freeze) is left until its freeze ends. Safe to run twice.
 */
export async function expireEnded(deps: MembershipWorkflowDeps, asOf: Date): Promise<string[]> {
  const at = parseOrThrow(instantSchema, asOf, { entity: 'expiry run', locale: deps.locale });
  const ended: MemberSubscription[] = [];
  let after: string | undefined;
  do {
    const page = await deps.memberships.listExpiring(at, { limit: 200, ...(after ? { after } : {}) });
    ended.push(...page.items);
    after = page.nextCursor ?? undefined;
  } while (after);
  const expired: string[] = [];
  for (const subscription of ended) {
    if (freezeAt(subscription, at)) continue;
    await deps.units.run(async (u) => {
      await deps.memberships.expireSubscription(subscription.id as MemberSubscriptionId, at, u);
      const billingRow = await deps.billing.findBillingSubscription(subscription.userId, subscription.id, u);
      if (billingRow && billingRow.status !== 'expired') await deps.billing.updateBillingSubscription(billingRow.subscriptionId, { status: 'expired', autoRenew: false }, u);
    });
    expired.push(subscription.id);
  }
  return expired;
}

const refundSchema = z.strictObject({
  memberSubscriptionId: idSchema('MemberSubscriptionId'),
  idempotencyKey: idempotencyKeySchema,
  /** The payment to refund; the latest completed one by default. */
  transactionId: z.uuid().optional(),
  /** Minor units; what is left of the payment by default. */
  amount: moneyAmountSchema('Refund').min(1).optional(),
  reason: longTextSchema.optional(),
  /** Cancel the membership at once; default: when the whole payment is refunded. */
  cancel: z.boolean().optional(),
});
/**
 * Input of `nexfit.workflows.refundMembership`.
 *
 * @useDeclaredType
 */
export type RefundMembershipInput = z.input<typeof refundSchema>;

/** What `nexfit.workflows.refundMembership` recorded: the refund transaction and its credit note. */
export interface RefundMembershipResult {
  readonly refund: Transaction;
  readonly creditNote: Invoice;
  readonly memberSubscription: MemberSubscription;
  readonly replayed: boolean;
}

/**
 * Refunds (part of) a membership payment: a payment intent is committed, the provider
 * refunds (keyed, so a retry never refunds twice), then one unit writes the `refund`
 * transaction, moves the original to `refunded`/`partially_refunded`, issues a credit-note
 * invoice, mirrors both in the member subscription's payment history and, for a full refund,
 * cancels the membership, and closes the intent. Emits `membership.refunded`. A refund cannot
 * be taken back: if the unit fails after the provider refunded, the intent stays open and
 * `recoverInDoubt()` (or a retry with the same idempotency key) records it.
 */
export async function refundMembership(deps: MembershipWorkflowDeps, input: RefundMembershipInput): Promise<RefundMembershipResult> {
  const data = parseOrThrow(refundSchema, input, { entity: 'membership refund', locale: deps.locale });
  const key = `refund:${data.idempotencyKey}`;
  const id = data.memberSubscriptionId as MemberSubscriptionId;
  const request: JsonObject = {
    memberSubscriptionId: id,
    ...(data.transactionId ? { transactionId: data.transactionId } : {}),
    ...(data.amount === undefined ? {} : { amount: data.amount }),
    ...(data.reason ? { reason: data.reason } : {}),
    ...(data.cancel === undefined ? {} : { cancel: data.cancel }),
  };
  let intent = await deps.intents.findByKey(key);
  if (!intent) {
    const earlier = await deps.billing.findIdempotentResult(key);
    if (earlier?.response) return replay(deps, earlier.response, id);
  }
  if (intent) {
    assertSameRequest(intent, 'refund', request);
    if (intent.status === 'completed') return replay(deps, intent.outcome ?? {}, id);
    if (intent.status === 'failed') {
      const failed = intent;
      const originalTransactionId = String(failed.terms['originalTransactionId']);
      await deps.units.run(async (u) => {
        // Weighed again as a new refund is: other refunds may have been made since it failed.
        const { left } = await refundableLeft(deps, originalTransactionId, u);
        if (failed.amount > left) throw new ConflictError('refund_exceeds_payment', `Refunding ${failed.amount} would exceed the ${left} left of ${originalTransactionId}`);
        await deps.intents.reopenFailed(failed.intentId, u.ctx);
      });
      intent = (await deps.intents.get(intent.intentId)) ?? intent;
    }
  } else {
    const subscription = await deps.memberships.getSubscription(id);
    const payment = data.transactionId
      ? subscription.paymentHistory.find((p) => p.transactionId === data.transactionId)
      : subscription.paymentHistory.filter((p) => p.status === 'completed' || p.status === 'partially_refunded').at(-1);
    if (!payment) throw new ConflictError('no_refundable_payment', `Member subscription ${id} has no refundable payment${data.transactionId ? ` ${data.transactionId}` : ''}`);
    const opened = await deps.units.run(async (u) => {
      // A racing call with the same key opened it while this one waited for the payment's lock.
      const { original, left } = await refundableLeft(deps, payment.transactionId, u);
      const same = await deps.intents.findByKey(key, u.ctx);
      if (same) return { intent: same, created: false };
      const amount = data.amount ?? left;
      if (amount <= 0 || amount > left) throw new ConflictError('refund_exceeds_payment', `Refunding ${amount} would exceed the ${left} left of ${original.transactionId}`);
      const chargeRef = original.metadata?.['providerRef'];
      if (typeof chargeRef !== 'string') throw new ConflictError('not_refundable', `Transaction ${original.transactionId} has no provider reference`);
      const terms: JsonObject = { originalTransactionId: original.transactionId, chargeRef, cancel: data.cancel ?? amount === left, ...(data.reason ? { reason: data.reason } : {}) };
      return deps.intents.open({ idempotencyKey: key, kind: 'refund', userId: original.userId, amount, currency: original.currency, request, terms }, u.ctx);
    });
    intent = opened.intent;
    if (!opened.created) {
      assertSameRequest(intent, 'refund', request);
      if (intent.status === 'completed') return replay(deps, intent.outcome ?? {}, id);
    }
  }

  const refundRef = await refundUnderIntent(deps, intent, String(intent.terms['chargeRef']));
  const open = intent;
  try {
    return await storeAndClose(deps, open, refundRef, (u) => storeRefund(deps, open, refundRef, u));
  } catch (error) {
    const now = await deps.intents.get(open.intentId);
    if (now?.status === 'completed') return replay(deps, now.outcome ?? {}, id);
    throw error;
  }
}

/**
 * The payment and what is left to refund of it, with the payment locked in `u` until the unit ends:
 * its amount less the refunds recorded and the refunds still at the provider (unfinished
 * refund intents). Weighed under the lock, two refunds racing for one payment cannot together
 * exceed it; the provider is asked only for a refund that fits.
 */
async function refundableLeft(deps: MembershipWorkflowDeps, transactionId: string, u: UnitOfWork): Promise<{ readonly original: Transaction; readonly left: number }> {
  const { original, refunded } = await deps.billing.lockRefundable(transactionId, u);
  return { original, left: original.amount - refunded - (await deps.intents.refundsInFlight(transactionId, u.ctx)) };
}

/** The refund's unit of work, built from the intent alone (recovery records a refund the provider made). */
export async function storeRefund(
  deps: MembershipWorkflowDeps,
  intent: PaymentIntent,
  refundRef: string,
  u: UnitOfWork,
): Promise<{ readonly result: RefundMembershipResult; readonly outcome: JsonObject }> {
  const id = String(intent.request['memberSubscriptionId']) as MemberSubscriptionId;
  const terms = intent.terms;
  const reason = typeof terms['reason'] === 'string' ? terms['reason'] : undefined;
  const originalTransactionId = String(terms['originalTransactionId']);
  await deps.billing.claimIdempotencyKey(intent.idempotencyKey, 'refund-membership', u);
  const recorded = await deps.billing.recordRefund({ originalTransactionId, amount: intent.amount, providerRef: refundRef, ...(reason ? { reason } : {}) }, u);
  await deps.memberships.setPaymentStatus(id, originalTransactionId, recorded.original.status, u);
  let memberSubscription = await deps.memberships.recordPayment(
    id,
    { amount: intent.amount, currency: intent.currency, date: deps.clock.now(), method: recorded.original.paymentMethod, status: 'refunded', transactionId: recorded.refund.transactionId },
    u,
  );
  if (terms['cancel'] === true && (memberSubscription.status === 'active' || memberSubscription.status === 'pending')) {
    memberSubscription = await deps.memberships.cancelSubscription(id, { when: 'immediately', reason: reason ?? 'refunded' }, u);
    const billingRow = await deps.billing.findBillingSubscription(memberSubscription.userId, memberSubscription.id, u);
    if (billingRow) await deps.billing.updateBillingSubscription(billingRow.subscriptionId, { status: 'cancelled', autoRenew: false }, u);
  }
  await u.emit('membership.refunded', { memberSubscriptionId: id, transactionId: recorded.refund.transactionId });
  const outcome: JsonObject = { memberSubscriptionId: id, refundTransactionId: recorded.refund.transactionId, creditNoteId: recorded.creditNote.invoiceId };
  await deps.billing.completeIdempotencyKey(intent.idempotencyKey, outcome, u);
  return { result: { refund: recorded.refund, creditNote: recorded.creditNote, memberSubscription, replayed: false }, outcome };
}

async function replay(deps: MembershipWorkflowDeps, response: Record<string, unknown>, id: MemberSubscriptionId): Promise<RefundMembershipResult> {
  if (response['memberSubscriptionId'] !== id) throw new ConflictError('idempotency_key_reused', 'This idempotency key was used for a different refund');
  return {
    refund: await deps.billing.getTransaction(String(response['refundTransactionId'])),
    creditNote: await deps.billing.getInvoice(String(response['creditNoteId'])),
    memberSubscription: await deps.memberships.getSubscription(id),
    replayed: true,
  };
}

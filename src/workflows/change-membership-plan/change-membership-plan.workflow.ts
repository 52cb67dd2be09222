import { Temporal } from 'temporal-polyfill';
import type { JsonObject } from 'type-fest';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { idSchema, type FacilityId, type MemberSubscriptionId, type MembershipId } from '../../core/ids.js';
import { parseOrThrow } from '../../core/validation.js';
import { calendarDateIn, PAYMENT_METHODS, quotePlanChange, type PlanChangeQuote } from '../../modules/billing/index.js';
import type { Invoice, PaymentIntent, Transaction } from '../../modules/billing/index.js';
import type { MemberSubscription } from '../../modules/memberships/index.js';
import { addMembershipPeriod, membershipSchema } from '../../modules/memberships/index.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { chargeIntent, refundUnderIntent, resumeIntent, settleCharge, storeAndClose, type CloseIntent } from '../payment-intents/payment-intent-steps.js';
import type { MembershipWorkflowDeps } from '../purchase-membership/membership-workflow-deps.js';
import { idempotencyKeySchema } from '../purchase-membership/purchase-membership.workflow.js';

const changePlanSchema = z.strictObject({
  memberSubscriptionId: idSchema('MemberSubscriptionId'),
  /** The plan to move to: same facility, currency and duration as the current one. */
  membershipId: membershipSchema.shape.id,
  /** How an upgrade's difference is paid (a downgrade's is refunded to the payment it came from). */
  paymentMethod: z.enum(PAYMENT_METHODS),
  idempotencyKey: idempotencyKeySchema,
});
/**
 * Input of `nexfit.workflows.changeMembershipPlan`: which membership moves to which plan, how an upgrade is paid, and the idempotency key.
 *
 * @useDeclaredType
 */
export type ChangeMembershipPlanInput = z.input<typeof changePlanSchema>;

/** What a plan change did: the subscription on its new plan, the price of the change, and the money that moved. */
export interface ChangeMembershipPlanResult {
  readonly memberSubscription: MemberSubscription;
  readonly quote: PlanChangeQuote;
  /** The `adjustment` payment of an upgrade's difference, the `refund` of a downgrade's, `null` when the difference is zero. */
  readonly transaction: Transaction | null;
  /** The paid invoice of an upgrade, the credit note of a downgrade, `null` when the difference is zero. */
  readonly invoice: Invoice | null;
  readonly replayed: boolean;
}

const SCOPE = 'change-membership-plan';

/** What a plan-change intent fixes when it is opened: the price of the change and what it buys. */
interface PlanChangeTerms extends JsonObject {
  /** `charge`: the difference is taken now (an upgrade, or zero); `refund`: it is given back. */
  readonly direction: 'charge' | 'refund';
  readonly memberSubscriptionId: string;
  readonly expectedVersion: number;
  readonly fromMembershipId: string;
  readonly toMembershipId: string;
  readonly toPrice: number;
  readonly facilityId: string;
  readonly changeAt: string;
  readonly periodEnd: string;
  readonly cycleDays: number;
  readonly remainingDays: number;
  readonly credit: number;
  readonly charge: number;
  readonly difference: number;
  readonly description: string;
  readonly lineDescription: string;
  /** Refund direction: the payment the difference is refunded from, and the provider's charge. */
  readonly originalTransactionId?: string;
  readonly chargeRef?: string;
}

/**
 * Moves an active membership to another plan of the same facility, currency and duration in
 * the middle of its period, at the price of the rest of the period ({@link quotePlanChange};
 * docs/modules/billing.md, "Proration"): the unused part of the old plan is credited and the
 * new plan's part of the remaining days charged. An upgrade charges the difference now (an
 * `adjustment` payment with its paid invoice); a downgrade refunds the difference to the
 * payment it came from (a `refund` with its credit note); a zero difference moves no money.
 * The period's end does not move, and the next renewal charges the new plan's full price.
 *
 * Money moves as in a purchase: a durable payment intent first, the provider's charge (or
 * refund) under the idempotency key, then one unit of work that moves the subscription
 * (guarded by the version the change was priced against) and its billing row, records the
 * money and the invoice, and closes the intent. An upgrade whose unit fails is refunded; a
 * downgrade's refund is recorded by a retry or by recovery. A retry with the same key returns
 * the first result (`replayed: true`).
 *
 * Refusals, each before anything is written or charged: `ConflictError('same_plan')`,
 * `'plan_not_interchangeable'`, `'plan_inactive'`, `'subscription_not_active'`; a downgrade
 * with no payment to refund from, `'no_refundable_payment'`.
 *
 * @example
 * ```ts
 * const { quote, invoice } = await changeMembershipPlan(deps, { memberSubscriptionId, membershipId: premiumPlanId, paymentMethod: 'card', idempotencyKey: requestId });
 * ```
 */
export async function changeMembershipPlan(deps: MembershipWorkflowDeps, input: ChangeMembershipPlanInput): Promise<ChangeMembershipPlanResult> {
  const data = parseOrThrow(changePlanSchema, input, { entity: 'membership plan change', locale: deps.locale });
  const key = `plan-change:${data.idempotencyKey}`;
  const request: JsonObject = { memberSubscriptionId: data.memberSubscriptionId, membershipId: data.membershipId, paymentMethod: data.paymentMethod };

  let intent = await deps.intents.findByKey(key);
  if (intent) {
    const ready = await resumable(deps, intent, request);
    if ('replay' in ready) return ready.replay;
    intent = ready.intent;
  } else {
    const { terms, userId, currency } = await priceChange(deps, data.memberSubscriptionId as MemberSubscriptionId, data.membershipId as MembershipId);
    const opened = await deps.intents.open({ idempotencyKey: key, kind: 'plan_change', userId, amount: Math.abs(terms.difference), currency, request, terms });
    intent = opened.intent;
    if (!opened.created) {
      const ready = await resumable(deps, intent, request);
      if ('replay' in ready) return ready.replay;
      intent = ready.intent;
    }
  }
  const open = intent;
  if (open.terms['direction'] === 'refund') return refundDifference(deps, open);
  const providerRef = await chargeIntent(deps, open, String(open.terms['description']));
  return settleCharge(deps, open, providerRef, {
    workflow: SCOPE,
    store: (u, close) => storePlanChange(deps, open, providerRef, u, close),
    replay: (completed) => replay(deps, completed),
  });
}

/** Checks the change and prices it: the terms its intent fixes. */
async function priceChange(
  deps: MembershipWorkflowDeps,
  id: MemberSubscriptionId,
  toId: MembershipId,
): Promise<{ readonly terms: PlanChangeTerms; readonly userId: string; readonly currency: string }> {
  const subscription = await deps.memberships.getSubscription(id);
  if (subscription.status !== 'active') throw new ConflictError('subscription_not_active', `Member subscription ${id} is ${subscription.status}`);
  if (subscription.membershipId === toId) throw new ConflictError('same_plan', `Member subscription ${id} is already on plan ${toId}`);
  const from = await deps.memberships.getPlan(subscription.membershipId as MembershipId);
  const to = await deps.memberships.getPlan(toId);
  if (!to.isActive) throw new ConflictError('plan_inactive', `Membership plan ${to.id} is no longer sold`);
  if (to.facilityId !== from.facilityId || to.currency !== from.currency || to.duration.unit !== from.duration.unit || to.duration.value !== from.duration.value) {
    throw new ConflictError('plan_not_interchangeable', `Membership plan ${to.id} differs from ${from.id} in facility, currency or duration`);
  }
  const facility = await deps.facilities.getById(from.facilityId as FacilityId);
  const now = deps.clock.now();
  // The current period: the first one when it ran a whole duration (31 January → 28 February
  // counts 28 days), otherwise the plan's duration back from its end (a renewed period, or the
  // month a prorated first period was charged a share of).
  const periodStart =
    addMembershipPeriod(subscription.startDate, from.duration, facility.timezone).getTime() === subscription.endDate.getTime()
      ? subscription.startDate
      : new Date(
          Temporal.Instant.fromEpochMilliseconds(subscription.endDate.getTime())
            .toZonedDateTimeISO(facility.timezone)
            .subtract({ [`${from.duration.unit}s`]: from.duration.value }, { overflow: 'constrain' }).epochMilliseconds,
        );
  const changeAt = now.getTime() < subscription.startDate.getTime() ? subscription.startDate : now;
  const quote = quotePlanChange({ oldPrice: from.price, newPrice: to.price, periodStart, periodEnd: subscription.endDate, at: changeAt, timeZone: facility.timezone });
  let refundFrom: { readonly originalTransactionId: string; readonly chargeRef: string } | null = null;
  if (quote.difference < 0) {
    refundFrom = await refundablePayment(deps, subscription, -quote.difference);
    if (!refundFrom) throw new ConflictError('no_refundable_payment', `Member subscription ${id} has no payment to refund ${-quote.difference} from`);
  }
  const terms: PlanChangeTerms = {
    direction: refundFrom ? 'refund' : 'charge',
    memberSubscriptionId: id,
    expectedVersion: subscription.version,
    fromMembershipId: from.id,
    toMembershipId: to.id,
    toPrice: to.price,
    facilityId: from.facilityId,
    changeAt: changeAt.toISOString(),
    periodEnd: subscription.endDate.toISOString(),
    cycleDays: quote.cycleDays,
    remainingDays: quote.remainingDays,
    credit: quote.credit,
    charge: quote.charge,
    difference: quote.difference,
    description: `${from.name} → ${to.name} plan change`,
    lineDescription: `${from.name} → ${to.name}, ${quote.remainingDays}/${quote.cycleDays} days to ${calendarDateIn(subscription.endDate, facility.timezone)}`,
    ...(refundFrom ?? {}),
  };
  return { terms, userId: subscription.userId, currency: from.currency };
}

/** The latest payment of the subscription with at least `amount` left to refund, and its provider charge. */
async function refundablePayment(deps: MembershipWorkflowDeps, subscription: MemberSubscription, amount: number): Promise<{ originalTransactionId: string; chargeRef: string } | null> {
  const payments = subscription.paymentHistory.filter((p) => p.status === 'completed' || p.status === 'partially_refunded').reverse();
  for (const payment of payments) {
    const original = await deps.billing.getTransaction(payment.transactionId);
    const chargeRef = original.metadata?.['providerRef'];
    if (typeof chargeRef !== 'string' || chargeRef === 'free') continue;
    if (original.amount - (await deps.billing.refundedAmount(original.transactionId)) >= amount) return { originalTransactionId: original.transactionId, chargeRef };
  }
  return null;
}

/** What a retry finds under its key: the first result to replay, an open intent to drive on, or a refusal. */
async function resumable(deps: MembershipWorkflowDeps, intent: PaymentIntent, request: JsonObject): Promise<{ replay: ChangeMembershipPlanResult } | { intent: PaymentIntent }> {
  const resumed = await resumeIntent(deps, intent, 'plan_change', request);
  return 'completed' in resumed ? { replay: await replay(deps, resumed.completed) } : resumed;
}

/** A downgrade: the provider refunds the difference under the key, then the unit records it; a failed unit leaves the intent to a retry or recovery. */
async function refundDifference(deps: MembershipWorkflowDeps, intent: PaymentIntent): Promise<ChangeMembershipPlanResult> {
  const refundRef = await refundUnderIntent(deps, intent, String(intent.terms['chargeRef']));
  try {
    return await storeAndClose(deps, intent, refundRef, (u, close) => storePlanChange(deps, intent, refundRef, u, close));
  } catch (error) {
    const now = await deps.intents.get(intent.intentId);
    if (now?.status === 'completed') return replay(deps, now);
    throw error;
  }
}

/**
 * The plan change's unit of work, built from the intent alone (recovery stores exactly what the
 * process that moved the money would have stored). The invoice is issued last, after the
 * intent's close, as in a purchase.
 */
export async function storePlanChange(
  deps: MembershipWorkflowDeps,
  intent: PaymentIntent,
  providerRef: string,
  u: UnitOfWork,
  close: CloseIntent,
): Promise<{ readonly result: ChangeMembershipPlanResult; readonly outcome: JsonObject }> {
  const terms = intent.terms as PlanChangeTerms;
  const id = terms.memberSubscriptionId as MemberSubscriptionId;
  const paymentMethod = intent.request['paymentMethod'] as Transaction['paymentMethod'];
  await deps.billing.claimIdempotencyKey(intent.idempotencyKey, SCOPE, u);
  let memberSubscription = await deps.memberships.changeSubscriptionPlan(id, { membershipId: terms.toMembershipId as MembershipId, expectedVersion: terms.expectedVersion }, u);
  const billingRow = await deps.billing.findBillingSubscription(memberSubscription.userId, id, u);
  if (billingRow) await deps.billing.updateBillingSubscription(billingRow.subscriptionId, { planId: terms.toMembershipId, amount: terms.toPrice }, u);

  let transaction: Transaction | null = null;
  let invoice: Invoice | null = null;
  let issue: (() => Promise<Invoice>) | null = null;
  const invoiceId = deps.ids.newUuid();
  if (terms.direction === 'refund') {
    const originalTransactionId = String(terms.originalTransactionId);
    const recorded = await deps.billing.recordRefund({ originalTransactionId, amount: intent.amount, providerRef, reason: terms.description }, u);
    await deps.memberships.setPaymentStatus(id, originalTransactionId, recorded.original.status, u);
    memberSubscription = await deps.memberships.recordPayment(
      id,
      { amount: intent.amount, currency: intent.currency, date: deps.clock.now(), method: recorded.original.paymentMethod, status: 'refunded', transactionId: recorded.refund.transactionId },
      u,
    );
    transaction = recorded.refund;
    invoice = recorded.creditNote;
  } else if (intent.amount > 0) {
    transaction = await deps.billing.recordPayment(
      {
        userId: memberSubscription.userId,
        amount: intent.amount,
        currency: intent.currency,
        paymentMethod,
        transactionType: 'adjustment',
        providerRef,
        description: terms.description,
        reference: { membershipId: terms.toMembershipId, facilityId: terms.facilityId, businessId: terms.facilityId, intentId: intent.intentId },
      },
      u,
    );
    memberSubscription = await deps.memberships.recordPayment(
      id,
      { amount: intent.amount, currency: intent.currency, date: deps.clock.now(), method: paymentMethod, status: 'completed', transactionId: transaction.transactionId },
      u,
    );
    const paid = transaction;
    issue = () =>
      deps.billing.issuePaidInvoice(
        {
          invoiceId,
          userId: memberSubscription.userId,
          businessId: terms.facilityId,
          gross: intent.amount,
          currency: intent.currency,
          transactionId: paid.transactionId,
          subscriptionId: billingRow?.subscriptionId ?? null,
          line: { description: terms.lineDescription, quantity: 1 },
          period: { start: new Date(terms.changeAt), end: new Date(terms.periodEnd) },
        },
        u,
      );
  }
  await u.emit('membership.plan_changed', { memberSubscriptionId: id, fromMembershipId: terms.fromMembershipId, toMembershipId: terms.toMembershipId, transactionId: transaction?.transactionId ?? null });
  const outcome: JsonObject = {
    memberSubscriptionId: id,
    transactionId: transaction?.transactionId ?? null,
    invoiceId: invoice?.invoiceId ?? (issue ? invoiceId : null),
  };
  await deps.billing.completeIdempotencyKey(intent.idempotencyKey, outcome, u);
  await close(outcome);
  if (issue) invoice = await issue();
  return { result: { memberSubscription, quote: quoteOf(terms), transaction, invoice, replayed: false }, outcome };
}

function quoteOf(terms: PlanChangeTerms): PlanChangeQuote {
  return { cycleDays: terms.cycleDays, remainingDays: terms.remainingDays, credit: terms.credit, charge: terms.charge, difference: terms.difference };
}

async function replay(deps: MembershipWorkflowDeps, intent: PaymentIntent): Promise<ChangeMembershipPlanResult> {
  const outcome = intent.outcome ?? {};
  if (typeof outcome['memberSubscriptionId'] !== 'string') throw new NotFoundError('membership plan change', 'The completed plan change has no stored result');
  const transactionId = outcome['transactionId'];
  const invoiceId = outcome['invoiceId'];
  return {
    memberSubscription: await deps.memberships.getSubscription(outcome['memberSubscriptionId'] as MemberSubscriptionId),
    quote: quoteOf(intent.terms as PlanChangeTerms),
    transaction: typeof transactionId === 'string' ? await deps.billing.getTransaction(transactionId) : null,
    invoice: typeof invoiceId === 'string' ? await deps.billing.getInvoice(invoiceId) : null,
    replayed: true,
  };
}

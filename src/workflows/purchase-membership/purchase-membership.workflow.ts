import type { JsonObject } from 'type-fest';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import { idSchema, type UserId, type FacilityId, type MembershipId, type MemberSubscriptionId } from '../../core/ids.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import { billingCycleOf, calendarDateIn, proratedStart } from '../../modules/billing/index.js';
import type { Invoice } from '../../modules/billing/index.js';
import type { PaymentIntent } from '../../modules/billing/index.js';
import type { Subscription } from '../../modules/billing/index.js';
import { PAYMENT_METHODS, type Transaction } from '../../modules/billing/index.js';
import type { MemberSubscription, StartSubscriptionInput } from '../../modules/memberships/index.js';
import { membershipSchema, promoCodeInputSchema } from '../../modules/memberships/index.js';
import { invoiceDiscountOf, pricePurchaseWithPromo, redeemPurchasePromo, renewalDiscountOf, type PromoTerms } from '../promo-codes/promo-pricing.js';
import { chargeIntent, resumeIntent, settleCharge, type CloseIntent } from '../payment-intents/payment-intent-steps.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { MembershipWorkflowDeps } from './membership-workflow-deps.js';

/** Idempotency keys a host passes: printable, 8..80 characters (a UUID fits). */
export const idempotencyKeySchema = z.string().trim().min(8).max(80).regex(/^[\w.:-]+$/);

const purchaseSchema = z.strictObject({
  userId: idSchema('UserId'),
  /** Who pays: the member (absent) or an account with an active guardian or payer link to the member. */
  payerUserId: idSchema('UserId').optional(),
  membershipId: membershipSchema.shape.id,
  paymentMethod: z.enum(PAYMENT_METHODS),
  autoRenew: z.boolean(),
  idempotencyKey: idempotencyKeySchema,
  startDate: instantSchema.optional(),
  /** Start mid-cycle: charge the days up to the next `billingDay` (1..28) of the month, then bill full cycles from it. Monthly plans only. */
  prorateTo: z.strictObject({ billingDay: z.number().int().min(1).max(28) }).optional(),
  /** A promo code of the plan's facility: the discount is fixed in the payment intent (docs/modules/memberships.md, "Promo codes and discounts"). */
  promoCode: promoCodeInputSchema.optional(),
});
/**
 * Input of `nexfit.workflows.purchaseMembership`: who buys which plan, how they pay, and the idempotency key.
 *
 * @useDeclaredType
 */
export type PurchaseMembershipInput = z.input<typeof purchaseSchema>;

/** What a purchase produced; `replayed` when a retry returned the first purchase's result. */
export interface PurchaseMembershipResult {
  readonly memberSubscription: MemberSubscription;
  readonly transaction: Transaction;
  readonly invoice: Invoice;
  readonly billingSubscription: Subscription | null;
  readonly replayed: boolean;
}

const SCOPE = 'purchase-membership';

/** The terms a purchase intent fixes when it is opened: what is charged and what it buys. */
interface PurchaseTerms extends JsonObject {
  readonly planName: string;
  readonly description: string;
  readonly lineDescription: string;
  readonly facilityId: string;
  readonly timeZone: string;
  readonly startDate: string;
  readonly billingCycle: string;
  /** The end of a prorated first period (absent: the plan's full duration). */
  readonly endDate?: string;
  /** A class pack's credits as sold: recovery grants exactly these, whatever the plan says by then. */
  readonly credits?: JsonObject;
  /** The promo code as priced: recovery redeems it and gives the subscription this discount. */
  readonly promo?: PromoTerms;
}

/**
 * Buys a membership plan (design document: the "two-phase commit" purchase). Steps:
 * 1. a durable payment intent is committed (idempotency key, user, price, what is bought);
 * 2. the plan's tax-inclusive price is charged through the host's provider under the key;
 * 3. one unit of work writes the member subscription (MongoDB, with the payment in its
 *    history), the `transactions` row, the recurring-billing row (auto-renew only), the
 *    paid invoice (gap-free number, 20 % VAT split out of the price), their audit rows and
 *    the idempotency record, closes the intent, and emits `membership.purchased`. A class
 *    pack's credits are fixed in the intent's terms, so a recovered purchase grants the
 *    credits that were sold.
 *
 * If step 3 fails, the charge is refunded and nothing is left in either store. If the
 * process dies anywhere, `recoverInDoubt()` finds the open intent and completes the purchase
 * or refunds it (docs/modules/billing.md, "Payment intents"). A retry with the same key
 * returns the first purchase (`replayed: true`) and never charges twice, also when the calls
 * race; the same key with any other parameter (user, plan, payment method, auto-renewal,
 * start date, proration) is refused with `ConflictError('idempotency_key_reused')`.
 *
 * With `payerUserId` another account pays for the member (a guardian or payer with an active
 * link, `nexfit.accountLinks`; else `ConflictError('payer_not_linked')`, nothing written): the
 * intent, the charge, the transaction, the billing row and the invoice are the payer's, the
 * membership is the member's and records the payer, whom renewals charge.
 *
 * With `prorateTo: { billingDay }` a monthly plan bought mid-cycle charges only the days up to
 * the next billing day ({@link proratedStart}; docs/modules/billing.md, "Proration") and its
 * first period ends there; renewals then bill full cycles from that day. Any other plan is
 * refused with `ConflictError('proration_not_monthly')` before anything is written. A declined or failed
 * charge throws `PaymentFailedError` and writes nothing but the closed intent.
 *
 * @example
 * ```ts
 * const { memberSubscription, invoice } = await purchaseMembership(deps, { userId, membershipId, paymentMethod: 'card', autoRenew: true, idempotencyKey: requestId });
 * ```
 */
export async function purchaseMembership(deps: MembershipWorkflowDeps, input: PurchaseMembershipInput): Promise<PurchaseMembershipResult> {
  const data = parseOrThrow(purchaseSchema, input, { entity: 'membership purchase', locale: deps.locale });
  const key = `purchase:${data.idempotencyKey}`;
  const request: JsonObject = {
    userId: data.userId,
    membershipId: data.membershipId,
    paymentMethod: data.paymentMethod,
    autoRenew: data.autoRenew,
    ...(data.payerUserId && data.payerUserId !== data.userId ? { payerUserId: data.payerUserId } : {}),
    ...(data.startDate ? { startDate: data.startDate.toISOString() } : {}),
    ...(data.prorateTo ? { prorateToBillingDay: data.prorateTo.billingDay } : {}),
    ...(data.promoCode ? { promoCode: data.promoCode } : {}),
  };

  let intent = await deps.intents.findByKey(key);
  if (!intent) {
    // Purchases stored before payment intents existed replay from their idempotency record.
    const earlier = await deps.billing.findIdempotentResult(key);
    if (earlier?.response) return replayLegacy(deps, earlier.response, request);
  }
  if (intent) {
    const ready = await resumable(deps, intent, request);
    if ('replay' in ready) return ready.replay;
    intent = ready.intent;
  }
  const payerUserId = typeof request['payerUserId'] === 'string' ? (request['payerUserId'] as UserId) : (data.userId as UserId);
  if (!intent) {
    if (payerUserId !== data.userId) {
      if (!deps.accountLinks) throw new ConflictError('payer_not_linked', `User ${payerUserId} cannot pay for user ${data.userId}`, { details: { payerUserId, userId: data.userId } });
      await deps.accountLinks.assertMayPay(payerUserId, data.userId as UserId);
    }
    const plan = await deps.memberships.getPlan(data.membershipId);
    if (!plan.isActive) throw new ConflictError('plan_inactive', `Membership plan ${plan.id} is no longer sold`);
    if (data.prorateTo && (plan.duration.unit !== 'month' || plan.duration.value !== 1)) {
      throw new ConflictError('proration_not_monthly', `Membership plan ${plan.id} runs ${plan.duration.value} ${plan.duration.unit}: only monthly plans start prorated to a billing day`);
    }
    const facility = await deps.facilities.getById(plan.facilityId as FacilityId);
    const startDate = data.startDate ?? deps.clock.now();
    const prorated = data.prorateTo ? proratedStart(plan.price, startDate, data.prorateTo.billingDay, facility.timezone) : null;
    const listAmount = prorated ? prorated.amount : plan.price;
    const promo = data.promoCode ? await pricePurchaseWithPromo(deps, { plan, userId: data.userId, code: data.promoCode, price: listAmount, at: deps.clock.now() }) : null;
    const terms: PurchaseTerms = {
      planName: plan.name,
      description: `${plan.name} membership`,
      lineDescription: prorated
        ? `${plan.name} (${plan.duration.value} ${plan.duration.unit}), prorated ${prorated.days}/${prorated.cycleDays} days to ${calendarDateIn(prorated.periodEnd, facility.timezone)}`
        : `${plan.name} (${plan.duration.value} ${plan.duration.unit})`,
      facilityId: plan.facilityId,
      timeZone: facility.timezone,
      startDate: startDate.toISOString(),
      billingCycle: billingCycleOf(plan.duration),
      ...(prorated ? { endDate: prorated.periodEnd.toISOString() } : {}),
      ...(plan.credits ? { credits: { ...plan.credits } as JsonObject } : {}),
      ...(promo ? { promo: promo.terms } : {}),
    };
    const amount = promo ? promo.amount : listAmount;
    const opened = await deps.intents.open({ idempotencyKey: key, kind: 'purchase', userId: payerUserId, amount, currency: plan.currency, request, terms });
    intent = opened.intent;
    if (!opened.created) {
      // A racing call with the same key opened it first.
      const ready = await resumable(deps, intent, request);
      if ('replay' in ready) return ready.replay;
      intent = ready.intent;
    }
  }
  const providerRef = await chargeIntent(deps, intent, String(intent.terms['description']));
  const open = intent;
  return settleCharge(deps, open, providerRef, {
    workflow: SCOPE,
    store: (u, close) => storePurchase(deps, open, providerRef, u, close),
    replay: (completed) => replay(deps, completed.outcome ?? {}),
  });
}

/**
 * What a retry finds under its key: the first purchase to replay, an open intent to drive on,
 * or a refusal (another request, a decline, a refunded purchase).
 */
async function resumable(deps: MembershipWorkflowDeps, intent: PaymentIntent, request: JsonObject): Promise<{ replay: PurchaseMembershipResult } | { intent: PaymentIntent }> {
  const resumed = await resumeIntent(deps, intent, 'purchase', request);
  return 'completed' in resumed ? { replay: await replay(deps, resumed.completed.outcome ?? {}) } : resumed;
}

/**
 * The purchase's unit of work, built from the intent alone (its request and terms), so that
 * recovery stores exactly what the process that charged would have stored.
 *
 * The invoice is issued last, after the event, the idempotency record and the intent's close
 * (its id is chosen up front so they can name it): taking the number locks the business's
 * invoice series until the unit commits, so every purchase at that business queues on it, and
 * only the invoice, its audit row and the commit protocol run under that lock.
 */
export async function storePurchase(
  deps: MembershipWorkflowDeps,
  intent: PaymentIntent,
  providerRef: string,
  u: UnitOfWork,
  close: CloseIntent,
): Promise<{ readonly result: PurchaseMembershipResult; readonly outcome: JsonObject }> {
  const request = intent.request;
  const terms = intent.terms as PurchaseTerms;
  const userId = String(request['userId']);
  // A guardian or payer pays: the charge, the transaction, the billing row and the invoice are theirs; the membership is the member's.
  const payerUserId = typeof request['payerUserId'] === 'string' ? request['payerUserId'] : userId;
  const membershipId = String(request['membershipId']) as MembershipId;
  const paymentMethod = request['paymentMethod'] as Transaction['paymentMethod'];
  const autoRenew = request['autoRenew'] === true;
  const amount = intent.amount;
  const currency = intent.currency;
  await deps.billing.claimIdempotencyKey(intent.idempotencyKey, SCOPE, u);
  const transaction = await deps.billing.recordPayment(
    {
      userId: payerUserId,
      amount,
      currency,
      paymentMethod,
      transactionType: 'purchase',
      providerRef,
      description: terms.description,
      reference: { membershipId, facilityId: terms.facilityId, businessId: terms.facilityId, intentId: intent.intentId },
    },
    u,
  );
  const { subscription } = await deps.memberships.startSubscription(
    {
      userId,
      membershipId,
      startDate: new Date(terms.startDate),
      ...(terms.endDate ? { endDate: new Date(terms.endDate) } : {}),
      timeZone: terms.timeZone,
      autoRenew,
      payment: { amount, currency, date: deps.clock.now(), method: paymentMethod, status: 'completed', transactionId: transaction.transactionId },
      ...(terms.credits ? { credits: terms.credits as StartSubscriptionInput['credits'] } : {}),
      ...(payerUserId !== userId ? { payerUserId } : {}),
      ...(renewalDiscountOf(terms) ? { discount: renewalDiscountOf(terms) } : {}),
    },
    u,
  );
  await redeemPurchasePromo(deps, intent, subscription.id, u);
  const billingSubscription = autoRenew
    ? await deps.billing.openBillingSubscription(
        {
          userId: payerUserId,
          planId: membershipId,
          start: subscription.startDate,
          end: subscription.endDate,
          billingCycle: terms.billingCycle as Subscription['billingCycle'],
          amount,
          currency,
          paymentMethod,
          memberSubscriptionId: subscription.id,
        },
        u,
      )
    : null;
  const invoiceId = deps.ids.newUuid();
  await u.emit('membership.purchased', { memberSubscriptionId: subscription.id, userId, facilityId: terms.facilityId, invoiceId });
  const outcome: JsonObject = {
    userId,
    membershipId,
    memberSubscriptionId: subscription.id,
    transactionId: transaction.transactionId,
    invoiceId,
    billingSubscriptionId: billingSubscription?.subscriptionId ?? null,
  };
  await deps.billing.completeIdempotencyKey(intent.idempotencyKey, outcome, u);
  await close(outcome);
  const invoice = await deps.billing.issuePaidInvoice(
    {
      invoiceId,
      userId: payerUserId,
      businessId: terms.facilityId,
      gross: amount,
      currency,
      transactionId: transaction.transactionId,
      subscriptionId: billingSubscription?.subscriptionId ?? null,
      line: { description: terms.lineDescription, quantity: 1 },
      period: { start: subscription.startDate, end: subscription.endDate },
      ...(invoiceDiscountOf(terms) ? { discount: invoiceDiscountOf(terms) } : {}),
    },
    u,
  );
  return { result: { memberSubscription: subscription, transaction, invoice, billingSubscription, replayed: false }, outcome };
}

async function replay(deps: MembershipWorkflowDeps, outcome: JsonObject): Promise<PurchaseMembershipResult> {
  const billingSubscriptionId = outcome['billingSubscriptionId'];
  if (typeof outcome['memberSubscriptionId'] !== 'string') throw new NotFoundError('membership purchase', 'The completed purchase has no stored result');
  return {
    memberSubscription: await deps.memberships.getSubscription(String(outcome['memberSubscriptionId']) as MemberSubscriptionId),
    transaction: await deps.billing.getTransaction(String(outcome['transactionId'])),
    invoice: await deps.billing.getInvoice(String(outcome['invoiceId'])),
    billingSubscription: typeof billingSubscriptionId === 'string' ? await deps.billing.getBillingSubscription(billingSubscriptionId) : null,
    replayed: true,
  };
}

async function replayLegacy(deps: MembershipWorkflowDeps, response: JsonObject, request: JsonObject): Promise<PurchaseMembershipResult> {
  if (response['userId'] !== request['userId'] || response['membershipId'] !== request['membershipId']) {
    throw new ConflictError('idempotency_key_reused', 'This idempotency key was used for a different request');
  }
  return replay(deps, response);
}

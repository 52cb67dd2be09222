import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import type { FacilityId, MemberSubscriptionId } from '../../core/ids.js';
import { DEFAULT_TIME_ZONE, instantSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import { PaymentFailedError } from '../../modules/billing/index.js';
import { assertNotFrozen, freezeAt, type MemberSubscription } from '../../modules/memberships/index.js';
import type { MembershipWorkflowDeps } from '../purchase-membership/membership-workflow-deps.js';
import type { PaymentIntent } from '../../modules/billing/index.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { chargeIntent, refundedError, settleCharge } from '../payment-intents/payment-intent-steps.js';
import type { JsonObject } from 'type-fest';
import { renewalPrice, useRenewalDiscount } from '../promo-codes/promo-pricing.js';

const SCOPE = 'renew-membership';

/** What happened to one due subscription. */
export type RenewalOutcome = 'renewed' | 'already_renewed' | 'declined' | 'plan_inactive' | 'frozen' | 'failed';

/** What a renewal run did: one result per due subscription. */
export interface RenewalReport {
  readonly results: readonly { readonly memberSubscriptionId: string; readonly outcome: RenewalOutcome; readonly error?: unknown }[];
}

/** The last instant of `asOf`'s calendar day in the platform's zone (Europe/Istanbul). */
function endOfDay(asOf: Date): Date {
  const day = Temporal.Instant.fromEpochMilliseconds(asOf.getTime()).toZonedDateTimeISO(DEFAULT_TIME_ZONE).toPlainDate();
  return new Date(day.add({ days: 1 }).toZonedDateTime(DEFAULT_TIME_ZONE).epochMilliseconds - 1);
}

/**
 * The nightly renewal run: every active, auto-renewing member subscription ending on or
 * before `asOf`'s day (Europe/Istanbul) is charged the plan's current price, extended by the
 * plan's duration, and invoiced, each in its own unit of work. The idempotency key of a
 * renewal is the subscription plus the period end it renews, so running twice for the same
 * day (or two runs racing) charges once and extends once. A declined card stops auto-renewal
 * (the billing row becomes `past_due`; the period runs out and the expiry run ends it); an
 * inactive plan is not renewed; a provider outage leaves the subscription for the next run.
 * A subscription frozen at `asOf` is not charged (`frozen`); one frozen after it was charged
 * is refused in the unit (`membership_frozen`) and the charge refunded.
 * Each charge is announced by a payment intent first, so a renewal whose process dies is
 * completed (or refunded) by `recoverInDoubt()`.
 *
 * @example
 * ```ts
 * const report = await renewDueSubscriptions(deps, { asOf: new Date() });
 * report.results.filter((r) => r.outcome === 'declined');
 * ```
 */
export async function renewDueSubscriptions(deps: MembershipWorkflowDeps, input: { readonly asOf: Date }): Promise<RenewalReport> {
  const { asOf } = parseOrThrow(z.strictObject({ asOf: instantSchema }), input, { entity: 'renewal run', locale: deps.locale });
  const before = endOfDay(asOf);
  const due: MemberSubscription[] = [];
  let after: string | undefined;
  do {
    const page = await deps.memberships.listDueForRenewal(before, { limit: 200, ...(after ? { after } : {}) });
    due.push(...page.items);
    after = page.nextCursor ?? undefined;
  } while (after);
  const results: RenewalReport['results'][number][] = [];
  for (const subscription of due) {
    if (freezeAt(subscription, asOf)) {
      results.push({ memberSubscriptionId: subscription.id, outcome: 'frozen' });
      continue;
    }
    try {
      results.push({ memberSubscriptionId: subscription.id, outcome: await renewOne(deps, subscription) });
    } catch (error) {
      results.push({ memberSubscriptionId: subscription.id, outcome: 'failed', error });
    }
  }
  return { results };
}

async function renewOne(deps: MembershipWorkflowDeps, subscription: MemberSubscription): Promise<RenewalOutcome> {
  const key = `renewal:${subscription.id}:${subscription.endDate.toISOString()}`;
  let intent = await deps.intents.findByKey(key);
  if (!intent && (await deps.billing.findIdempotentResult(key))) return 'already_renewed';
  const id = subscription.id as MemberSubscriptionId;
  if (intent) {
    switch (intent.status) {
      case 'completed':
        return 'already_renewed';
      case 'refunding':
      case 'refunded':
        throw refundedError(intent);
      case 'failed':
        if (intent.failureReason === 'declined') return stopDeclined(deps, subscription);
        await deps.intents.reopenFailed(intent.intentId);
        intent = (await deps.intents.get(intent.intentId)) ?? intent;
        break;
      default:
        break;
    }
  }
  if (!intent) {
    const plan = await deps.memberships.getPlan(subscription.membershipId);
    const billingRow = await deps.billing.findBillingSubscription(subscription.userId, subscription.id);
    if (!plan.isActive) {
      await deps.units.run(async (u) => {
        await deps.memberships.stopAutoRenew(id, 'plan no longer sold', u);
        if (billingRow) await deps.billing.updateBillingSubscription(billingRow.subscriptionId, { autoRenew: false }, u);
      });
      return 'plan_inactive';
    }
    const facility = await deps.facilities.getById(plan.facilityId as FacilityId);
    const method = subscription.paymentHistory.at(-1)?.method ?? billingRow?.paymentMethod ?? 'card';
    const price = renewalPrice(subscription, plan);
    const terms: RenewalTerms = {
      planId: plan.id,
      planName: plan.name,
      facilityId: plan.facilityId,
      timeZone: facility.timezone,
      paymentMethod: method,
      billingSubscriptionId: billingRow?.subscriptionId ?? null,
      ...price.terms,
    };
    const request: JsonObject = { memberSubscriptionId: subscription.id, periodEnd: subscription.endDate.toISOString() };
    intent = (await deps.intents.open({ idempotencyKey: key, kind: 'renewal', userId: subscription.userId, amount: price.amount, currency: plan.currency, request, terms })).intent;
    if (intent.status === 'completed') return 'already_renewed';
  }
  let providerRef: string;
  try {
    providerRef = await chargeIntent(deps, intent, `${String(intent.terms['planName'])} renewal`);
  } catch (error) {
    if (error instanceof PaymentFailedError && error.reason === 'declined') return stopDeclined(deps, subscription);
    throw error;
  }
  const open = intent;
  return settleCharge(deps, open, providerRef, {
    workflow: SCOPE,
    store: async (u) => ({ result: 'renewed' as RenewalOutcome, outcome: await storeRenewal(deps, open, providerRef, u) }),
    replay: async () => 'already_renewed' as RenewalOutcome,
  });
}

/**
 * A declined renewal stops auto-renewal; the billing row becomes `past_due`. Both are read
 * again inside the unit: a membership cancelled or ended since the run listed it keeps its
 * state, and a billing row that has left `active` (cancelled by the member meanwhile) is not
 * moved back to `past_due`. A change racing this unit makes one of the two fail on its version.
 */
async function stopDeclined(deps: MembershipWorkflowDeps, subscription: MemberSubscription): Promise<RenewalOutcome> {
  const id = subscription.id as MemberSubscriptionId;
  await deps.units.run(async (u) => {
    const current = await deps.memberships.getSubscription(id, u);
    if (current.status !== 'active') return;
    await deps.memberships.stopAutoRenew(id, 'renewal payment declined', u);
    const billingRow = await deps.billing.findBillingSubscription(current.userId, current.id, u);
    if (billingRow?.status === 'active') await deps.billing.updateBillingSubscription(billingRow.subscriptionId, { status: 'past_due', autoRenew: false }, u);
  });
  return 'declined';
}

/** What a renewal intent fixes when it is opened. */
interface RenewalTerms extends JsonObject {
  readonly planId: string;
  readonly planName: string;
  readonly facilityId: string;
  readonly timeZone: string;
  readonly paymentMethod: string;
  readonly billingSubscriptionId: string | null;
}

/**
 * The renewal's unit of work, built from the intent alone. It renews only the period the
 * intent names: a subscription that was renewed, cancelled or ended meanwhile is refused
 * (`ConflictError('renewal_not_applicable')`), and the charge is then refunded.
 */
export async function storeRenewal(deps: MembershipWorkflowDeps, intent: PaymentIntent, providerRef: string, u: UnitOfWork): Promise<JsonObject> {
  const terms = intent.terms as RenewalTerms;
  const id = String(intent.request['memberSubscriptionId']) as MemberSubscriptionId;
  const periodEnd = String(intent.request['periodEnd']);
  await deps.billing.claimIdempotencyKey(intent.idempotencyKey, SCOPE, u);
  const subscription = await deps.memberships.getSubscription(id, u);
  if (subscription.status !== 'active' || subscription.endDate.toISOString() !== periodEnd) {
    throw new ConflictError('renewal_not_applicable', `Member subscription ${id} is ${subscription.status} and ends ${subscription.endDate.toISOString()}, not the renewed period's ${periodEnd}`);
  }
  assertNotFrozen(subscription, deps.clock.now());
  const method = terms.paymentMethod as MemberSubscription['paymentHistory'][number]['method'];
  const transaction = await deps.billing.recordPayment(
    {
      userId: subscription.userId,
      amount: intent.amount,
      currency: intent.currency,
      paymentMethod: method,
      transactionType: 'renewal',
      providerRef,
      description: `${terms.planName} renewal`,
      reference: { membershipId: terms.planId, facilityId: terms.facilityId, businessId: terms.facilityId, memberSubscriptionId: subscription.id, intentId: intent.intentId },
    },
    u,
  );
  const extended = await deps.memberships.extendSubscription(
    id,
    {
      expectedVersion: subscription.version,
      timeZone: terms.timeZone,
      payment: { amount: intent.amount, currency: intent.currency, date: deps.clock.now(), method, status: 'completed', transactionId: transaction.transactionId },
    },
    u,
  );
  if (terms.billingSubscriptionId) await deps.billing.updateBillingSubscription(terms.billingSubscriptionId, { endDate: extended.endDate, status: 'active' }, u);
  await useRenewalDiscount(deps, intent, id, u);
  const invoice = await deps.billing.issuePaidInvoice(
    {
      userId: subscription.userId,
      businessId: terms.facilityId,
      gross: intent.amount,
      currency: intent.currency,
      transactionId: transaction.transactionId,
      subscriptionId: terms.billingSubscriptionId,
      line: { description: `${terms.planName} renewal`, quantity: 1 },
      period: { start: subscription.endDate, end: extended.endDate },
    },
    u,
  );
  await u.emit('membership.renewed', { memberSubscriptionId: subscription.id, invoiceId: invoice.invoiceId });
  const outcome: JsonObject = { memberSubscriptionId: subscription.id, transactionId: transaction.transactionId, invoiceId: invoice.invoiceId };
  await deps.billing.completeIdempotencyKey(intent.idempotencyKey, outcome, u);
  return outcome;
}

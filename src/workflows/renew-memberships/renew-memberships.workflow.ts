import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import type { FacilityId, MemberSubscriptionId, UserId } from '../../core/ids.js';
import { DEFAULT_TIME_ZONE, instantSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import { PaymentFailedError } from '../../modules/billing/index.js';
import { assertNotFrozen, freezeAt, type MemberSubscription } from '../../modules/memberships/index.js';
import type { MembershipWorkflowDeps } from '../purchase-membership/membership-workflow-deps.js';
import { enterDunning, type DunningDeps } from '../membership-dunning/dunning-steps.js';
import { payerOf } from './payer.js';
import type { PaymentIntent } from '../../modules/billing/index.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { chargeIntent, refundedError, settleCharge } from '../payment-intents/payment-intent-steps.js';
import type { JsonObject } from 'type-fest';
import { renewalPrice, useRenewalDiscount } from '../promo-codes/promo-pricing.js';

const SCOPE = 'renew-membership';

/** What happened to one due subscription. */
export type RenewalOutcome = 'renewed' | 'already_renewed' | 'declined' | 'plan_inactive' | 'payer_unlinked' | 'frozen' | 'failed';

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
 * day (or two runs racing) charges once and extends once. A declined card puts the
 * subscription into dunning (see `retryOverdueRenewals`): the period end stays, the billing
 * row becomes `past_due`, and the dunning run charges it again on the policy's days; an
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
export async function renewDueSubscriptions(deps: DunningDeps, input: { readonly asOf: Date }): Promise<RenewalReport> {
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
      results.push({ memberSubscriptionId: subscription.id, outcome: await renewOne(deps, subscription, asOf) });
    } catch (error) {
      results.push({ memberSubscriptionId: subscription.id, outcome: 'failed', error });
    }
  }
  return { results };
}

async function renewOne(deps: DunningDeps, subscription: MemberSubscription, asOf: Date): Promise<RenewalOutcome> {
  return chargeRenewal(deps, subscription, {
    idempotencyKey: renewalKey(subscription.id, subscription.endDate),
    request: {},
    declined: () => enterDunning(deps, subscription, asOf),
  });
}

/** The idempotency key of the renewal of the period ending `periodEnd` (`retry` > 0: of that dunning retry). */
export function renewalKey(memberSubscriptionId: string, periodEnd: Date, retry = 0): string {
  const key = `renewal:${memberSubscriptionId}:${periodEnd.toISOString()}`;
  return retry > 0 ? `${key}:retry-${retry}` : key;
}

/** One charge of a renewal, under its own key (the renewal, or one dunning retry of it). */
export interface RenewalCharge<O extends string = RenewalOutcome> {
  readonly idempotencyKey: string;
  /** Added to the intent's request (`memberSubscriptionId` and `periodEnd` are always there). */
  readonly request: JsonObject;
  /** What a decline does (put the subscription into dunning, or record the retry's decline). */
  readonly declined: () => Promise<O>;
}

/**
 * Charges the renewal of `subscription`'s current period under `charge.idempotencyKey` and
 * stores it (`storeRenewal`): the intent is opened first, a failed intent that the provider
 * never charged is reopened, a declined one is handed to `charge.declined`. The provider sees
 * the intent's key, so each key is charged at most once; a dunning retry charges again under
 * a key of its own.
 */
export async function chargeRenewal<O extends string>(deps: MembershipWorkflowDeps, subscription: MemberSubscription, charge: RenewalCharge<O>): Promise<RenewalOutcome | O> {
  const key = charge.idempotencyKey;
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
        if (intent.failureReason === 'declined') return charge.declined();
        await deps.intents.reopenFailed(intent.intentId);
        intent = (await deps.intents.get(intent.intentId)) ?? intent;
        break;
      default:
        break;
    }
  }
  if (!intent) {
    const plan = await deps.memberships.getPlan(subscription.membershipId);
    const payer = payerOf(subscription);
    const billingRow = await deps.billing.findBillingSubscription(payer, subscription.id);
    if (!plan.isActive || !(await payerStillLinked(deps, subscription))) {
      await deps.units.run(async (u) => {
        await deps.memberships.stopAutoRenew(id, plan.isActive ? 'payer no longer linked' : 'plan no longer sold', u);
        if (billingRow) await deps.billing.updateBillingSubscription(billingRow.subscriptionId, { autoRenew: false }, u);
      });
      return plan.isActive ? 'payer_unlinked' : 'plan_inactive';
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
    const request: JsonObject = { ...charge.request, memberSubscriptionId: subscription.id, periodEnd: subscription.endDate.toISOString() };
    intent = (await deps.intents.open({ idempotencyKey: key, kind: 'renewal', userId: payer, amount: price.amount, currency: plan.currency, request, terms })).intent;
    if (intent.status === 'completed') return 'already_renewed';
  }
  let providerRef: string;
  try {
    providerRef = await chargeIntent(deps, intent, `${String(intent.terms['planName'])} renewal`);
  } catch (error) {
    if (error instanceof PaymentFailedError && error.reason === 'declined') return charge.declined();
    throw error;
  }
  const open = intent;
  return settleCharge(deps, open, providerRef, {
    workflow: SCOPE,
    store: async (u) => ({ result: 'renewed' as RenewalOutcome, outcome: await storeRenewal(deps, open, providerRef, u) }),
    replay: async () => 'already_renewed' as RenewalOutcome,
  });
}

/** A membership paid by another account renews only while that account's link to the member is active. */
async function payerStillLinked(deps: MembershipWorkflowDeps, subscription: MemberSubscription): Promise<boolean> {
  const payer = payerOf(subscription);
  if (payer === subscription.userId) return true;
  if (!deps.accountLinks) return false;
  try {
    await deps.accountLinks.assertMayPay(payer, subscription.userId as UserId);
    return true;
  } catch (error) {
    if (error instanceof ConflictError && error.reason === 'payer_not_linked') return false;
    throw error;
  }
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
      userId: payerOf(subscription),
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
      userId: payerOf(subscription),
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

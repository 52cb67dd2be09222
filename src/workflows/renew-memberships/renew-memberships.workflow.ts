import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import type { FacilityId, MemberSubscriptionId } from '../../core/ids.js';
import { DEFAULT_TIME_ZONE, instantSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import { PaymentFailedError } from '../../modules/billing/payment-provider.js';
import type { MemberSubscription } from '../../modules/memberships/member-subscription.schema.js';
import { chargeStep } from '../purchase-membership/purchase-membership.workflow.js';
import type { MembershipWorkflowDeps } from '../purchase-membership/membership-workflow-deps.js';
import { runWorkflow } from '../workflow.js';

const SCOPE = 'renew-membership';

/** What happened to one due subscription. */
export type RenewalOutcome = 'renewed' | 'already_renewed' | 'declined' | 'plan_inactive' | 'failed';

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
  if (await deps.billing.findIdempotentResult(key)) return 'already_renewed';
  const plan = await deps.memberships.getPlan(subscription.membershipId);
  const billingRow = await deps.billing.findBillingSubscription(subscription.userId, subscription.id);
  const id = subscription.id as MemberSubscriptionId;
  if (!plan.isActive) {
    await deps.units.run(async (u) => {
      await deps.memberships.stopAutoRenew(id, 'plan no longer sold', u);
      if (billingRow) await deps.billing.updateBillingSubscription(billingRow.subscriptionId, { autoRenew: false }, u);
    });
    return 'plan_inactive';
  }
  const facility = await deps.facilities.getById(plan.facilityId as FacilityId);
  const method = subscription.paymentHistory.at(-1)?.method ?? billingRow?.paymentMethod ?? 'card';
  try {
    return await runWorkflow(SCOPE, async (run) => {
      const charge = await run(chargeStep(deps.payments), { idempotencyKey: key, amount: plan.price, currency: plan.currency, userId: subscription.userId, description: `${plan.name} renewal` });
      try {
        return await deps.units.run(async (u) => {
          await deps.billing.claimIdempotencyKey(key, SCOPE, u);
          const transaction = await deps.billing.recordPayment(
            {
              userId: subscription.userId,
              amount: plan.price,
              currency: plan.currency,
              paymentMethod: method,
              transactionType: 'renewal',
              providerRef: charge.providerRef,
              description: `${plan.name} renewal`,
              reference: { membershipId: plan.id, facilityId: plan.facilityId, businessId: plan.facilityId, memberSubscriptionId: subscription.id },
            },
            u,
          );
          const extended = await deps.memberships.extendSubscription(
            id,
            {
              expectedVersion: subscription.version,
              timeZone: facility.timezone,
              payment: { amount: plan.price, currency: plan.currency, date: deps.clock.now(), method, status: 'completed', transactionId: transaction.transactionId },
            },
            u,
          );
          if (billingRow) await deps.billing.updateBillingSubscription(billingRow.subscriptionId, { endDate: extended.endDate, status: 'active' }, u);
          const invoice = await deps.billing.issuePaidInvoice(
            {
              userId: subscription.userId,
              businessId: plan.facilityId,
              gross: plan.price,
              currency: plan.currency,
              transactionId: transaction.transactionId,
              subscriptionId: billingRow?.subscriptionId ?? null,
              line: { description: `${plan.name} renewal`, quantity: 1 },
              period: { start: subscription.endDate, end: extended.endDate },
            },
            u,
          );
          await u.emit('membership.renewed', { memberSubscriptionId: subscription.id, invoiceId: invoice.invoiceId });
          await deps.billing.completeIdempotencyKey(key, { memberSubscriptionId: subscription.id, transactionId: transaction.transactionId, invoiceId: invoice.invoiceId }, u);
          return 'renewed' as const;
        });
      } catch (error) {
        // A racing run renewed this period with this very charge: nothing to undo.
        if (error instanceof ConflictError && error.reason === 'idempotency_key_taken') return 'already_renewed' as const;
        throw error;
      }
    });
  } catch (error) {
    if (error instanceof PaymentFailedError && error.reason === 'declined') {
      await deps.units.run(async (u) => {
        await deps.memberships.stopAutoRenew(id, 'renewal payment declined', u);
        if (billingRow) await deps.billing.updateBillingSubscription(billingRow.subscriptionId, { status: 'past_due', autoRenew: false }, u);
      });
      return 'declined';
    }
    throw error;
  }
}

import type { JsonObject } from 'type-fest';
import { z } from 'zod';
import { ConflictError, isNexfitError } from '../../core/errors.js';
import { idSchema, type FacilityId, type MemberSubscriptionId } from '../../core/ids.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import { billingCycleOf } from '../../modules/billing/billing.service.js';
import type { Invoice } from '../../modules/billing/invoice.schema.js';
import { PaymentFailedError, type ChargeResult, type PaymentProvider } from '../../modules/billing/payment-provider.js';
import type { Subscription } from '../../modules/billing/subscription.schema.js';
import { PAYMENT_METHODS, type Transaction } from '../../modules/billing/transaction.schema.js';
import type { MemberSubscription } from '../../modules/memberships/member-subscription.schema.js';
import { membershipSchema } from '../../modules/memberships/membership.schema.js';
import { createStep, runWorkflow, stepResponse } from '../workflow.js';
import type { MembershipWorkflowDeps } from './membership-workflow-deps.js';

/** Idempotency keys a host passes: printable, 8..80 characters (a UUID fits). */
export const idempotencyKeySchema = z.string().trim().min(8).max(80).regex(/^[\w.:-]+$/);

const purchaseSchema = z.strictObject({
  userId: idSchema('UserId'),
  membershipId: membershipSchema.shape.id,
  paymentMethod: z.enum(PAYMENT_METHODS),
  autoRenew: z.boolean(),
  idempotencyKey: idempotencyKeySchema,
  startDate: instantSchema.optional(),
});
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

/** The charge step: takes the money under the purchase's key; its compensation refunds it. */
export function chargeStep(payments: PaymentProvider) {
  return createStep(
    'charge',
    async (request: { readonly idempotencyKey: string; readonly amount: number; readonly currency: string; readonly userId: string; readonly description: string }) => {
      let result: ChargeResult;
      try {
        result = await payments.charge(request);
      } catch (cause) {
        throw new PaymentFailedError('provider_error', 'The payment provider failed; nothing was charged', { cause });
      }
      if (result.status !== 'succeeded') throw new PaymentFailedError('declined', 'The payment was declined');
      return stepResponse(result, { providerRef: result.providerRef, amount: request.amount, idempotencyKey: request.idempotencyKey });
    },
    async ({ providerRef, amount, idempotencyKey }) => {
      await payments.refund({ idempotencyKey: `${idempotencyKey}:compensation`, providerRef, amount });
    },
  );
}

/**
 * Buys a membership plan (design document: the "two-phase commit" purchase). Steps:
 * 1. charge the plan's tax-inclusive price through the host's provider under the caller's
 *    idempotency key (compensation: refund);
 * 2. one unit of work writes the member subscription (MongoDB, with the payment in its
 *    history), the `transactions` row, the recurring-billing row (auto-renew only), the
 *    paid invoice (gap-free number, 20 % VAT split out of the price) and their audit rows,
 *    the idempotency record, and emits `membership.purchased`.
 *
 * If step 2 fails, the charge is refunded and nothing is left in either store. A retry with
 * the same key returns the first purchase (`replayed: true`) and never charges twice, also
 * when the two calls race; the same key with a different user or plan is refused with
 * `ConflictError('idempotency_key_reused')`. A declined or failed charge throws
 * `PaymentFailedError` and writes nothing.
 *
 * @example
 * ```ts
 * const { memberSubscription, invoice } = await purchaseMembership(deps, { userId, membershipId, paymentMethod: 'card', autoRenew: true, idempotencyKey: requestId });
 * ```
 */
export async function purchaseMembership(deps: MembershipWorkflowDeps, input: PurchaseMembershipInput): Promise<PurchaseMembershipResult> {
  const data = parseOrThrow(purchaseSchema, input, { entity: 'membership purchase', locale: deps.locale });
  const key = `purchase:${data.idempotencyKey}`;
  const fingerprint = { userId: data.userId, membershipId: data.membershipId };

  const earlier = await deps.billing.findIdempotentResult(key);
  if (earlier?.response) return replay(deps, earlier.response, fingerprint);

  const plan = await deps.memberships.getPlan(data.membershipId);
  if (!plan.isActive) throw new ConflictError('plan_inactive', `Membership plan ${plan.id} is no longer sold`);
  const facility = await deps.facilities.getById(plan.facilityId as FacilityId);
  const startDate = data.startDate ?? deps.clock.now();

  return runWorkflow(SCOPE, async (run) => {
    const charge =
      plan.price === 0
        ? { providerRef: 'free', status: 'succeeded' as const }
        : await run(chargeStep(deps.payments), { idempotencyKey: key, amount: plan.price, currency: plan.currency, userId: data.userId, description: `${plan.name} membership` });
    try {
      return await deps.units.run(async (u) => {
        await deps.billing.claimIdempotencyKey(key, SCOPE, u);
        const transaction = await deps.billing.recordPayment(
          {
            userId: data.userId,
            amount: plan.price,
            currency: plan.currency,
            paymentMethod: data.paymentMethod,
            transactionType: 'purchase',
            providerRef: charge.providerRef,
            description: `${plan.name} membership`,
            reference: { membershipId: plan.id, facilityId: plan.facilityId, businessId: plan.facilityId },
          },
          u,
        );
        const { subscription } = await deps.memberships.startSubscription(
          {
            userId: data.userId,
            membershipId: plan.id,
            startDate,
            timeZone: facility.timezone,
            autoRenew: data.autoRenew,
            payment: { amount: plan.price, currency: plan.currency, date: deps.clock.now(), method: data.paymentMethod, status: 'completed', transactionId: transaction.transactionId },
          },
          u,
        );
        const billingSubscription = data.autoRenew
          ? await deps.billing.openBillingSubscription(
              {
                userId: data.userId,
                planId: plan.id,
                start: subscription.startDate,
                end: subscription.endDate,
                billingCycle: billingCycleOf(plan.duration),
                amount: plan.price,
                currency: plan.currency,
                paymentMethod: data.paymentMethod,
                memberSubscriptionId: subscription.id,
              },
              u,
            )
          : null;
        const invoice = await deps.billing.issuePaidInvoice(
          {
            userId: data.userId,
            businessId: plan.facilityId,
            gross: plan.price,
            currency: plan.currency,
            transactionId: transaction.transactionId,
            subscriptionId: billingSubscription?.subscriptionId ?? null,
            line: { description: `${plan.name} (${plan.duration.value} ${plan.duration.unit})`, quantity: 1 },
            period: { start: subscription.startDate, end: subscription.endDate },
          },
          u,
        );
        await u.emit('membership.purchased', { memberSubscriptionId: subscription.id, userId: data.userId, facilityId: plan.facilityId, invoiceId: invoice.invoiceId });
        const response: JsonObject = {
          ...fingerprint,
          memberSubscriptionId: subscription.id,
          transactionId: transaction.transactionId,
          invoiceId: invoice.invoiceId,
          billingSubscriptionId: billingSubscription?.subscriptionId ?? null,
        };
        await deps.billing.completeIdempotencyKey(key, response, u);
        return { memberSubscription: subscription, transaction, invoice, billingSubscription, replayed: false };
      });
    } catch (error) {
      // A concurrent call with the same key committed first: its purchase used this very
      // charge (same provider key), so replay it and do not refund.
      if (isNexfitError(error) && error instanceof ConflictError && error.reason === 'idempotency_key_taken') {
        const winner = await deps.billing.findIdempotentResult(key);
        if (winner?.response) return replay(deps, winner.response, fingerprint);
      }
      throw error;
    }
  });
}

async function replay(deps: MembershipWorkflowDeps, response: JsonObject, fingerprint: { userId: string; membershipId: string }): Promise<PurchaseMembershipResult> {
  if (response['userId'] !== fingerprint.userId || response['membershipId'] !== fingerprint.membershipId) {
    throw new ConflictError('idempotency_key_reused', 'This idempotency key was used for a different purchase');
  }
  const billingSubscriptionId = response['billingSubscriptionId'];
  return {
    memberSubscription: await deps.memberships.getSubscription(String(response['memberSubscriptionId']) as MemberSubscriptionId),
    transaction: await deps.billing.getTransaction(String(response['transactionId'])),
    invoice: await deps.billing.getInvoice(String(response['invoiceId'])),
    billingSubscription: typeof billingSubscriptionId === 'string' ? await deps.billing.getBillingSubscription(billingSubscriptionId) : null,
    replayed: true,
  };
}


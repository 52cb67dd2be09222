import type { JsonObject } from 'type-fest';
import { z } from 'zod';
import { parseOrThrow } from '../../core/validation.js';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import type { MembershipId, UserId } from '../../core/ids.js';
import type { PaymentIntent } from '../../modules/billing/index.js';
import type { ChargeLookup, RefundLookup } from '../../modules/billing/index.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { storeRefund } from '../membership-lifecycle/membership-lifecycle.workflow.js';
import type { MembershipWorkflowDeps } from '../purchase-membership/membership-workflow-deps.js';
import { storePurchase } from '../purchase-membership/purchase-membership.workflow.js';
import { storeRenewal } from '../renew-memberships/renew-memberships.workflow.js';
import { storePlanChange } from '../change-membership-plan/change-membership-plan.workflow.js';
import { FEE_WAIVER_SUBJECT, feeStoreOf, feeWaiverStoreOf, storeBookingFee, storeFeeWaiver } from '../booking-fees/booking-fees.workflow.js';
import { FREEZE_FEE_SUBJECT } from '../membership-freeze/membership-freeze.workflow.js';
import { errorText, FREE_PROVIDER_REF, reasonOf, refundIntent, storeAndClose, type CloseIntent } from './payment-intent-steps.js';

/** How one unfinished intent ended in a recovery pass. */
export type IntentRecoveryOutcome =
  /** The charge (or refund) was found and its result stored. */
  | 'completed'
  /** The charge was found but could not stand (see `reason`): the money was given back. */
  | 'refunded'
  /** The provider holds nothing under the key (or declined it): closed, nothing to undo. */
  | 'failed'
  /** Nothing changed; a later pass retries (see `reason`). */
  | 'stuck';

/** One intent a recovery pass looked at. */
export interface IntentRecoveryResult {
  readonly intentId: string;
  readonly idempotencyKey: string;
  readonly kind: PaymentIntent['kind'];
  readonly outcome: IntentRecoveryOutcome;
  /** Why it was refunded, failed or is stuck (`provider_unavailable`, `plan_missing`, `user_erased`, `user_missing`, an error code…). */
  readonly reason?: string;
}

/** What a pass over the unfinished payment intents did. */
export interface IntentRecoveryReport {
  readonly examined: number;
  readonly results: readonly IntentRecoveryResult[];
}

/** Options of `nexfit.workflows.recoverPaymentIntents()` (and of the payment-intent pass of `recoverInDoubt`). */
export interface IntentRecoveryOptions {
  /** Leave intents touched more recently than this alone (their process may still be working). Default 60 s. */
  readonly olderThanMs?: number;
  /** Intents read per batch. Default 100. */
  readonly batchSize?: number;
}

/**
 * Drives every payment intent left unfinished past the grace period to an end. The policy
 * (docs/modules/billing.md, "Recovery policy"):
 *
 * - purchase or renewal, `open`: the provider is asked whether it charged under the key.
 *   No charge (or a decline) closes the intent as `failed`. A charge is completed — the same
 *   unit of work the live path runs, built from the intent — when the buyer still exists and
 *   what was bought still applies; a buyer erased meanwhile, or a business refusal from the
 *   unit (a renewal whose period was renewed or cancelled meanwhile, a plan that no longer
 *   validates), refunds it. A missing plan or facility, an unreadable user (wrong keyring) or
 *   a store failure leaves it `stuck` with the reason: nothing changes and an operator looks.
 * - `refunding`: the refund is (re)issued under its key and the intent closed `refunded`.
 * - refund, `open`: a refund the provider made is recorded; none closes the intent.
 * - plan change: an upgrade (or zero difference) recovers as a purchase does, a downgrade as a
 *   refund does, each storing the change through the unit the live path runs.
 * - fee (a late-cancellation or no-show fee): recovers as a purchase does; a fee waived
 *   meanwhile (`fee_not_payable`) or a member erased refunds the charge. An intent the provider
 *   never charged closes `failed` and the fee waits for the nightly `collectUnpaidFees`. A
 *   charged freeze fee is refunded (`freeze_not_recorded`): its freeze was not written.
 *
 * A provider that cannot answer leaves the intent open (`stuck`, `provider_unavailable`) for
 * the next pass. Every move is a conditional update of the intent, so passes may run
 * concurrently with each other and with the member's own retry of the same key: exactly one
 * of them completes or refunds, and the provider's idempotency keeps every charge and refund
 * single. Run it after the units of work in doubt are resolved (`recoverInDoubt` does both).
 *
 * @example
 * ```ts
 * const report = await recoverPaymentIntents(deps, { olderThanMs: 120_000 });
 * report.results.filter((r) => r.outcome === 'stuck');
 * ```
 */
export async function recoverPaymentIntents(deps: MembershipWorkflowDeps, options: IntentRecoveryOptions = {}): Promise<IntentRecoveryReport> {
  const parsed = parseOrThrow(optionsSchema, options, { entity: 'payment intent recovery', locale: deps.locale });
  const olderThanMs = parsed?.olderThanMs ?? 60_000;
  const batchSize = parsed?.batchSize ?? 100;
  const results: IntentRecoveryResult[] = [];
  for await (const intent of deps.intents.eachUnfinished(olderThanMs, batchSize)) {
    let result: Omit<IntentRecoveryResult, 'intentId' | 'idempotencyKey' | 'kind'>;
    try {
      result = await recoverOne(deps, intent);
    } catch (error) {
      result = { outcome: 'stuck', reason: `${reasonOf(error)}: ${errorText(error)}`.slice(0, 300) };
    }
    if (result.outcome === 'stuck') await deps.intents.noteRecoveryFailure(intent.intentId, result.reason ?? 'stuck').catch(() => {});
    results.push({ intentId: intent.intentId, idempotencyKey: intent.idempotencyKey, kind: intent.kind, ...result });
  }
  return { examined: results.length, results };
}

const optionsSchema = z
  .strictObject({
    olderThanMs: z.number().int().min(0).max(365 * 86_400_000).optional(),
    batchSize: z.number().int().min(1).max(10_000).optional(),
  })
  .optional();

type Recovered = { readonly outcome: IntentRecoveryOutcome; readonly reason?: string };

async function recoverOne(deps: MembershipWorkflowDeps, intent: PaymentIntent): Promise<Recovered> {
  if (intent.kind === 'refund' || (intent.kind === 'plan_change' && intent.terms['direction'] === 'refund')) return recoverRefund(deps, intent);
  if (intent.status === 'refunding') {
    const done = await refundIntent(deps, intent, intent.providerRef ?? FREE_PROVIDER_REF, intent.failureReason ?? 'recovery', ['refunding']);
    return done === 'completed' ? { outcome: 'completed' } : { outcome: 'refunded', reason: intent.failureReason ?? 'recovery' };
  }
  let charge: ChargeLookup | null;
  if (intent.amount === 0) {
    charge = { providerRef: FREE_PROVIDER_REF, status: 'succeeded', amount: 0, currency: intent.currency };
  } else {
    try {
      charge = await deps.payments.findCharge(intent.idempotencyKey);
    } catch (error) {
      return { outcome: 'stuck', reason: `provider_unavailable: ${errorText(error)}`.slice(0, 300) };
    }
  }
  if (!charge || charge.status !== 'succeeded') {
    const reason = charge ? 'declined' : 'not_charged';
    if (await deps.intents.fail(intent.intentId, reason)) return { outcome: 'failed', reason };
    return settledElsewhere(deps, intent);
  }
  const providerRef = charge.providerRef;

  const refusal = await preconditions(deps, intent);
  if (refusal?.stuck) return { outcome: 'stuck', reason: refusal.stuck };
  if (refusal?.refund) return refund(deps, intent, providerRef, refusal.refund);

  try {
    await storeAndClose(deps, intent, providerRef, (u, close) => storeFor(deps, intent, providerRef, u, close), { noWait: true });
    return { outcome: 'completed' };
  } catch (error) {
    const elsewhere = await settledElsewhere(deps, intent);
    if (elsewhere.outcome !== 'stuck') return elsewhere;
    // The business said no: the charge cannot stand. Anything else may pass later.
    if (error instanceof ValidationError || (error instanceof ConflictError && error.reason !== 'payment_intent_closed') || error instanceof NotFoundError) {
      return refund(deps, intent, providerRef, reasonOf(error));
    }
    return { outcome: 'stuck', reason: `${reasonOf(error)}: ${errorText(error)}`.slice(0, 300) };
  }
}

/** What the stores say before a charged purchase or renewal is completed: refund it, leave it stuck, or go on. */
async function preconditions(deps: MembershipWorkflowDeps, intent: PaymentIntent): Promise<{ refund?: string; stuck?: string } | null> {
  const user = await deps.users.findById(intent.userId as UserId);
  if (!user) return { refund: 'user_missing' };
  if (user.erasedAt) return { refund: 'user_erased' };
  // The freeze a freeze fee paid for is written in the unit that closes its intent: an open one means it was not.
  if (intent.kind === 'fee' && intent.terms['subject'] === FREEZE_FEE_SUBJECT) return { refund: 'freeze_not_recorded' };
  if (intent.kind === 'purchase') {
    try {
      await deps.memberships.getPlan(String(intent.request['membershipId']) as MembershipId);
    } catch (error) {
      if (error instanceof NotFoundError) return { stuck: 'plan_missing' };
      throw error;
    }
  }
  return null;
}

function storeFor(deps: MembershipWorkflowDeps, intent: PaymentIntent, providerRef: string, u: UnitOfWork, close: CloseIntent): Promise<{ readonly result: unknown; readonly outcome: JsonObject }> {
  if (intent.kind === 'purchase') return storePurchase(deps, intent, providerRef, u, close);
  if (intent.kind === 'plan_change') return storePlanChange(deps, intent, providerRef, u, close);
  if (intent.kind === 'fee') return storeBookingFee(feeStoreOf(deps), intent, providerRef, u, close);
  return storeRenewal(deps, intent, providerRef, u).then((outcome) => ({ result: outcome, outcome }));
}

async function refund(deps: MembershipWorkflowDeps, intent: PaymentIntent, providerRef: string, reason: string): Promise<Recovered> {
  try {
    const done = await refundIntent(deps, intent, providerRef, reason, ['open', 'failed']);
    return done === 'completed' ? { outcome: 'completed' } : { outcome: 'refunded', reason };
  } catch (error) {
    const elsewhere = await settledElsewhere(deps, intent);
    if (elsewhere.outcome !== 'stuck') return elsewhere;
    return { outcome: 'stuck', reason: `refund_failed: ${errorText(error)}`.slice(0, 300) };
  }
}

/** A refund intent: record the refund the provider made, or close the intent when it made none. */
async function recoverRefund(deps: MembershipWorkflowDeps, intent: PaymentIntent): Promise<Recovered> {
  let found: RefundLookup | null;
  try {
    found = await deps.payments.findRefund(intent.idempotencyKey);
  } catch (error) {
    return { outcome: 'stuck', reason: `provider_unavailable: ${errorText(error)}`.slice(0, 300) };
  }
  if (!found) {
    if (await deps.intents.fail(intent.intentId, 'not_refunded')) return { outcome: 'failed', reason: 'not_refunded' };
    return settledElsewhere(deps, intent);
  }
  const refundRef = found.providerRef;
  try {
    await storeAndClose<unknown>(deps, intent, refundRef, (u, close) => {
      if (intent.kind === 'plan_change') return storePlanChange(deps, intent, refundRef, u, close);
      if (intent.terms['subject'] === FEE_WAIVER_SUBJECT) return storeFeeWaiver(feeWaiverStoreOf(deps), intent, refundRef, u);
      return storeRefund(deps, intent, refundRef, u);
    }, {
      noWait: true,
    });
    return { outcome: 'completed' };
  } catch (error) {
    const elsewhere = await settledElsewhere(deps, intent);
    if (elsewhere.outcome !== 'stuck') return elsewhere;
    return { outcome: 'stuck', reason: `${reasonOf(error)}: ${errorText(error)}`.slice(0, 300) };
  }
}

/** The intent as another run (a racing recovery, the member's retry) left it. */
async function settledElsewhere(deps: MembershipWorkflowDeps, intent: PaymentIntent): Promise<Recovered> {
  const now = await deps.intents.get(intent.intentId);
  switch (now?.status) {
    case 'completed':
      return { outcome: 'completed' };
    case 'refunded':
      return { outcome: 'refunded', reason: now.failureReason ?? 'refunded' };
    case 'failed':
      return { outcome: 'failed', reason: now.failureReason ?? 'failed' };
    default:
      return { outcome: 'stuck', reason: now ? `still ${now.status}` : 'intent_missing' };
  }
}

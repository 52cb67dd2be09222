import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { idSchema, type FacilityId, type MemberSubscriptionId } from '../../core/ids.js';
import { ConflictError } from '../../core/errors.js';
import type { JsonObject } from 'type-fest';
import { currencyCodeSchema } from '../../core/money.js';
import { calendarDateSchema, instantSchema, longTextSchema, moneyAmountSchema, uuidSchema } from '../../core/schema-primitives.js';
import { parseOrThrow, type ValidationLocale } from '../../core/validation.js';
import type { BillingService, PaymentIntent, PaymentIntentRepository, PaymentProvider } from '../../modules/billing/index.js';
import type { IdGenerator } from '../../core/ids.js';
import { assertSameRequest, canonicalJson, chargeIntent, resumeIntent, settleCharge } from '../payment-intents/payment-intent-steps.js';
import { idempotencyKeySchema } from '../purchase-membership/purchase-membership.workflow.js';
import type { FacilityService } from '../../modules/facilities/index.js';
import type { FreezeChange, FreezePolicy, MemberSubscription, MembershipService } from '../../modules/memberships/index.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { UnitRunner } from '../../uow/unit-runner.js';

/** What the freeze workflows work with. */
export interface MembershipFreezeDeps {
  readonly memberships: Pick<MembershipService, 'getSubscription' | 'freezeSubscription' | 'unfreezeSubscription' | 'applySubscriptionFreezes' | 'listFreezesDue'>;
  readonly billing: Pick<BillingService, 'findBillingSubscription' | 'updateBillingSubscription' | 'findIdempotentResult' | 'claimIdempotencyKey' | 'completeIdempotencyKey'>;
  readonly facilities: Pick<FacilityService, 'getById'>;
  readonly units: UnitRunner;
  readonly clock: Clock;
  /** The host's freeze policy (`createNexfit({ freezePolicy })`). */
  readonly policy: FreezePolicy;
  readonly locale?: ValidationLocale | undefined;
  /** How a freeze fee is charged (`createNexfit({ payments })`); absent, the fee is only recorded on the freeze. */
  readonly feePayments?: FreezeFeePayments | undefined;
}

/** What charging a freeze fee works with: the payment port, its intents, and the billing records. */
export interface FreezeFeePayments {
  readonly payments: PaymentProvider;
  readonly intents: PaymentIntentRepository;
  readonly billing: Pick<BillingService, 'recordPayment' | 'issuePaidInvoice'>;
  readonly ids: Pick<IdGenerator, 'newUuid'>;
}

/** The `terms.subject` of a freeze fee's payment intent (a booking fee's intent has none). */
export const FREEZE_FEE_SUBJECT = 'membership_freeze';

const freezeInputSchema = z.strictObject({
  memberSubscriptionId: idSchema('MemberSubscriptionId'),
  startDate: calendarDateSchema.optional().describe('First frozen day (facility time zone); today by default'),
  resumeDate: calendarDateSchema.optional().describe('First day the membership runs again; absent: open-ended, ended by unfreezeMembership'),
  reason: longTextSchema.optional(),
  fee: z.strictObject({ amount: moneyAmountSchema('Freeze fee'), currency: currencyCodeSchema }).optional().describe('A freeze fee, recorded on the freeze and charged with it when the instance has a payment provider'),
  idempotencyKey: idempotencyKeySchema.optional().describe('One key per freeze request: a retry with it returns the first freeze and charges its fee once'),
});
/**
 * Input of `nexfit.workflows.freezeMembership`: the member subscription, the first frozen day
 * and the first day back (calendar dates in the facility's zone), why, and an optional fee.
 *
 * @useDeclaredType
 */
export type FreezeMembershipInput = z.input<typeof freezeInputSchema>;

const unfreezeInputSchema = z.strictObject({
  memberSubscriptionId: idSchema('MemberSubscriptionId'),
  freezeId: uuidSchema.optional(),
  resumeDate: calendarDateSchema.optional().describe('First day the membership runs again; today by default'),
});
/**
 * Input of `nexfit.workflows.unfreezeMembership`: the member subscription, which freeze (the
 * running one, else the next scheduled one, by default) and the first day back (today by default).
 *
 * @useDeclaredType
 */
export type UnfreezeMembershipInput = z.input<typeof unfreezeInputSchema>;

/** What a freeze run did: the freezes started or ended, per member subscription. */
export interface ApplyFreezesReport {
  readonly results: readonly { readonly memberSubscriptionId: string; readonly outcome: 'applied' | 'failed'; readonly freezes?: number; readonly error?: unknown }[];
}

/**
 * Freezes (pauses) a membership, like Mindbody's suspended contract or a Glofox pause: now or
 * from a later day, for a fixed number of calendar days (`resumeDate`) or until
 * {@link unfreezeMembership}. One unit of work writes the freeze on the member subscription,
 * moves its period end by the frozen calendar days and moves the billing row's `end_date` —
 * the next billing date, as renewals charge when a period ends — by the same days. While
 * frozen the membership books no class and checks in nowhere (`ConflictError('membership_frozen')`)
 * and the renewal run does not charge it. Refusals, each with nothing written, are listed on
 * `MembershipService.freezeSubscription`. Emits `membership.frozen`.
 *
 * A freeze `fee` (decision 56) is charged before the freeze through the payment provider,
 * under a payment intent of kind `fee` with a key of its own per freeze request; the unit that
 * writes the freeze also records the `adjustment` transaction ("Freeze fee") and its paid
 * invoice and closes the intent. A declined fee refuses the freeze with `PaymentFailedError`
 * and nothing written; a freeze the unit refuses after the charge (an overlap, say) has its fee
 * refunded. A process that dies between the charge and the unit leaves the intent to
 * `recoverInDoubt`, which refunds it: the freeze was not written, and the member asks again.
 *
 * @example
 * ```ts
 * const { subscription, freeze } = await freezeMembership(deps, { memberSubscriptionId, startDate: '2026-03-10', resumeDate: '2026-03-24', reason: 'travelling' });
 * ```
 */
export async function freezeMembership(deps: MembershipFreezeDeps, input: FreezeMembershipInput): Promise<FreezeChange> {
  const data = parseOrThrow(freezeInputSchema, input, { entity: 'membership freeze', locale: deps.locale });
  const id = data.memberSubscriptionId as MemberSubscriptionId;
  const { idempotencyKey, ...asked } = data;
  // What a key stands for: a retry asking anything else under it is refused.
  const request: JsonObject = JSON.parse(JSON.stringify(asked)) as JsonObject;
  const freeze = async (u: UnitOfWork): Promise<FreezeChange> => {
    const timeZone = await timeZoneOf(deps, id, u);
    const { memberSubscriptionId: _id, idempotencyKey: _key, ...asking } = data;
    const change = await deps.memberships.freezeSubscription(id, { ...asking, timeZone, policy: deps.policy }, u);
    await moveBillingEnd(deps, change, u);
    await u.emit('membership.frozen', {
      memberSubscriptionId: id,
      freezeId: change.freeze.freezeId,
      startsAt: change.freeze.startsAt.toISOString(),
      resumesAt: change.freeze.resumesAt?.toISOString() ?? null,
      endDate: change.subscription.endDate.toISOString(),
    });
    return change;
  };
  const fees = deps.feePayments;
  if (!data.fee || data.fee.amount === 0 || !fees) return idempotencyKey ? freezeOnce(deps, `freeze:${idempotencyKey}`, request, freeze) : deps.units.run(freeze);

  const charging = { payments: fees.payments, intents: fees.intents, units: deps.units };
  let intent: PaymentIntent | null = idempotencyKey ? await fees.intents.findByKey(`fee:freeze:${idempotencyKey}`) : null;
  if (intent) {
    const resumed = await resumeIntent(fees, intent, 'fee', request);
    if ('completed' in resumed) return replayFreeze(deps, resumed.completed.outcome ?? {});
    intent = resumed.intent;
  }
  const subscription = await deps.memberships.getSubscription(id);
  if (!intent) {
    const opened = await fees.intents.open({
      idempotencyKey: idempotencyKey ? `fee:freeze:${idempotencyKey}` : `fee:freeze:${id}:${fees.ids.newUuid()}`,
      kind: 'fee',
      userId: subscription.userId,
      amount: data.fee.amount,
      currency: data.fee.currency,
      request: idempotencyKey ? request : { memberSubscriptionId: id },
      terms: { subject: FREEZE_FEE_SUBJECT, memberSubscriptionId: id, facilityId: subscription.facilityId, description: 'Freeze fee' },
    });
    // A racing call with the same key opened it first: it must ask the same.
    if (!opened.created) assertSameRequest(opened.intent, 'fee', request);
    intent = opened.intent;
  }
  const paying = intent;
  const providerRef = await chargeIntent(charging, paying, 'Freeze fee');
  return settleCharge(charging, paying, providerRef, {
    workflow: 'freeze-membership',
    store: async (u, close) => {
      const change = await freeze(u);
      const transaction = await fees.billing.recordPayment(
        {
          userId: subscription.userId,
          amount: paying.amount,
          currency: paying.currency,
          paymentMethod: 'card',
          transactionType: 'adjustment',
          providerRef,
          description: 'Freeze fee',
          reference: { memberSubscriptionId: id, freezeId: change.freeze.freezeId, facilityId: subscription.facilityId, businessId: subscription.facilityId, intentId: paying.intentId },
        },
        u,
      );
      const invoiceId = fees.ids.newUuid();
      const outcome = { memberSubscriptionId: id, freezeId: change.freeze.freezeId, shiftedDays: change.shiftedDays, transactionId: transaction.transactionId, invoiceId };
      await close(outcome);
      await fees.billing.issuePaidInvoice(
        { invoiceId, userId: subscription.userId, businessId: subscription.facilityId, gross: paying.amount, currency: paying.currency, transactionId: transaction.transactionId, line: { description: 'Freeze fee', quantity: 1 } },
        u,
      );
      return { result: change, outcome };
    },
    replay: async (completed) => {
      if (idempotencyKey) return replayFreeze(deps, completed.outcome ?? {});
      throw new ConflictError('payment_intent_closed', `Payment intent ${paying.intentId} was closed by another run`);
    },
  });
}

/**
 * A freeze without a fee under an idempotency key: the key is claimed in the freeze's unit and
 * holds its result, so a retry (or a racing call) returns the first freeze.
 */
async function freezeOnce(deps: MembershipFreezeDeps, key: string, request: JsonObject, freeze: (u: UnitOfWork) => Promise<FreezeChange>): Promise<FreezeChange> {
  const earlier = async (): Promise<FreezeChange | null> => {
    const found = await deps.billing.findIdempotentResult(key);
    if (!found?.response) return null;
    if (canonicalJson(found.response['request'] as JsonObject | undefined) !== canonicalJson(request)) {
      throw new ConflictError('idempotency_key_reused', 'This idempotency key was used for a different request', { details: { idempotencyKey: key } });
    }
    return replayFreeze(deps, found.response);
  };
  const first = await earlier();
  if (first) return first;
  try {
    return await deps.units.run(async (u) => {
      await deps.billing.claimIdempotencyKey(key, 'freeze-membership', u);
      const change = await freeze(u);
      await deps.billing.completeIdempotencyKey(key, { request, memberSubscriptionId: change.subscription.id, freezeId: change.freeze.freezeId, shiftedDays: change.shiftedDays }, u);
      return change;
    });
  } catch (error) {
    // A racing call with the key committed first.
    const raced = error instanceof ConflictError && error.reason === 'idempotency_key_taken' ? await earlier() : null;
    if (raced) return raced;
    throw error;
  }
}

/** The freeze a key's first request made, as the member subscription now stands. */
async function replayFreeze(deps: MembershipFreezeDeps, outcome: Record<string, unknown>): Promise<FreezeChange> {
  const subscription = await deps.memberships.getSubscription(String(outcome['memberSubscriptionId']) as MemberSubscriptionId);
  const freeze = subscription.freezes?.find((f) => f.freezeId === outcome['freezeId']);
  if (!freeze) throw new ConflictError('idempotency_key_reused', 'This idempotency key was used for a different request');
  return { subscription, freeze, shiftedDays: Number(outcome['shiftedDays'] ?? 0) };
}

/**
 * Ends a freeze on `resumeDate` (today by default), or cancels a scheduled one ended on or
 * before its first day, in one unit: the member subscription's period end and the billing
 * row's end move by the days actually frozen (an open-ended freeze moves them now, a shortened
 * one gives days back). Emits `membership.unfrozen`.
 *
 * @example
 * ```ts
 * await unfreezeMembership(deps, { memberSubscriptionId });
 * ```
 */
export async function unfreezeMembership(deps: MembershipFreezeDeps, input: UnfreezeMembershipInput): Promise<FreezeChange> {
  const data = parseOrThrow(unfreezeInputSchema, input, { entity: 'membership unfreeze', locale: deps.locale });
  const id = data.memberSubscriptionId as MemberSubscriptionId;
  return deps.units.run(async (u) => {
    const timeZone = await timeZoneOf(deps, id, u);
    const change = await deps.memberships.unfreezeSubscription(
      id,
      { timeZone, ...(data.freezeId ? { freezeId: data.freezeId } : {}), ...(data.resumeDate ? { resumeDate: data.resumeDate } : {}) },
      u,
    );
    await moveBillingEnd(deps, change, u);
    await u.emit('membership.unfrozen', { memberSubscriptionId: id, freezeId: change.freeze.freezeId, status: change.freeze.status, endDate: change.subscription.endDate.toISOString() });
    return change;
  });
}

/**
 * The nightly freeze run: every member subscription with a freeze whose first day has come
 * or whose end has passed by `asOf` is brought up to date, each in its own unit (scheduled
 * freezes start, finished ones end, an open-ended freeze that reached the policy's limit
 * ends and moves the period and billing end). Idempotent: a second run finds nothing due.
 * Frozen-ness itself is read from the freeze's dates, so a late run never lets a frozen
 * membership be used.
 *
 * @example
 * ```ts
 * const report = await applyFreezes(deps, { asOf: new Date() });
 * ```
 */
export async function applyFreezes(deps: MembershipFreezeDeps, input: { readonly asOf: Date }): Promise<ApplyFreezesReport> {
  const { asOf } = parseOrThrow(z.strictObject({ asOf: instantSchema }), input, { entity: 'freeze run', locale: deps.locale });
  const due: MemberSubscription[] = [];
  let after: string | undefined;
  do {
    const page = await deps.memberships.listFreezesDue(asOf, { limit: 200, ...(after ? { after } : {}) });
    due.push(...page.items);
    after = page.nextCursor ?? undefined;
  } while (after);
  const results: ApplyFreezesReport['results'][number][] = [];
  for (const subscription of due) {
    const id = subscription.id as MemberSubscriptionId;
    try {
      const applied = await deps.units.run(async (u) => {
        const timeZone = await timeZoneOf(deps, id, u);
        const changes = await deps.memberships.applySubscriptionFreezes(id, { asOf, timeZone }, u);
        if (!changes) return 0;
        const moved = changes[0]!;
        if (moved.shiftedDays !== 0) await moveBillingEnd(deps, moved, u);
        for (const change of changes) {
          if (change.freeze.status === 'ended') {
            await u.emit('membership.unfrozen', { memberSubscriptionId: id, freezeId: change.freeze.freezeId, status: 'ended', endDate: change.subscription.endDate.toISOString() });
          }
        }
        return changes.length;
      });
      if (applied > 0) results.push({ memberSubscriptionId: id, outcome: 'applied', freezes: applied });
    } catch (error) {
      results.push({ memberSubscriptionId: id, outcome: 'failed', error });
    }
  }
  return { results };
}

async function timeZoneOf(deps: MembershipFreezeDeps, id: MemberSubscriptionId, u: UnitOfWork): Promise<string> {
  const subscription = await deps.memberships.getSubscription(id, u);
  return (await deps.facilities.getById(subscription.facilityId as FacilityId, u)).timezone;
}

/** The billing row's end follows the member subscription's period end. */
async function moveBillingEnd(deps: MembershipFreezeDeps, change: FreezeChange, u: UnitOfWork): Promise<void> {
  if (change.shiftedDays === 0) return;
  const row = await deps.billing.findBillingSubscription(change.subscription.userId, change.subscription.id, u);
  if (row) await deps.billing.updateBillingSubscription(row.subscriptionId, { endDate: change.subscription.endDate }, u);
}

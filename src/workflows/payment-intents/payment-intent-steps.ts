import { sql } from 'kysely';
import type { JsonObject, JsonValue } from 'type-fest';
import { ConflictError, NexfitError } from '../../core/errors.js';
import type { PaymentIntent, PaymentIntentKind, PaymentIntentRepository, PaymentIntentStatus } from '../../modules/billing/index.js';
import { PaymentFailedError, type ChargeLookup, type ChargeResult, type PaymentProvider, type RefundLookup } from '../../modules/billing/index.js';
import { UnitOfWorkError } from '../../uow/coordinator.js';
import { SimulatedCrash } from '../../uow/protocol-steps.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { UnitRunner } from '../../uow/unit-runner.js';
import { WorkflowCompensationError } from '../workflow.js';

/** What the intent steps work with. */
export interface PaymentIntentDeps {
  readonly intents: PaymentIntentRepository;
  readonly payments: PaymentProvider;
  readonly units: UnitRunner;
}

/** The provider reference of a free (zero-amount) purchase: nothing is charged. */
export const FREE_PROVIDER_REF = 'free';

/** The key of the refund that gives back an intent's charge. */
export function compensationRefundKey(intent: Pick<PaymentIntent, 'idempotencyKey'>): string {
  return `${intent.idempotencyKey}:compensation`;
}

/**
 * An idempotency key means one request: a retry whose parameters differ from the first
 * request's is refused, as payment APIs refuse it, instead of replaying the first result.
 */
export function assertSameRequest(intent: PaymentIntent, kind: PaymentIntentKind, request: JsonObject): void {
  if (intent.kind !== kind || canonicalJson(intent.request) !== canonicalJson(request)) {
    throw new ConflictError('idempotency_key_reused', 'This idempotency key was used for a different request', { details: { idempotencyKey: intent.idempotencyKey } });
  }
}

/** The error a retry gets when the request of its key ended refunded. */
export function refundedError(intent: PaymentIntent): ConflictError {
  return new ConflictError('payment_refunded', `The request under this idempotency key could not be completed; its payment was refunded (${intent.failureReason ?? 'unknown reason'})`, {
    details: { idempotencyKey: intent.idempotencyKey, intentId: intent.intentId },
  });
}

/**
 * Takes the money of an open intent under its key and returns the provider's reference. A
 * decline closes the intent as `failed`. When the provider errs, it is asked whether it
 * charged: `null` closes the intent (nothing was taken); no answer leaves it open for recovery.
 */
export async function chargeIntent(deps: PaymentIntentDeps, intent: PaymentIntent, description: string): Promise<string> {
  if (intent.amount === 0) return FREE_PROVIDER_REF;
  let result: ChargeResult | ChargeLookup;
  try {
    result = await deps.payments.charge({ idempotencyKey: intent.idempotencyKey, amount: intent.amount, currency: intent.currency, userId: intent.userId, description });
  } catch (cause) {
    let found: ChargeLookup | null;
    try {
      found = await deps.payments.findCharge(intent.idempotencyKey);
    } catch {
      throw new PaymentFailedError('provider_error', 'The payment provider failed; recovery will find out whether it charged', { cause, details: { intentId: intent.intentId } });
    }
    if (!found) {
      await deps.intents.fail(intent.intentId, 'not_charged', errorText(cause));
      throw new PaymentFailedError('provider_error', 'The payment provider failed; nothing was charged', { cause });
    }
    result = found;
  }
  if (result.status !== 'succeeded') {
    await deps.intents.fail(intent.intentId, 'declined');
    throw new PaymentFailedError('declined', 'The payment was declined');
  }
  return result.providerRef;
}

/**
 * Gives money back under an open refund intent's key and returns the provider's refund
 * reference. When the provider errs it is asked whether it refunded: `null` closes the intent
 * as `failed` (`not_refunded`) and throws; no answer leaves it open for recovery and throws.
 * Either throw is `PaymentFailedError('provider_error')`.
 */
export async function refundUnderIntent(deps: Pick<PaymentIntentDeps, 'intents' | 'payments'>, intent: PaymentIntent, chargeRef: string): Promise<string> {
  try {
    return (await deps.payments.refund({ idempotencyKey: intent.idempotencyKey, providerRef: chargeRef, amount: intent.amount })).providerRef;
  } catch (cause) {
    let found: RefundLookup | null;
    try {
      found = await deps.payments.findRefund(intent.idempotencyKey);
    } catch {
      throw new PaymentFailedError('provider_error', 'The payment provider failed to refund; recovery will find out whether it did', { cause });
    }
    if (!found) {
      await deps.intents.fail(intent.intentId, 'not_refunded', errorText(cause));
      throw new PaymentFailedError('provider_error', 'The payment provider failed to refund; nothing was recorded', { cause });
    }
    return found.providerRef;
  }
}

/**
 * A retried request found the intent of its key: `completed` to replay, or the intent to drive
 * on (a `failed` one the provider took nothing for is reopened, so the retry charges again
 * under the same key). A request that differs from the first is refused
 * (`idempotency_key_reused`); one whose payment was refunded throws `payment_refunded`, and a
 * declined one `PaymentFailedError('declined')` (providers replay a declined key's answer).
 */
export async function resumeIntent(deps: Pick<PaymentIntentDeps, 'intents'>, intent: PaymentIntent, kind: PaymentIntentKind, request: JsonObject): Promise<{ readonly completed: PaymentIntent } | { readonly intent: PaymentIntent }> {
  assertSameRequest(intent, kind, request);
  switch (intent.status) {
    case 'completed':
      return { completed: intent };
    case 'refunding':
    case 'refunded':
      throw refundedError(intent);
    case 'failed':
      if (intent.failureReason === 'declined') throw new PaymentFailedError('declined', 'The payment was declined');
      await deps.intents.reopenFailed(intent.intentId);
      return { intent: (await deps.intents.get(intent.intentId)) ?? intent };
    default:
      return { intent };
  }
}

/**
 * Closes the intent as `completed` with `outcome` in the unit of work that stores its result.
 * A store may call it before its last writes (a purchase does, so the invoice number is the
 * last row lock its unit takes); otherwise it runs once the store returns.
 */
export type CloseIntent = (outcome: JsonObject) => Promise<void>;

/** What stores the result of a paid intent inside a unit of work. */
export type StoreIntentResult<R> = (uow: UnitOfWork, close: CloseIntent) => Promise<{ readonly result: R; readonly outcome: JsonObject }>;

/**
 * Runs `store` and closes the intent as `completed` in the same unit of work: the result
 * exists if and only if the intent is closed. The unit serves the request that opened the
 * intent (its actor and origin are in the audit rows), live or in recovery. `ConflictError('payment_intent_closed')` when
 * another run closed it first.
 */
export async function storeAndClose<R>(
  deps: PaymentIntentDeps,
  intent: PaymentIntent,
  providerRef: string | null,
  store: StoreIntentResult<R>,
  options: { readonly noWait?: boolean } = {},
): Promise<R> {
  return deps.units.run(async (u) => {
    // Recovery never waits unbounded on a row a unit holds: a unit a dead process prepared
    // (too young for this pass to resolve) may hold the invoice series; the attempt fails, the
    // intent stays open, and the next pass resolves that unit first.
    if (options.noWait) await sql`SET LOCAL lock_timeout = '5s'`.execute(u.ctx.pg);
    if (!(await deps.intents.lockOpen(intent.intentId, u.ctx, options))) {
      throw new ConflictError('payment_intent_closed', `Payment intent ${intent.intentId} was closed by another run`, { details: { intentId: intent.intentId } });
    }
    let closed = false;
    const close: CloseIntent = async (outcome) => {
      if (closed) return;
      if (!(await deps.intents.complete(intent.intentId, providerRef, outcome, u.ctx))) {
        throw new ConflictError('payment_intent_closed', `Payment intent ${intent.intentId} was closed by another run`, { details: { intentId: intent.intentId } });
      }
      closed = true;
      // Ordered mode: if MongoDB then fails, the compensation reopens the intent for recovery.
      u.compensateWith(deps.intents.reopenStatement(intent.intentId, u.ctx));
    };
    const { result, outcome } = await store(u, close);
    await close(outcome);
    return result;
    // Audited as the request that opened the intent, also when recovery completes it.
  }, { ...(options.noWait ? { maxAttempts: 3 } : {}), ...(intent.requestContext ? { context: intent.requestContext } : {}) });
}

/**
 * Stores what a charged intent paid for; when that fails for good, gives the money back
 * (the intent moves to `refunding` first, so no racing run can complete it afterwards). A run
 * that finds the intent completed by a racing run replays that run's result. A process that
 * dies here, or a unit whose outcome is unknown, leaves the intent to recovery.
 */
export async function settleCharge<R>(
  deps: PaymentIntentDeps,
  intent: PaymentIntent,
  providerRef: string,
  work: { readonly workflow: string; readonly store: StoreIntentResult<R>; readonly replay: (completed: PaymentIntent) => Promise<R> },
): Promise<R> {
  try {
    return await storeAndClose(deps, intent, providerRef, work.store);
  } catch (error) {
    if (error instanceof SimulatedCrash || (error instanceof UnitOfWorkError && error.inDoubt)) throw error;
    const now = await deps.intents.get(intent.intentId);
    if (now?.status === 'completed') return work.replay(now);
    if (now?.status === 'refunding' || now?.status === 'refunded') throw isIntentClosed(error) ? refundedError(now) : error;
    let refunded: 'refunded' | 'completed';
    try {
      refunded = await refundIntent(deps, intent, providerRef, reasonOf(error), ['open', 'failed']);
    } catch (refundError) {
      throw new WorkflowCompensationError(work.workflow, error, [{ step: 'charge', error: refundError }]);
    }
    if (refunded === 'completed') {
      const completed = await deps.intents.get(intent.intentId);
      if (completed) return work.replay(completed);
    }
    throw error;
  }
}

/**
 * Gives back the charge of an intent: `refunding` first (from one of `from`), then the
 * provider's refund under the intent's compensation key (a repeat refunds once), then
 * `refunded`. Returns `completed` when a racing run had completed the intent instead.
 */
export async function refundIntent(
  deps: PaymentIntentDeps,
  intent: PaymentIntent,
  providerRef: string,
  reason: string,
  from: readonly PaymentIntentStatus[] = ['open'],
): Promise<'refunded' | 'completed'> {
  if (!(await deps.intents.beginRefund(intent.intentId, reason, providerRef, from))) {
    const now = await deps.intents.get(intent.intentId);
    if (now?.status === 'completed') return 'completed';
    if (now?.status === 'refunded') return 'refunded';
    if (now?.status !== 'refunding') throw new ConflictError('payment_intent_closed', `Payment intent ${intent.intentId} is ${now?.status ?? 'gone'}`);
  }
  const refundRef =
    intent.amount === 0 || providerRef === FREE_PROVIDER_REF
      ? FREE_PROVIDER_REF
      : (await deps.payments.refund({ idempotencyKey: compensationRefundKey(intent), providerRef, amount: intent.amount })).providerRef;
  await deps.intents.markRefunded(intent.intentId, refundRef);
  return 'refunded';
}

function isIntentClosed(error: unknown): boolean {
  return error instanceof ConflictError && (error.reason === 'payment_intent_closed' || error.reason === 'idempotency_key_taken');
}

/** A short, stable reason for the refund of an intent whose unit failed. */
export function reasonOf(error: unknown): string {
  if (error instanceof ConflictError) return error.reason.slice(0, 50);
  if (error instanceof NexfitError) return error.code.toLowerCase().slice(0, 50);
  return 'store_failure';
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 2000);
  return String(error).slice(0, 2000);
}

/** JSON text with object keys sorted, so two equal requests compare equal. */
export function canonicalJson(value: JsonValue | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.keys(value)
    .filter((k) => (value as JsonObject)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as JsonObject)[k])}`);
  return `{${entries.join(',')}}`;
}

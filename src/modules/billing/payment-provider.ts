import { NexfitError } from '../../core/errors.js';
import type { MinorUnits } from '../../core/money.js';

/** A charge request. The provider must honour `idempotencyKey`: a repeated key returns the first result. */
export interface ChargeRequest {
  readonly idempotencyKey: string;
  /** Minor units (kuruş). */
  readonly amount: MinorUnits;
  readonly currency: string;
  readonly userId: string;
  readonly description: string;
}

/** The provider's answer: `succeeded` means the money was taken. */
export interface ChargeResult {
  readonly providerRef: string;
  readonly status: 'succeeded' | 'declined';
}

/** A refund of (part of) an earlier charge. */
export interface RefundRequest {
  readonly idempotencyKey: string;
  readonly providerRef: string;
  readonly amount: MinorUnits;
}

/** The provider's answer to a refund. */
export interface RefundResult {
  readonly providerRef: string;
  readonly status: 'refunded';
}

/** What the provider knows of a charge made under one idempotency key. */
export interface ChargeLookup {
  readonly providerRef: string;
  readonly status: 'succeeded' | 'declined';
  readonly amount: MinorUnits;
  readonly currency: string;
}

/** What the provider knows of a refund made under one idempotency key. */
export interface RefundLookup {
  /** The refund's own reference. */
  readonly providerRef: string;
  /** The reference of the charge it gave money back from. */
  readonly chargeRef: string;
  readonly amount: MinorUnits;
}

/**
 * The payment port the host supplies (iyzico, Stripe, PayTR…). Every call is keyed by
 * `idempotencyKey`, as those APIs are: the SDK retries with the same key and relies on never
 * charging or refunding twice. A provider outage is thrown; a decline is a result.
 *
 * The two look-ups are what recovery needs after the process that called `charge` or
 * `refund` died: did the provider take (or give back) money under this key? They must answer
 * from the provider's own ledger (e.g. the SDK's key stored in the charge's metadata and
 * searched), return `null` only when the provider is sure nothing was done under the key, and
 * throw when they cannot tell (an outage): recovery then leaves the work open and retries.
 * See docs/modules/billing.md, "Writing an adapter".
 *
 * @example
 * ```ts
 * const provider: PaymentProvider = {
 *   charge: (r) => iyzico.charge(r),
 *   refund: (r) => iyzico.refund(r),
 *   findCharge: (key) => iyzico.findPaymentByConversationId(key),
 *   findRefund: (key) => iyzico.findRefundByConversationId(key),
 * };
 * ```
 */
export interface PaymentProvider {
  /** Takes a payment; a repeated `idempotencyKey` returns the first result. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /** Refunds (part of) a charge; a repeated `idempotencyKey` returns the first result. */
  refund(request: RefundRequest): Promise<RefundResult>;
  /** The charge made under `idempotencyKey`, or `null` when there is none. Throws when the provider cannot tell. */
  findCharge(idempotencyKey: string): Promise<ChargeLookup | null>;
  /** The refund made under `idempotencyKey`, or `null` when there is none. Throws when the provider cannot tell. */
  findRefund(idempotencyKey: string): Promise<RefundLookup | null>;
}

/** The payment was declined or the provider failed: nothing was charged (or it was refunded). */
export class PaymentFailedError extends NexfitError {
  readonly reason: 'declined' | 'provider_error';
  constructor(reason: 'declined' | 'provider_error', message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('PAYMENT_FAILED', message, { ...options, details: { reason, ...options?.details } });
    this.reason = reason;
  }
}

/** One charge the {@link TestPaymentProvider} took. */
export interface RecordedCharge extends ChargeRequest {
  readonly providerRef: string;
  readonly status: 'succeeded' | 'declined';
}

/** One refund the {@link TestPaymentProvider} made. */
export interface RecordedRefund extends RefundRequest {
  readonly refundRef: string;
}

/**
 * A deterministic in-memory provider for tests and demos. Charges and refunds are kept by
 * idempotency key: a repeated key returns the first result and never charges (or refunds)
 * twice. `failNextCharge()` makes the next new charge throw (an outage: nothing charged),
 * `declineNextCharge()` makes it come back `declined`, `failNextRefund()` makes the next
 * refund throw.
 *
 * @example
 * ```ts
 * const provider = new TestPaymentProvider();
 * provider.declineNextCharge();
 * await provider.charge({ idempotencyKey: 'k', amount: 100_00, currency: 'TRY', userId, description: 'x' }); // { status: 'declined', … }
 * provider.netCharged(); // 0
 * ```
 */
export class TestPaymentProvider implements PaymentProvider {
  readonly #charges = new Map<string, RecordedCharge>();
  readonly #refunds = new Map<string, RecordedRefund>();
  #counter = 0;
  #failCharges = 0;
  #declineCharges = 0;
  #failRefunds = 0;
  #down = false;

  /** Records a charge (or replays the one with the same key). */
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    await this.#reachable();
    const first = this.#charges.get(request.idempotencyKey);
    if (first) return { providerRef: first.providerRef, status: first.status };
    if (this.#failCharges > 0) {
      this.#failCharges -= 1;
      throw new Error('TestPaymentProvider: simulated provider outage');
    }
    if (!Number.isSafeInteger(request.amount) || request.amount <= 0) throw new Error(`TestPaymentProvider: invalid amount ${request.amount}`);
    const status = this.#declineCharges > 0 ? 'declined' : 'succeeded';
    if (status === 'declined') this.#declineCharges -= 1;
    const recorded: RecordedCharge = { ...request, providerRef: `ch_${++this.#counter}`, status };
    this.#charges.set(request.idempotencyKey, recorded);
    return { providerRef: recorded.providerRef, status };
  }

  /** Records a refund (or replays the one with the same key). */
  async refund(request: RefundRequest): Promise<RefundResult> {
    await this.#reachable();
    const first = this.#refunds.get(request.idempotencyKey);
    if (first) return { providerRef: first.refundRef, status: 'refunded' };
    if (this.#failRefunds > 0) {
      this.#failRefunds -= 1;
      throw new Error('TestPaymentProvider: simulated refund failure');
    }
    const charge = [...this.#charges.values()].find((c) => c.providerRef === request.providerRef && c.status === 'succeeded');
    if (!charge) throw new Error(`TestPaymentProvider: no successful charge ${request.providerRef}`);
    const refunded = this.refundedOf(request.providerRef);
    if (request.amount <= 0 || refunded + request.amount > charge.amount) throw new Error(`TestPaymentProvider: refund of ${request.amount} exceeds what is left of ${request.providerRef}`);
    const recorded: RecordedRefund = { ...request, refundRef: `re_${++this.#counter}` };
    this.#refunds.set(request.idempotencyKey, recorded);
    return { providerRef: recorded.refundRef, status: 'refunded' };
  }

  /** The charge under `idempotencyKey`, or `null`. */
  async findCharge(idempotencyKey: string): Promise<ChargeLookup | null> {
    await this.#reachable();
    const charge = this.#charges.get(idempotencyKey);
    return charge ? { providerRef: charge.providerRef, status: charge.status, amount: charge.amount, currency: charge.currency } : null;
  }

  /** The refund under `idempotencyKey`, or `null`. */
  async findRefund(idempotencyKey: string): Promise<RefundLookup | null> {
    await this.#reachable();
    const refund = this.#refunds.get(idempotencyKey);
    return refund ? { providerRef: refund.refundRef, chargeRef: refund.providerRef, amount: refund.amount } : null;
  }

  /** While `true`, every call throws, as an unreachable provider would (nothing is charged or refunded). */
  setOutage(down: boolean): void {
    this.#down = down;
  }

  async #reachable(): Promise<void> {
    await Promise.resolve();
    if (this.#down) throw new Error('TestPaymentProvider: provider unreachable');
  }

  /** Makes the next new charge throw, as a provider outage would: nothing is charged. */
  failNextCharge(times = 1): void {
    this.#failCharges += times;
  }

  /** Makes the next new charge come back `declined`. */
  declineNextCharge(times = 1): void {
    this.#declineCharges += times;
  }

  /** Makes the next refund throw. */
  failNextRefund(times = 1): void {
    this.#failRefunds += times;
  }

  /** Successful and declined charges, in order. */
  get charges(): readonly RecordedCharge[] {
    return [...this.#charges.values()];
  }

  get refunds(): readonly RecordedRefund[] {
    return [...this.#refunds.values()];
  }

  /** What was refunded of one charge. */
  refundedOf(providerRef: string): MinorUnits {
    return [...this.#refunds.values()].filter((r) => r.providerRef === providerRef).reduce((sum, r) => sum + r.amount, 0);
  }

  /** Money taken and not given back, optionally for one user. */
  netCharged(userId?: string): MinorUnits {
    return this.charges
      .filter((c) => c.status === 'succeeded' && (userId === undefined || c.userId === userId))
      .reduce((sum, c) => sum + c.amount - this.refundedOf(c.providerRef), 0);
  }
}

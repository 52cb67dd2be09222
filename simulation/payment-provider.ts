import type { ChargeLookup, ChargeRequest, ChargeResult, PaymentProvider, RefundLookup, RefundRequest, RefundResult } from '../src/index.js';
import { hash32 } from './random.js';

/** One charge as the provider keeps it. */
export interface ProviderCharge {
  readonly idempotencyKey: string;
  readonly providerRef: string;
  readonly userId: string;
  readonly amount: number;
  readonly currency: string;
  readonly status: 'succeeded' | 'declined';
}

/** One refund as the provider keeps it. */
export interface ProviderRefund {
  readonly idempotencyKey: string;
  readonly providerRef: string;
  readonly chargeRef: string;
  readonly amount: number;
}

/** How often the provider declines, fails before charging, or charges and then times out (per thousand first attempts). */
export interface ProviderBehaviour {
  readonly declinePerMille: number;
  readonly failPerMille: number;
  readonly timeoutPerMille: number;
}

/** A provider error the SDK cannot tell apart from a network failure. */
export class ProviderUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderUnavailable';
  }
}

/**
 * The payment provider of the simulated world: its ledger outlives any unit of work, as a real
 * provider's does. Whether a charge is declined, fails or times out is decided by the hash of
 * the seed and the idempotency key, never by timing, so a seed always meets the same
 * payments. A fault strikes only the first attempt of a key; a charge is idempotent by key.
 */
export class SimulatedPaymentProvider implements PaymentProvider {
  readonly charges = new Map<string, ProviderCharge>();
  readonly refunds = new Map<string, ProviderRefund>();
  readonly #attempted = new Set<string>();
  readonly #seed: number;
  readonly #behaviour: ProviderBehaviour;
  #sequence = 0;
  /** Counts of the faults it injected, for the report. */
  readonly faults = { failed: 0, timedOut: 0, declined: 0 };

  constructor(seed: number, behaviour: ProviderBehaviour) {
    this.#seed = seed;
    this.#behaviour = behaviour;
  }

  #roll(key: string, what: string): number {
    return hash32(`${this.#seed}:${what}:${key}`) % 1000;
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    await tick();
    const existing = this.charges.get(request.idempotencyKey);
    if (existing) return { providerRef: existing.providerRef, status: existing.status };
    const first = !this.#attempted.has(request.idempotencyKey);
    this.#attempted.add(request.idempotencyKey);
    if (first && this.#roll(request.idempotencyKey, 'fail') < this.#behaviour.failPerMille) {
      this.faults.failed++;
      throw new ProviderUnavailable(`provider unavailable for ${request.idempotencyKey}`);
    }
    const status = this.#roll(request.idempotencyKey, 'decline') < this.#behaviour.declinePerMille ? 'declined' : 'succeeded';
    if (status === 'declined') this.faults.declined++;
    const charge: ProviderCharge = { idempotencyKey: request.idempotencyKey, providerRef: `ch_${++this.#sequence}`, userId: request.userId, amount: request.amount, currency: request.currency, status };
    this.charges.set(request.idempotencyKey, charge);
    if (first && this.#roll(request.idempotencyKey, 'timeout') < this.#behaviour.timeoutPerMille) {
      this.faults.timedOut++;
      throw new ProviderUnavailable(`provider timed out after charging ${request.idempotencyKey}`);
    }
    return { providerRef: charge.providerRef, status };
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    await tick();
    const existing = this.refunds.get(request.idempotencyKey);
    if (existing) return { providerRef: existing.providerRef, status: 'refunded' };
    const refund: ProviderRefund = { idempotencyKey: request.idempotencyKey, providerRef: `re_${++this.#sequence}`, chargeRef: request.providerRef, amount: request.amount };
    this.refunds.set(request.idempotencyKey, refund);
    return { providerRef: refund.providerRef, status: 'refunded' };
  }

  async findCharge(idempotencyKey: string): Promise<ChargeLookup | null> {
    const charge = this.charges.get(idempotencyKey);
    return charge ? { providerRef: charge.providerRef, status: charge.status, amount: charge.amount as ChargeLookup['amount'], currency: charge.currency } : null;
  }

  async findRefund(idempotencyKey: string): Promise<RefundLookup | null> {
    const refund = this.refunds.get(idempotencyKey);
    return refund ? { providerRef: refund.providerRef, chargeRef: refund.chargeRef, amount: refund.amount as RefundLookup['amount'] } : null;
  }

  /** What each charge kept, net of its refunds: the money the provider says the business holds. */
  netByCharge(): Map<string, { readonly charge: ProviderCharge; readonly net: number }> {
    const refunded = new Map<string, number>();
    for (const refund of this.refunds.values()) refunded.set(refund.chargeRef, (refunded.get(refund.chargeRef) ?? 0) + refund.amount);
    const out = new Map<string, { charge: ProviderCharge; net: number }>();
    for (const charge of this.charges.values()) {
      if (charge.status !== 'succeeded') continue;
      out.set(charge.providerRef, { charge, net: charge.amount - (refunded.get(charge.providerRef) ?? 0) });
    }
    return out;
  }
}

/** A provider call takes a turn of the event loop, as a network call does. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
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

/** Where the provider keeps its ledger. */
export interface ProviderLedgerOptions {
  /**
   * A folder shared by every process of the run: each charge and refund is a file created
   * atomically (written, flushed, then hard-linked into place; the first writer of a key wins),
   * so the ledger outlives a worker process killed with SIGKILL and every process sees the
   * charges of the others. Without it the ledger lives in this process's memory.
   */
  readonly directory?: string;
}

/**
 * The payment provider of the simulated world: its ledger outlives any unit of work, as a real
 * provider's does (and, with a ledger folder, any process). Whether a charge is declined,
 * fails or times out is decided by the hash of the seed and the idempotency key, never by
 * timing, so a seed always meets the same payments. A fault strikes only the first attempt of
 * a key in a process; a charge is idempotent by key.
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

  readonly #directory: string | undefined;
  /** Ledger files already read into memory. */
  readonly #loaded = new Set<string>();

  constructor(seed: number, behaviour: ProviderBehaviour, ledger: ProviderLedgerOptions = {}) {
    this.#seed = seed;
    this.#behaviour = behaviour;
    this.#directory = ledger.directory;
    if (this.#directory) {
      mkdirSync(join(this.#directory, 'charges'), { recursive: true });
      mkdirSync(join(this.#directory, 'refunds'), { recursive: true });
    }
  }

  /** A charge or refund of `key`: from memory, else from the shared ledger folder. */
  #find<T>(kind: 'charges' | 'refunds', key: string): T | undefined {
    const memory = (kind === 'charges' ? this.charges : this.refunds) as Map<string, T>;
    const known = memory.get(key);
    if (known || !this.#directory) return known;
    try {
      const stored = JSON.parse(readFileSync(join(this.#directory, kind, `${digestOf(key)}.json`), 'utf8')) as T;
      memory.set(key, stored);
      return stored;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Keeps a new entry; with a ledger folder the first process to write a key wins and every other gets its entry. */
  #keep<T extends { readonly idempotencyKey: string }>(kind: 'charges' | 'refunds', entry: T): T {
    const memory = (kind === 'charges' ? this.charges : this.refunds) as unknown as Map<string, T>;
    if (!this.#directory) {
      memory.set(entry.idempotencyKey, entry);
      return entry;
    }
    const digest = digestOf(entry.idempotencyKey);
    const tmp = join(this.#directory, kind, `.${digest}.${process.pid}.tmp`);
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(entry));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, join(this.#directory, kind, `${digest}.json`));
      memory.set(entry.idempotencyKey, entry);
      return entry;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return this.#find<T>(kind, entry.idempotencyKey)!;
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  /** A reference no other process of the run can give: from the key when the ledger is shared. */
  #reference(prefix: 'ch' | 're', key: string): string {
    return this.#directory ? `${prefix}_${digestOf(key).slice(0, 24)}` : `${prefix}_${++this.#sequence}`;
  }

  /** Reads the charges and refunds other processes wrote to the ledger folder since the last read (an entry's file never changes once written). */
  #load(): void {
    if (!this.#directory) return;
    for (const kind of ['charges', 'refunds'] as const) {
      const memory = (kind === 'charges' ? this.charges : this.refunds) as Map<string, { idempotencyKey: string }>;
      for (const name of readdirSync(join(this.#directory, kind))) {
        if (!name.endsWith('.json') || this.#loaded.has(`${kind}/${name}`)) continue;
        this.#loaded.add(`${kind}/${name}`);
        const entry = JSON.parse(readFileSync(join(this.#directory, kind, name), 'utf8')) as { idempotencyKey: string };
        memory.set(entry.idempotencyKey, entry);
      }
    }
  }

  #roll(key: string, what: string): number {
    return hash32(`${this.#seed}:${what}:${key}`) % 1000;
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    await tick();
    const existing = this.#find<ProviderCharge>('charges', request.idempotencyKey);
    if (existing) return { providerRef: existing.providerRef, status: existing.status };
    const first = !this.#attempted.has(request.idempotencyKey);
    this.#attempted.add(request.idempotencyKey);
    if (first && this.#roll(request.idempotencyKey, 'fail') < this.#behaviour.failPerMille) {
      this.faults.failed++;
      throw new ProviderUnavailable(`provider unavailable for ${request.idempotencyKey}`);
    }
    const status = this.#roll(request.idempotencyKey, 'decline') < this.#behaviour.declinePerMille ? 'declined' : 'succeeded';
    if (status === 'declined') this.faults.declined++;
    const charge = this.#keep<ProviderCharge>('charges', { idempotencyKey: request.idempotencyKey, providerRef: this.#reference('ch', request.idempotencyKey), userId: request.userId, amount: request.amount, currency: request.currency, status });
    if (first && this.#roll(request.idempotencyKey, 'timeout') < this.#behaviour.timeoutPerMille) {
      this.faults.timedOut++;
      throw new ProviderUnavailable(`provider timed out after charging ${request.idempotencyKey}`);
    }
    return { providerRef: charge.providerRef, status: charge.status };
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    await tick();
    const existing = this.#find<ProviderRefund>('refunds', request.idempotencyKey);
    if (existing) return { providerRef: existing.providerRef, status: 'refunded' };
    const refund = this.#keep<ProviderRefund>('refunds', { idempotencyKey: request.idempotencyKey, providerRef: this.#reference('re', request.idempotencyKey), chargeRef: request.providerRef, amount: request.amount });
    return { providerRef: refund.providerRef, status: 'refunded' };
  }

  async findCharge(idempotencyKey: string): Promise<ChargeLookup | null> {
    const charge = this.#find<ProviderCharge>('charges', idempotencyKey);
    return charge ? { providerRef: charge.providerRef, status: charge.status, amount: charge.amount as ChargeLookup['amount'], currency: charge.currency } : null;
  }

  async findRefund(idempotencyKey: string): Promise<RefundLookup | null> {
    const refund = this.#find<ProviderRefund>('refunds', idempotencyKey);
    return refund ? { providerRef: refund.providerRef, chargeRef: refund.chargeRef, amount: refund.amount as RefundLookup['amount'] } : null;
  }

  /** What each charge kept, net of its refunds: the money the provider says the business holds. */
  netByCharge(): Map<string, { readonly charge: ProviderCharge; readonly net: number }> {
    this.#load();
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

function digestOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A provider call takes a turn of the event loop, as a network call does. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

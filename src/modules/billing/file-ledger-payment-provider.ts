import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { MinorUnits } from '../../core/money.js';
import type { ChargeLookup, ChargeRequest, ChargeResult, PaymentProvider, RefundLookup, RefundRequest, RefundResult } from './payment-provider.js';

/** One charge of a {@link FileLedgerPaymentProvider} ledger. */
export interface LedgerCharge extends ChargeRequest {
  readonly providerRef: string;
  readonly status: 'succeeded' | 'declined';
  readonly at: string;
}

/** One refund of a {@link FileLedgerPaymentProvider} ledger. */
export interface LedgerRefund extends RefundRequest {
  readonly refundRef: string;
  readonly at: string;
}

/** Options of a {@link FileLedgerPaymentProvider}. */
export interface FileLedgerOptions {
  /** Share of new charges declined, 0..1, chosen from the idempotency key (the same key always gets the same answer). Default 0. */
  readonly declineRate?: number;
}

/**
 * A payment provider for crash tests whose ledger outlives the processes that use it, as a
 * real provider's does: every charge and refund is a file in `directory`, created atomically
 * (written, flushed, then hard-linked into place, which fails if the name exists) so processes
 * sharing the folder — and processes killed half-way — never charge a key twice. A charge's
 * refunds are numbered, so two processes refunding one charge at once cannot together give
 * back more than it took: the second is refused, as a real provider refuses it. Creating
 * the file `outage` in the folder makes every call throw until it is removed.
 *
 * @example
 * ```ts
 * const provider = new FileLedgerPaymentProvider('/tmp/ledger');   // in each worker process
 * // … kill the workers, run recovery …
 * const { charges, refunds } = provider.readLedger();
 * ```
 */
export class FileLedgerPaymentProvider implements PaymentProvider {
  readonly directory: string;
  readonly #declineRate: number;

  constructor(directory: string, options: FileLedgerOptions = {}) {
    this.directory = directory;
    this.#declineRate = options.declineRate ?? 0;
    mkdirSync(join(directory, 'charges'), { recursive: true });
    mkdirSync(join(directory, 'refunds'), { recursive: true });
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.#reachable();
    const digest = digestOf(request.idempotencyKey);
    const existing = this.#read<LedgerCharge>('charges', digest);
    if (existing) return { providerRef: existing.providerRef, status: existing.status };
    if (!Number.isSafeInteger(request.amount) || request.amount <= 0) throw new Error(`FileLedgerPaymentProvider: invalid amount ${request.amount}`);
    const declined = parseInt(digest.slice(0, 8), 16) / 0xffffffff < this.#declineRate;
    const entry: LedgerCharge = { ...request, providerRef: `ch_${digest.slice(0, 24)}`, status: declined ? 'declined' : 'succeeded', at: new Date().toISOString() };
    const stored = this.#create('charges', digest, entry);
    return { providerRef: stored.providerRef, status: stored.status };
  }

  async refund(request: RefundRequest): Promise<RefundResult> {
    this.#reachable();
    const digest = digestOf(request.idempotencyKey);
    for (;;) {
      const { charges, refunds } = this.readLedger();
      const existing = refunds.find((r) => r.idempotencyKey === request.idempotencyKey);
      if (existing) return { providerRef: existing.refundRef, status: 'refunded' };
      const charge = charges.find((c) => c.providerRef === request.providerRef && c.status === 'succeeded');
      if (!charge) throw new Error(`FileLedgerPaymentProvider: no successful charge ${request.providerRef}`);
      const earlier = refunds.filter((r) => r.providerRef === request.providerRef);
      const refunded = earlier.reduce((sum, r) => sum + r.amount, 0);
      if (!Number.isSafeInteger(request.amount) || request.amount <= 0 || refunded + request.amount > charge.amount) {
        throw new Error(`FileLedgerPaymentProvider: refund of ${request.amount} exceeds what is left of ${request.providerRef}`);
      }
      // The charge's refunds are numbered: the next number is claimed exclusively, so two processes
      // refunding one charge at once are serialised and the second sees the first's amount.
      const entry: LedgerRefund = { ...request, refundRef: `re_${digest.slice(0, 24)}`, at: new Date().toISOString() };
      if (this.#tryCreate('refunds', `${digestOf(request.providerRef)}.${earlier.length}`, entry)) return { providerRef: entry.refundRef, status: 'refunded' };
    }
  }

  async findCharge(idempotencyKey: string): Promise<ChargeLookup | null> {
    this.#reachable();
    const charge = this.#read<LedgerCharge>('charges', digestOf(idempotencyKey));
    return charge ? { providerRef: charge.providerRef, status: charge.status, amount: charge.amount, currency: charge.currency } : null;
  }

  async findRefund(idempotencyKey: string): Promise<RefundLookup | null> {
    this.#reachable();
    const refund = this.readLedger().refunds.find((r) => r.idempotencyKey === idempotencyKey);
    return refund ? { providerRef: refund.refundRef, chargeRef: refund.providerRef, amount: refund.amount } : null;
  }

  /** Starts (`true`) or ends an outage visible to every process sharing the folder. */
  setOutage(down: boolean): void {
    const marker = join(this.directory, 'outage');
    if (down) closeSync(openSync(marker, 'w'));
    else rmSync(marker, { force: true });
  }

  /** Every charge and refund in the ledger. */
  readLedger(): { readonly charges: readonly LedgerCharge[]; readonly refunds: readonly LedgerRefund[] } {
    const read = <T>(kind: string) =>
      readdirSync(join(this.directory, kind))
        .filter((name) => name.endsWith('.json'))
        .map((name) => JSON.parse(readFileSync(join(this.directory, kind, name), 'utf8')) as T);
    return { charges: read<LedgerCharge>('charges'), refunds: read<LedgerRefund>('refunds') };
  }

  /** Money taken and not given back. */
  netCharged(): MinorUnits {
    const { charges, refunds } = this.readLedger();
    const taken = charges.filter((c) => c.status === 'succeeded').reduce((sum, c) => sum + c.amount, 0);
    return taken - refunds.reduce((sum, r) => sum + r.amount, 0);
  }

  #reachable(): void {
    if (existsSync(join(this.directory, 'outage'))) throw new Error('FileLedgerPaymentProvider: provider unreachable');
  }

  #read<T>(kind: string, digest: string): T | null {
    try {
      return JSON.parse(readFileSync(join(this.directory, kind, `${digest}.json`), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** Writes `entry` to a private file, flushes it, then links it into place; the first writer of a key wins. */
  #create<T>(kind: string, digest: string, entry: T): T {
    return this.#tryCreate(kind, digest, entry) ? entry : (this.#read<T>(kind, digest) as T);
  }

  /** Links a flushed copy of `entry` into place as `name`: `false` when another writer got there first. */
  #tryCreate(kind: string, name: string, entry: unknown): boolean {
    const tmp = join(this.directory, kind, `.${name}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
    const fd = openSync(tmp, 'wx');
    try {
      writeSync(fd, JSON.stringify(entry));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, join(this.directory, kind, `${name}.json`));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return false;
    } finally {
      rmSync(tmp, { force: true });
    }
  }
}

function digestOf(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

import type { JsonObject } from 'type-fest';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { ConcurrencyError, ConfigurationError, ConflictError, NotFoundError } from '../../core/errors.js';
import type { ClassBookingId, IdGenerator } from '../../core/ids.js';
import { instantSchema, labelSchema } from '../../core/schema-primitives.js';
import { parseOrThrow, type ValidationLocale } from '../../core/validation.js';
import { auditSnapshot, type AuditTrail } from '../../modules/audit/index.js';
import { PaymentFailedError, type BillingService, type PaymentIntent, type PaymentIntentRepository, type PaymentProvider } from '../../modules/billing/index.js';
import { classBookingSchema, type BookingFee, type BookingFeeRepository } from '../../modules/classes/index.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { UnitRunner } from '../../uow/unit-runner.js';
import { chargeIntent, refundUnderIntent, settleCharge, storeAndClose, type CloseIntent } from '../payment-intents/payment-intent-steps.js';

/** What charging, collecting and waiving booking fees work with. */
export interface BookingFeeDeps {
  readonly fees: BookingFeeRepository;
  readonly billing: Pick<BillingService, 'recordPayment' | 'issuePaidInvoice' | 'recordRefund'>;
  readonly payments: PaymentProvider;
  readonly intents: PaymentIntentRepository;
  readonly units: UnitRunner;
  readonly clock: Clock;
  readonly ids: Pick<IdGenerator, 'newUuid'>;
  /** Where a waiver is audited. */
  readonly audit: AuditTrail;
  readonly locale?: ValidationLocale | undefined;
}

const SCOPE = 'charge-booking-fee';

/**
 * The idempotency key of a fee's `attempt`-th payment intent: `fee:<bookingId>:<kind>` for
 * the first, with `:attempt-<n>` after it. A provider replays a declined key's answer, so a
 * retry needs a key of its own; a new attempt is only opened once the previous intent failed
 * (the provider took nothing), so a fee is never charged twice.
 *
 * @example
 * ```ts
 * bookingFeeIntentKey({ bookingId, kind: 'no_show' }, 2) // 'fee:<bookingId>:no_show:attempt-2'
 * ```
 */
export function bookingFeeIntentKey(fee: Pick<BookingFee, 'bookingId' | 'kind'>, attempt: number): string {
  return attempt <= 1 ? `fee:${fee.bookingId}:${fee.kind}` : `fee:${fee.bookingId}:${fee.kind}:attempt-${attempt}`;
}

const payable = (fee: BookingFee): boolean => fee.status === 'pending' || fee.status === 'unpaid';

/**
 * Charges a `pending` or `unpaid` booking fee through the payment provider, under a payment
 * intent of kind `fee`; returns the fee as it then stands. A charge that went through is
 * stored in one unit of work: an `adjustment` transaction, its paid invoice and the fee
 * marked `paid` (a fee waived meanwhile refuses the unit, and the charge is refunded). A
 * declined charge marks the fee `unpaid` — the no-show or cancellation stands — for the
 * nightly {@link collectUnpaidFees}. A provider that does not answer leaves the intent open
 * for recovery. Concurrent calls for one fee drive the same intent: one charge.
 *
 * @example
 * ```ts
 * const fee = await chargeBookingFee(deps, pendingFee);
 * fee.status; // 'paid' or 'unpaid'
 * ```
 */
export async function chargeBookingFee(deps: BookingFeeDeps, feeToCharge: BookingFee): Promise<BookingFee> {
  let fee = await deps.fees.getById(feeToCharge.id);
  for (let round = 0; round < 5; round += 1) {
    if (!payable(fee)) return fee;
    let intent = fee.attempts > 0 ? await deps.intents.findByKey(bookingFeeIntentKey(fee, fee.attempts)) : null;
    if (intent && intent.status !== 'open' && intent.status !== 'failed') return deps.fees.getById(fee.id);
    // A new attempt (a new key) only once the last one is known to have taken nothing.
    if (fee.attempts === 0 || intent?.status === 'failed') {
      try {
        fee = await deps.fees.patch(fee.id, { attempts: fee.attempts + 1 }, { expectedVersion: fee.version });
      } catch (error) {
        if (!(error instanceof ConcurrencyError)) throw error;
        fee = await deps.fees.getById(fee.id);
        continue;
      }
      intent = null;
    }
    // The attempt's intent, opened here or joined when a racing run opened it (one per key).
    intent ??= (await deps.intents.open({ idempotencyKey: bookingFeeIntentKey(fee, fee.attempts), kind: 'fee', userId: fee.userId, amount: fee.amount, currency: fee.currency, request: { feeId: fee.id }, terms: termsOf(fee) })).intent;
    if (intent.status !== 'open') continue;
    const open = intent;
    let providerRef: string;
    try {
      providerRef = await chargeIntent(deps, open, descriptionOf(fee));
    } catch (error) {
      if (!(error instanceof PaymentFailedError)) throw error;
      const now = await deps.intents.get(open.intentId);
      return now?.status === 'failed' ? markUnpaid(deps, fee, open, now.failureReason ?? error.reason) : deps.fees.getById(fee.id);
    }
    await settleCharge(deps, open, providerRef, { workflow: SCOPE, store: (u, close) => storeBookingFee(deps, open, providerRef, u, close), replay: async () => null });
    return deps.fees.getById(fee.id);
  }
  return fee;
}

/** What a fee intent fixes when it is opened. */
function termsOf(fee: BookingFee): JsonObject {
  return { feeId: fee.id, bookingId: fee.bookingId, facilityId: fee.facilityId, kind: fee.kind, attempt: fee.attempts, description: descriptionOf(fee) };
}

function descriptionOf(fee: Pick<BookingFee, 'kind'>): string {
  return fee.kind === 'no_show' ? 'No-show fee' : 'Late cancellation fee';
}

async function markUnpaid(deps: BookingFeeDeps, fee: BookingFee, intent: PaymentIntent, reason: string): Promise<BookingFee> {
  return deps.units.run(async (u) => {
    const current = await deps.fees.getById(fee.id, u.ctx);
    if (!payable(current) || current.attempts !== fee.attempts) return current;
    const unpaid = await deps.fees.patch(current.id, { status: 'unpaid', intentId: intent.intentId, lastFailure: reason.slice(0, 100) }, { expectedVersion: current.version }, u.ctx);
    await u.emit('booking.fee_charged', { bookingId: unpaid.bookingId, feeId: unpaid.id, status: 'unpaid', transactionId: null });
    return unpaid;
  });
}

/**
 * The unit of work of a charged fee, built from the intent alone (recovery stores exactly what
 * the process that charged would have): the `adjustment` transaction, the fee `paid`, the
 * intent closed, then the paid invoice (the last row lock, as in a purchase).
 * `ConflictError('fee_not_payable')` when the fee was waived or paid meanwhile.
 */
export async function storeBookingFee(
  deps: Pick<BookingFeeDeps, 'fees' | 'billing' | 'clock' | 'ids'>,
  intent: PaymentIntent,
  providerRef: string,
  u: UnitOfWork,
  close: CloseIntent,
): Promise<{ readonly result: null; readonly outcome: JsonObject }> {
  const fee = await deps.fees.getById(String(intent.terms['feeId']), u.ctx);
  if (!payable(fee)) throw new ConflictError('fee_not_payable', `Booking fee ${fee.id} is ${fee.status}`, { details: { feeId: fee.id, status: fee.status } });
  const description = String(intent.terms['description']);
  const transaction = await deps.billing.recordPayment(
    {
      userId: fee.userId,
      amount: intent.amount,
      currency: intent.currency,
      paymentMethod: 'card',
      transactionType: 'adjustment',
      providerRef,
      description,
      reference: { facilityId: fee.facilityId, businessId: fee.facilityId, bookingId: fee.bookingId, feeId: fee.id, intentId: intent.intentId },
    },
    u,
  );
  const invoiceId = deps.ids.newUuid();
  await deps.fees.patch(
    fee.id,
    { status: 'paid', intentId: intent.intentId, transactionId: transaction.transactionId, invoiceId, paidAt: deps.clock.now() },
    { expectedVersion: fee.version },
    u.ctx,
  );
  await u.emit('booking.fee_charged', { bookingId: fee.bookingId, feeId: fee.id, status: 'paid', transactionId: transaction.transactionId });
  const outcome: JsonObject = { feeId: fee.id, transactionId: transaction.transactionId, invoiceId };
  await close(outcome);
  await deps.billing.issuePaidInvoice(
    { invoiceId, userId: fee.userId, businessId: fee.facilityId, gross: intent.amount, currency: intent.currency, transactionId: transaction.transactionId, line: { description, quantity: 1 } },
    u,
  );
  return { result: null, outcome };
}

/** What one fee of a collection run came to. */
export interface CollectedFee {
  readonly feeId: string;
  readonly bookingId: string;
  /** `paid`, `unpaid` (declined again), `pending` (the provider did not answer: recovery decides), `failed` (an error, in `error`). */
  readonly outcome: 'paid' | 'unpaid' | 'pending' | 'waived' | 'failed';
  readonly error?: unknown;
}

/** What a `collectUnpaidFees` run did, fee by fee. */
export interface CollectUnpaidFeesReport {
  readonly results: readonly CollectedFee[];
}

/** Input of `collectUnpaidFees`: fees recorded up to `asOf` are charged. */
export interface CollectUnpaidFeesInput {
  readonly asOf: Date;
}

/**
 * The nightly fee run: every booking fee recorded by `asOf` that is still `pending` or
 * `unpaid` is charged once more ({@link chargeBookingFee}), each on its own. A fee is never
 * charged twice: a retry opens a new intent only after the last one took nothing.
 *
 * @example
 * ```ts
 * const report = await collectUnpaidFees(deps, { asOf: new Date() });
 * report.results.filter((r) => r.outcome === 'unpaid');
 * ```
 */
export async function collectUnpaidFees(deps: BookingFeeDeps, input: CollectUnpaidFeesInput): Promise<CollectUnpaidFeesReport> {
  const { asOf } = parseOrThrow(z.strictObject({ asOf: instantSchema }), input, { entity: 'fee collection run', locale: deps.locale });
  const due: BookingFee[] = [];
  let after: string | undefined;
  do {
    const page = await deps.fees.listCollectable(asOf, { limit: 200, ...(after ? { after } : {}) });
    due.push(...page.items);
    after = page.nextCursor ?? undefined;
  } while (after);
  const results: CollectedFee[] = [];
  for (const fee of due) {
    try {
      const charged = await chargeBookingFee(deps, fee);
      results.push({ feeId: fee.id, bookingId: fee.bookingId, outcome: charged.status === 'unpaid' ? 'unpaid' : charged.status });
    } catch (error) {
      results.push({ feeId: fee.id, bookingId: fee.bookingId, outcome: 'failed', error });
    }
  }
  return { results };
}

const waiveSchema = z.strictObject({ bookingId: classBookingSchema.shape.id, reason: labelSchema.optional() });
/**
 * Input of `nexfit.workflows.waiveFee`: the booking whose fee is waived, and why.
 *
 * @useDeclaredType
 */
export type WaiveFeeInput = z.input<typeof waiveSchema>;

/** The `terms.subject` of the refund intent that gives back a waived fee's charge. */
export const FEE_WAIVER_SUBJECT = 'fee_waiver';

/** The idempotency key of the refund that gives back a waived fee's charge: one per fee, so a retry refunds once. */
export function feeWaiverKey(fee: Pick<BookingFee, 'id'>): string {
  return `fee-waiver:${fee.id}`;
}

/**
 * Staff waive a booking's fee, audited (`booking_fee.waived`, with the acting staff member):
 * an unpaid or pending fee is voided (a charge in flight is refunded when it lands); a paid
 * one is refunded in full through the provider under a payment intent of kind `refund` (key
 * `fee-waiver:<feeId>`, so a retry refunds once) and recorded as a `refund` transaction with
 * its credit note, in the unit that marks the fee `waived` and closes the intent. A process
 * that dies after the provider refunded leaves the intent open: a retry, or
 * `recoverInDoubt()`, records the refund and waives the fee. `NotFoundError` when the booking
 * has no fee; `ConflictError('fee_already_waived')` for a fee waived before;
 * `PaymentFailedError('provider_error')` when the provider fails (nothing changes).
 *
 * @example
 * ```ts
 * const fee = await waiveFee(deps, { bookingId, reason: 'doctor note' });
 * ```
 */
export async function waiveFee(deps: BookingFeeDeps, input: WaiveFeeInput): Promise<BookingFee> {
  const data = parseOrThrow(waiveSchema, input, { entity: 'booking fee waiver', locale: deps.locale });
  const found = await deps.fees.findByBooking(data.bookingId as ClassBookingId);
  if (!found) throw new NotFoundError('booking fee', `Booking ${data.bookingId} has no fee`);
  if (found.status === 'waived') throw alreadyWaived(found);
  if (found.status === 'paid') return waivePaidFee(deps, found, data.reason);
  return deps.units.run(async (u) => {
    const fee = await deps.fees.getById(found.id, u.ctx);
    if (fee.status === 'waived') throw alreadyWaived(fee);
    // Paid meanwhile: its charge must be given back, which the paid path does.
    if (fee.status === 'paid') throw new ConcurrencyError('booking fee', fee.id);
    return (await recordWaiver(deps, fee, null, data.reason, u)).waived;
  });
}

/** A paid fee: its refund intent opened (or found), the provider's refund, then the unit that waives the fee. */
async function waivePaidFee(deps: BookingFeeDeps, found: BookingFee, reason: string | undefined): Promise<BookingFee> {
  const key = feeWaiverKey(found);
  let intent = await deps.intents.findByKey(key);
  if (intent?.status === 'completed') return deps.fees.getById(found.id);
  if (intent?.status === 'failed') {
    // The provider refunded nothing under the key: this waiver asks again.
    await deps.intents.reopenFailed(intent.intentId);
    intent = await deps.intents.get(intent.intentId);
  }
  if (!intent) {
    // Opened in its own statement (one per key, so racing waivers share it); the unit that
    // records the refund checks the fee again.
    const charge = found.intentId ? await deps.intents.get(found.intentId) : null;
    if (!charge?.providerRef || !found.transactionId) throw new ConflictError('fee_not_payable', `Booking fee ${found.id} has no charge to refund`);
    const terms: JsonObject = { subject: FEE_WAIVER_SUBJECT, feeId: found.id, originalTransactionId: found.transactionId, chargeRef: charge.providerRef, ...(reason ? { reason } : {}) };
    intent = (await deps.intents.open({ idempotencyKey: key, kind: 'refund', userId: found.userId, amount: found.amount, currency: found.currency, request: { feeId: found.id }, terms })).intent;
  }
  if (!intent || intent.status !== 'open') return deps.fees.getById(found.id);
  const open = intent;
  const refundRef = await refundUnderIntent(deps, open, String(open.terms['chargeRef']));
  try {
    return await storeAndClose(deps, open, refundRef, (u) => storeFeeWaiver(deps, open, refundRef, u));
  } catch (error) {
    const now = await deps.intents.get(open.intentId);
    if (now?.status === 'completed') return deps.fees.getById(found.id);
    throw error;
  }
}

/**
 * The unit of a paid fee's waiver, built from its refund intent alone (recovery records a
 * refund the provider made): the `refund` transaction with its credit note, and the fee
 * `waived`, by the staff member who asked (the intent's request context).
 */
export async function storeFeeWaiver(
  deps: Pick<BookingFeeDeps, 'fees' | 'billing' | 'clock' | 'audit'>,
  intent: PaymentIntent,
  refundRef: string,
  u: UnitOfWork,
): Promise<{ readonly result: BookingFee; readonly outcome: JsonObject }> {
  const fee = await deps.fees.getById(String(intent.terms['feeId']), u.ctx);
  if (fee.status === 'waived') throw alreadyWaived(fee);
  const reason = typeof intent.terms['reason'] === 'string' ? intent.terms['reason'] : undefined;
  const recorded = await deps.billing.recordRefund({ originalTransactionId: String(intent.terms['originalTransactionId']), amount: intent.amount, providerRef: refundRef, reason: reason ?? 'Fee waived' }, u);
  const { waived } = await recordWaiver(deps, fee, recorded.refund.transactionId, reason, u);
  return { result: waived, outcome: { feeId: waived.id, refundTransactionId: recorded.refund.transactionId, creditNoteId: recorded.creditNote.invoiceId } };
}

/** Marks the fee `waived` in `u`, audited, with the event. */
async function recordWaiver(deps: Pick<BookingFeeDeps, 'fees' | 'clock' | 'audit'>, fee: BookingFee, refundTransactionId: string | null, reason: string | undefined, u: UnitOfWork): Promise<{ readonly waived: BookingFee }> {
  const actor = u.context.actorId;
  const waived = await deps.fees.patch(
    fee.id,
    {
      status: 'waived',
      waivedAt: deps.clock.now(),
      ...(actor ? { waivedBy: actor } : {}),
      ...(reason ? { waiveReason: reason } : {}),
      ...(refundTransactionId ? { refundTransactionId } : {}),
    },
    { expectedVersion: fee.version },
    u.ctx,
  );
  await deps.audit.record(u, { entityType: 'booking_fees', entityId: waived.id, action: 'booking_fee.waived', previousState: auditSnapshot(fee), newState: auditSnapshot(waived) });
  await u.emit('booking.fee_waived', { bookingId: waived.bookingId, feeId: waived.id, refundTransactionId });
  return { waived };
}

function alreadyWaived(fee: BookingFee): ConflictError {
  return new ConflictError('fee_already_waived', `The fee of booking ${fee.bookingId} was already waived`, { details: { bookingId: fee.bookingId, feeId: fee.id } });
}

/** The fee store recovery completes a `fee` intent with; refuses when the host built no fee store. */
export function feeStoreOf(deps: { readonly bookingFees?: BookingFeeRepository | undefined } & Pick<BookingFeeDeps, 'billing' | 'clock' | 'ids'>): Pick<BookingFeeDeps, 'fees' | 'billing' | 'clock' | 'ids'> {
  if (!deps.bookingFees) throw new ConfigurationError('Booking fees need the classes module');
  return { fees: deps.bookingFees, billing: deps.billing, clock: deps.clock, ids: deps.ids };
}

/** What recovery records a waived fee's refund with; refuses when the host built no fee store. */
export function feeWaiverStoreOf(deps: { readonly bookingFees?: BookingFeeRepository | undefined; readonly audit?: AuditTrail | undefined } & Pick<BookingFeeDeps, 'billing' | 'clock'>): Pick<BookingFeeDeps, 'fees' | 'billing' | 'clock' | 'audit'> {
  if (!deps.bookingFees || !deps.audit) throw new ConfigurationError('Booking fees need the classes module');
  return { fees: deps.bookingFees, billing: deps.billing, clock: deps.clock, audit: deps.audit };
}

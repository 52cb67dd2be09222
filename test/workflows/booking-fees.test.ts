import { describe, expect, it } from 'vitest';
import type { fixedClock } from '../../src/core/clock.js';
import { NotFoundError, ValidationError } from '../../src/core/errors.js';
import type { ClassBookingId, FacilityId, UserId } from '../../src/core/ids.js';
import { PaymentFailedError, TestPaymentProvider } from '../../src/modules/billing/payment-provider.js';
import { createClassesModule } from '../../src/modules/classes/index.js';
import { SimulatedCrash, type UowProtocolStep } from '../../src/uow/protocol-steps.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

/** The steps at which the next unit of work "dies"; each entry is used once. */
const crashes: UowProtocolStep[] = [];
const payments = new TestPaymentProvider();
const NO_SHOW_FEE = 150_00;
const LATE_CANCEL_FEE = 75_00;
const t = useTestNexfit({
  clock: '2026-03-02T09:00:00Z',
  nexfit: {
    payments,
    bookingPolicy: { noShowFee: NO_SHOW_FEE, lateCancelFee: LATE_CANCEL_FEE, feeCurrency: 'TRY' },
    unitOfWork: {
      faults: (step) => {
        if (crashes[0] === step) {
          crashes.shift();
          throw new SimulatedCrash(step);
        }
      },
    },
  },
});
const clock = () => t.deps.clock as ReturnType<typeof fixedClock>;
/** 09:00 Istanbul (06:00 UTC) on 3 March 2026: the class every test books. */
const CLASS_START = new Date('2026-03-03T06:00:00Z');
const AFTER_CLASS = '2026-03-03T08:00:00Z';
const LATE = '2026-03-03T05:30:00Z';

let n = 0;

/** A registered member of a new facility, booked into its class of 3 March 09:00 (one hour). */
async function bookedMember(ownerId?: UserId) {
  n += 1;
  clock().set('2026-03-02T09:00:00Z');
  const userId = (await t.nexfit.users.register({ email: `fee${n}@example.com`, password: 'correct horse battery', firstName: 'Deniz', lastName: 'Kaya', role: ['client'], phoneNumber: '+905551112233' })).id;
  const facilityId = (await t.nexfit.repositories.facilities.create(createInputs.facilities({ name: `Stüdyo ${n}`, timezone: 'Europe/Istanbul', ...(ownerId ? { ownerId } : {}) }))).id as FacilityId;
  const plan = await t.nexfit.repositories.memberships.create(createInputs.memberships({ facilityId, limitations: { classesIncluded: true } }));
  await t.nexfit.repositories.memberSubscriptions.create(
    createInputs.member_subscriptions({ userId, facilityId, membershipId: plan.id, status: 'active', startDate: '2026-03-01T00:00:00Z', endDate: '2026-04-01T00:00:00Z' }),
  );
  const yoga = await t.nexfit.classes.createClass(
    createInputs.classes({ facilityId, schedule: { startTime: CLASS_START, endTime: new Date(CLASS_START.getTime() + 3_600_000), recurrence: { frequency: 'daily', maxOccurrences: 5 } } }),
  );
  const booking = await t.nexfit.workflows.bookClass({ classId: yoga.id, userId, occurrenceStart: CLASS_START });
  return { userId, facilityId, classId: yoga.id, bookingId: booking.id as ClassBookingId };
}

const chargesOf = (userId: string) => payments.charges.filter((c) => c.userId === userId);
const transactionsOf = (userId: string) => t.nexfit.pg.selectFrom('transactions').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
const invoicesOf = (userId: string) => t.nexfit.pg.selectFrom('invoices').selectAll().where('user_id', '=', userId).orderBy('created_at').execute();
const feeDocuments = () => t.nexfit.mongo.db.collection('booking_fees').countDocuments();
const feeIntentsOf = (userId: string) => t.nexfit.pg.selectFrom('nexfit_payment_intents').selectAll().where('user_id', '=', userId).where('kind', '=', 'fee').execute();

describe('late-cancellation and no-show fees', () => {
  it('charges one no-show fee when the same no-show is marked by 6 concurrent calls', async () => {
    const { userId, classId, bookingId, facilityId } = await bookedMember();
    clock().set(AFTER_CLASS);
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => t.nexfit.bookings.markNoShows(classId, CLASS_START)));
    expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);

    expect(chargesOf(userId).map((c) => [c.idempotencyKey, c.amount, c.currency, c.status])).toEqual([[`fee:${bookingId}:no_show`, 150_00, 'TRY', 'succeeded']]);
    const fee = await t.nexfit.bookings.findBookingFee(bookingId);
    expect(fee).toMatchObject({ kind: 'no_show', amount: 150_00, currency: 'TRY', status: 'paid', attempts: 1, facilityId });
    const transactions = await transactionsOf(userId);
    expect(transactions.map((r) => [r.transaction_type, r.amount, r.status, r.description])).toEqual([['adjustment', '150.00', 'completed', 'No-show fee']]);
    expect(fee!.transactionId).toBe(transactions[0]!.transaction_id);
    // 150,00 including 20 % VAT: 125,00 + 25,00.
    const invoices = await invoicesOf(userId);
    expect(invoices.map((r) => [r.invoice_id, r.status, r.total_amount, r.tax_amount])).toEqual([[fee!.invoiceId, 'paid', '150.00', '25.00']]);
    expect((await t.nexfit.bookings.getBooking(bookingId)).status).toBe('no-show');
  });

  it('charges at most one fee when late cancellations race no-show marks of the same booking', async () => {
    const late = await bookedMember();
    clock().set(LATE);
    const calls = [...Array.from({ length: 3 }, () => t.nexfit.bookings.cancelBooking(late.bookingId)), ...Array.from({ length: 3 }, () => t.nexfit.bookings.markNoShows(late.classId, CLASS_START))];
    await Promise.allSettled(calls);
    // Before the start only the cancellation can happen; after the end only the no-show.
    clock().set(AFTER_CLASS);
    await Promise.allSettled([t.nexfit.bookings.cancelBooking(late.bookingId), t.nexfit.bookings.markNoShows(late.classId, CLASS_START)]);
    expect(chargesOf(late.userId).map((c) => [c.idempotencyKey, c.amount])).toEqual([[`fee:${late.bookingId}:late_cancellation`, 75_00]]);
    expect(await t.nexfit.bookings.findBookingFee(late.bookingId)).toMatchObject({ kind: 'late_cancellation', amount: 75_00, status: 'paid' });
    // 75,00 including 20 % VAT: 62,50 + 12,50.
    expect((await invoicesOf(late.userId)).map((r) => [r.total_amount, r.tax_amount])).toEqual([['75.00', '12.50']]);

    const missed = await bookedMember();
    clock().set(AFTER_CLASS);
    await Promise.allSettled([
      ...Array.from({ length: 3 }, () => t.nexfit.bookings.cancelBooking(missed.bookingId)),
      ...Array.from({ length: 3 }, () => t.nexfit.bookings.markNoShows(missed.classId, CLASS_START)),
    ]);
    expect(chargesOf(missed.userId).map((c) => [c.idempotencyKey, c.amount])).toEqual([[`fee:${missed.bookingId}:no_show`, 150_00]]);
    expect(await transactionsOf(missed.userId)).toHaveLength(1);
  });

  it('records a declined fee as unpaid, keeps the no-show, and the nightly run charges it once under a new key', async () => {
    const { userId, classId, bookingId } = await bookedMember();
    clock().set(AFTER_CLASS);
    payments.declineNextCharge();
    await t.nexfit.bookings.markNoShows(classId, CLASS_START);
    expect((await t.nexfit.bookings.getBooking(bookingId)).status).toBe('no-show');
    expect(await t.nexfit.bookings.findBookingFee(bookingId)).toMatchObject({ status: 'unpaid', attempts: 1, lastFailure: 'declined' });
    expect(await transactionsOf(userId)).toEqual([]);

    clock().set('2026-03-04T02:00:00Z');
    const reports = await Promise.all(Array.from({ length: 4 }, () => t.nexfit.workflows.collectUnpaidFees({ asOf: clock().now() })));
    expect(reports.flatMap((r) => r.results).filter((r) => r.bookingId === bookingId).map((r) => r.outcome)).toContain('paid');
    expect(chargesOf(userId).map((c) => [c.idempotencyKey, c.status])).toEqual([
      [`fee:${bookingId}:no_show`, 'declined'],
      [`fee:${bookingId}:no_show:attempt-2`, 'succeeded'],
    ]);
    expect(payments.netCharged(userId)).toBe(150_00);
    expect(await t.nexfit.bookings.findBookingFee(bookingId)).toMatchObject({ status: 'paid', attempts: 2 });
    expect(await transactionsOf(userId)).toHaveLength(1);

    const again = await t.nexfit.workflows.collectUnpaidFees({ asOf: clock().now() });
    expect(again.results.filter((r) => r.bookingId === bookingId)).toEqual([]);
    expect(chargesOf(userId)).toHaveLength(2);
  });

  it('waives an unpaid fee without charging it, audited', async () => {
    const { userId, classId, bookingId } = await bookedMember();
    clock().set(AFTER_CLASS);
    payments.declineNextCharge();
    await t.nexfit.bookings.markNoShows(classId, CLASS_START);
    const waived = await t.nexfit.workflows.waiveFee({ bookingId, reason: 'doktor raporu' });
    expect(waived).toMatchObject({ status: 'waived', waiveReason: 'doktor raporu' });
    await t.nexfit.workflows.collectUnpaidFees({ asOf: new Date('2026-03-05T00:00:00Z') });
    expect(payments.netCharged(userId)).toBe(0);
    expect(await transactionsOf(userId)).toEqual([]);
    const audit = await t.nexfit.pg.selectFrom('audit_logs').selectAll().where('entity_id', '=', waived.id).execute();
    expect(audit.map((r) => r.action)).toEqual(['booking_fee.waived']);
    await expect(t.nexfit.workflows.waiveFee({ bookingId })).rejects.toMatchObject({ reason: 'fee_already_waived' });
  });

  it('waives a paid fee by refunding it in full with a credit note', async () => {
    const { userId, classId, bookingId } = await bookedMember();
    clock().set(AFTER_CLASS);
    await t.nexfit.bookings.markNoShows(classId, CLASS_START);
    expect(payments.netCharged(userId)).toBe(150_00);
    const waived = await t.nexfit.workflows.waiveFee({ bookingId, reason: 'hatalı kayıt' });
    expect(payments.netCharged(userId)).toBe(0);
    const transactions = await transactionsOf(userId);
    expect(transactions.map((r) => [r.transaction_type, r.amount, r.status])).toEqual([
      ['adjustment', '150.00', 'refunded'],
      ['refund', '150.00', 'completed'],
    ]);
    expect(waived.refundTransactionId).toBe(transactions[1]!.transaction_id);
    expect((await invoicesOf(userId)).map((r) => [r.status, r.total_amount])).toEqual([
      ['paid', '150.00'],
      ['credit_note', '150.00'],
    ]);
  });

  it('refuses bad input and a booking without a fee with nothing written', async () => {
    const { bookingId } = await bookedMember();
    const before = await feeDocuments();
    await expect(t.nexfit.workflows.waiveFee({ bookingId: 'not-an-id' as never })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.nexfit.workflows.waiveFee({ bookingId, reason: 'x'.repeat(10_000) })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.nexfit.workflows.waiveFee({ bookingId })).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.nexfit.workflows.collectUnpaidFees({ asOf: 'yesterday' as never })).rejects.toBeInstanceOf(ValidationError);
    expect(await feeDocuments()).toBe(before);
    expect(() => createClassesModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { noShowFee: -1 })).toThrow(ValidationError);
    expect(() => createClassesModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { lateCancelFee: 1.5 })).toThrow(ValidationError);
  });
});

describe('booking fees after a crash', () => {
  /** A no-show whose fee was charged by the provider while the process died inside the unit storing it. */
  async function feeChargedThenDied() {
    const member = await bookedMember();
    clock().set(AFTER_CLASS);
    payments.setOutage(true);
    await t.nexfit.bookings.markNoShows(member.classId, CLASS_START);
    payments.setOutage(false);
    expect(await t.nexfit.bookings.findBookingFee(member.bookingId)).toMatchObject({ status: 'pending', attempts: 1 });
    crashes.push('before-prepare');
    const run = await t.nexfit.workflows.collectUnpaidFees({ asOf: new Date('2026-03-04T00:00:00Z') });
    expect(run.results.find((r) => r.bookingId === member.bookingId)).toMatchObject({ outcome: 'failed', error: expect.any(SimulatedCrash) });
    expect(payments.netCharged(member.userId)).toBe(150_00);
    expect(await transactionsOf(member.userId)).toEqual([]);
    return member;
  }

  it('completes a fee intent whose process died after the charge: one charge, one transaction, one invoice', async () => {
    const { userId, bookingId } = await feeChargedThenDied();
    const report = await t.nexfit.recoverInDoubt({ olderThanMs: 0 });
    expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `fee:${bookingId}:no_show`, kind: 'fee', outcome: 'completed' }));
    expect(await t.nexfit.bookings.findBookingFee(bookingId)).toMatchObject({ status: 'paid', attempts: 1 });
    expect((await transactionsOf(userId)).map((r) => [r.transaction_type, r.amount])).toEqual([['adjustment', '150.00']]);
    expect(await invoicesOf(userId)).toHaveLength(1);
    await t.nexfit.workflows.collectUnpaidFees({ asOf: new Date('2026-03-05T00:00:00Z') });
    expect(chargesOf(userId)).toHaveLength(1);
    expect((await feeIntentsOf(userId)).map((i) => i.status)).toEqual(['completed']);
  });

  it('refunds a fee intent whose fee was waived before recovery', async () => {
    const { userId, bookingId } = await feeChargedThenDied();
    await t.nexfit.workflows.waiveFee({ bookingId, reason: 'stüdyo hatası' });
    const report = await t.nexfit.recoverInDoubt({ olderThanMs: 0 });
    expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `fee:${bookingId}:no_show`, outcome: 'refunded', reason: 'fee_not_payable' }));
    expect(payments.netCharged(userId)).toBe(0);
    expect(await transactionsOf(userId)).toEqual([]);
    expect(await t.nexfit.bookings.findBookingFee(bookingId)).toMatchObject({ status: 'waived' });
  });

  /** A gym owner's paid no-show fee: the owner, the member and the fee. */
  async function paidFeeAtOwnersGym() {
    const owner = (await t.nexfit.users.register({ email: `owner-fee${n + 1}@example.com`, password: 'correct horse battery', firstName: 'Ece', lastName: 'Yılmaz', role: ['gym_owner'], roleSpecificData: { gym_owner: { businessName: `Stüdyo ${n + 1}` } } })).id;
    const member = await bookedMember(owner);
    clock().set(AFTER_CLASS);
    await t.nexfit.bookings.markNoShows(member.classId, CLASS_START);
    const fee = (await t.nexfit.bookings.findBookingFee(member.bookingId))!;
    expect(fee).toMatchObject({ status: 'paid' });
    expect(payments.netCharged(member.userId)).toBe(150_00);
    return { ...member, owner, fee };
  }
  const waiverRefunds = (feeId: string) => payments.refunds.filter((r) => r.idempotencyKey === `fee-waiver:${feeId}`);

  it("records a waived fee's refund when the process died after the provider refunded, as the staff member who asked", async () => {
    const { owner, userId, bookingId, fee } = await paidFeeAtOwnersGym();
    const asOwner = await t.nexfit.as(owner, { requestId: `req-waive-${fee.id}` });
    crashes.push('before-prepare');
    await expect(asOwner.workflows.waiveFee({ bookingId, reason: 'doktor raporu' })).rejects.toBeInstanceOf(SimulatedCrash);
    // The provider gave the money back; the stores do not say so yet.
    expect(payments.netCharged(userId)).toBe(0);
    expect(await t.nexfit.bookings.findBookingFee(bookingId)).toMatchObject({ status: 'paid' });
    expect((await transactionsOf(userId)).map((r) => r.transaction_type)).toEqual(['adjustment']);

    const report = await t.nexfit.recoverInDoubt({ olderThanMs: 0 });
    expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `fee-waiver:${fee.id}`, kind: 'refund', outcome: 'completed' }));
    const transactions = await transactionsOf(userId);
    expect(transactions.map((r) => [r.transaction_type, r.amount, r.status])).toEqual([
      ['adjustment', '150.00', 'refunded'],
      ['refund', '150.00', 'completed'],
    ]);
    expect((await invoicesOf(userId)).map((r) => r.status)).toEqual(['paid', 'credit_note']);
    expect(await t.nexfit.bookings.findBookingFee(bookingId)).toMatchObject({ status: 'waived', waivedBy: owner, waiveReason: 'doktor raporu', refundTransactionId: transactions[1]!.transaction_id });
    expect(waiverRefunds(fee.id)).toHaveLength(1);
    const audit = await t.nexfit.pg.selectFrom('audit_logs').select(['action', 'user_id', 'request_id']).where('entity_id', '=', fee.id).execute();
    expect(audit).toEqual([{ action: 'booking_fee.waived', user_id: owner, request_id: `req-waive-${fee.id}` }]);
    await expect(asOwner.workflows.waiveFee({ bookingId })).rejects.toMatchObject({ reason: 'fee_already_waived' });
  });

  it('waives the fee on a retry after the process died, and the provider refunds once', async () => {
    const { userId, bookingId, fee } = await paidFeeAtOwnersGym();
    crashes.push('before-prepare');
    await expect(t.nexfit.workflows.waiveFee({ bookingId, reason: 'hatalı kayıt' })).rejects.toBeInstanceOf(SimulatedCrash);
    const waived = await t.nexfit.workflows.waiveFee({ bookingId, reason: 'hatalı kayıt' });
    expect(waived).toMatchObject({ status: 'waived', waiveReason: 'hatalı kayıt' });
    expect(waiverRefunds(fee.id)).toHaveLength(1);
    expect(payments.netCharged(userId)).toBe(0);
    expect((await transactionsOf(userId)).map((r) => r.transaction_type)).toEqual(['adjustment', 'refund']);
    // Nothing left for recovery.
    const report = await t.nexfit.recoverInDoubt({ olderThanMs: 0 });
    expect(report.paymentIntents.results.filter((r) => r.idempotencyKey === `fee-waiver:${fee.id}`)).toEqual([]);
  });

  it('keeps a paid fee paid when the provider fails to refund, and a later waiver refunds it once', async () => {
    const { userId, bookingId, fee } = await paidFeeAtOwnersGym();
    payments.failNextRefund();
    await expect(t.nexfit.workflows.waiveFee({ bookingId })).rejects.toBeInstanceOf(PaymentFailedError);
    expect(await t.nexfit.bookings.findBookingFee(bookingId)).toMatchObject({ status: 'paid' });
    expect(payments.netCharged(userId)).toBe(150_00);
    const intent = await t.nexfit.pg.selectFrom('nexfit_payment_intents').select(['status', 'failure_reason']).where('idempotency_key', '=', `fee-waiver:${fee.id}`).executeTakeFirstOrThrow();
    expect(intent).toEqual({ status: 'failed', failure_reason: 'not_refunded' });
    expect((await transactionsOf(userId)).map((r) => r.transaction_type)).toEqual(['adjustment']);

    const waived = await t.nexfit.workflows.waiveFee({ bookingId });
    expect(waived.status).toBe('waived');
    expect(waiverRefunds(fee.id)).toHaveLength(1);
    expect(payments.netCharged(userId)).toBe(0);
    expect((await transactionsOf(userId)).map((r) => r.transaction_type)).toEqual(['adjustment', 'refund']);
  });

  it('closes a fee intent the provider never charged, and the nightly run charges the fee under the next key', async () => {
    const member = await bookedMember();
    clock().set(AFTER_CLASS);
    payments.setOutage(true);
    await t.nexfit.bookings.markNoShows(member.classId, CLASS_START);
    payments.setOutage(false);
    const report = await t.nexfit.recoverInDoubt({ olderThanMs: 0 });
    expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `fee:${member.bookingId}:no_show`, outcome: 'failed', reason: 'not_charged' }));
    await t.nexfit.workflows.collectUnpaidFees({ asOf: new Date('2026-03-04T00:00:00Z') });
    expect(chargesOf(member.userId).map((c) => c.idempotencyKey)).toEqual([`fee:${member.bookingId}:no_show:attempt-2`]);
    expect(await t.nexfit.bookings.findBookingFee(member.bookingId)).toMatchObject({ status: 'paid', attempts: 2 });
  });
});


describe('freeze fees', () => {
  /** A registered member who bought a 1 000,00 monthly plan of a new studio on 2 March. */
  async function member() {
    n += 1;
    clock().set('2026-03-02T09:00:00Z');
    const facility = await t.nexfit.facilities.create({
      name: `Stüdyo ${n}`,
      type: 'studio',
      ownerId: t.nexfit.ids.newObjectId(),
      address: { street: 'Bağdat Cd. 5', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.96, longitude: 29.07 } },
    });
    const plan = await t.nexfit.memberships.createPlan({ facilityId: facility.id as FacilityId, name: 'Temel', duration: { value: 1, unit: 'month' }, price: 1_000_00 });
    const userId = (await t.nexfit.users.register({ email: `freeze${n}@example.com`, password: 'correct horse battery', firstName: 'Ece', lastName: 'Aydın', role: ['client'], phoneNumber: '+905551112233' })).id;
    const bought = await t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: true, idempotencyKey: `buy-${t.nexfit.ids.newUuid()}` });
    return { userId, id: bought.memberSubscription.id };
  }
  const freeze = (memberSubscriptionId: string) => t.nexfit.workflows.freezeMembership({ memberSubscriptionId, startDate: '2026-03-10', resumeDate: '2026-03-17', reason: 'seyahat', fee: { amount: 50_00, currency: 'TRY' } });

  it('charges the fee with the freeze: an adjustment, its paid invoice and the freeze in one unit', async () => {
    const { userId, id } = await member();
    const { freeze: frozen } = await freeze(id);
    expect(frozen).toMatchObject({ status: 'scheduled', days: 7, fee: { amount: 50_00, currency: 'TRY' } });
    const feeCharges = chargesOf(userId).filter((c) => c.idempotencyKey.startsWith(`fee:freeze:${id}:`));
    expect(feeCharges.map((c) => [c.amount, c.status])).toEqual([[50_00, 'succeeded']]);
    expect(payments.netCharged(userId)).toBe(1_000_00 + 50_00);
    // Both rows carry the fixed clock's instant: compared by type.
    const byType = (await transactionsOf(userId)).map((r) => [r.transaction_type, r.amount, r.description]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    expect(byType).toEqual([
      ['adjustment', '50.00', 'Freeze fee'],
      ['purchase', '1000.00', 'Temel membership'],
    ]);
    // 50,00 including 20 % VAT: net 50,00 × 100 ÷ 120 = 41,666… rounds to 41,67, VAT 8,33.
    expect((await invoicesOf(userId)).map((r) => [r.total_amount, r.tax_amount]).sort((x, y) => String(x[0]).localeCompare(String(y[0])))).toEqual([
      ['1000.00', '166.67'],
      ['50.00', '8.33'],
    ]);
  });

  it('refuses the freeze with nothing written when the fee is declined', async () => {
    const { userId, id } = await member();
    payments.declineNextCharge();
    await expect(freeze(id)).rejects.toMatchObject({ code: 'PAYMENT_FAILED', details: { reason: 'declined' } });
    expect((await t.nexfit.memberships.getSubscription(id as never)).freezes ?? []).toEqual([]);
    expect(await transactionsOf(userId)).toHaveLength(1);
    expect(await invoicesOf(userId)).toHaveLength(1);
    expect(payments.netCharged(userId)).toBe(1_000_00);
  });

  it('refunds a freeze fee whose process died before the freeze was written', async () => {
    const { userId, id } = await member();
    crashes.push('before-prepare');
    await expect(freeze(id)).rejects.toBeInstanceOf(SimulatedCrash);
    expect(payments.netCharged(userId)).toBe(1_000_00 + 50_00);
    const report = await t.nexfit.recoverInDoubt({ olderThanMs: 0 });
    expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ kind: 'fee', outcome: 'refunded', reason: 'freeze_not_recorded' }));
    expect(payments.netCharged(userId)).toBe(1_000_00);
    expect((await t.nexfit.memberships.getSubscription(id as never)).freezes ?? []).toEqual([]);
    expect(await transactionsOf(userId)).toHaveLength(1);
  });

  const freezeKeyed = (memberSubscriptionId: string, idempotencyKey: string, resumeDate = '2026-03-17') =>
    t.nexfit.workflows.freezeMembership({ memberSubscriptionId, startDate: '2026-03-10', resumeDate, reason: 'seyahat', fee: { amount: 50_00, currency: 'TRY' }, idempotencyKey });
  const freezeFeeCharges = (userId: string) => chargesOf(userId).filter((c) => c.idempotencyKey.startsWith('fee:freeze:'));

  it('returns the first freeze to a retry with its idempotency key: one freeze, one fee', async () => {
    const { userId, id } = await member();
    const key = `freeze-${t.nexfit.ids.newUuid()}`;
    const first = await freezeKeyed(id, key);
    const [again, racing] = await Promise.all([freezeKeyed(id, key), freezeKeyed(id, key)]);
    expect(again.freeze.freezeId).toBe(first.freeze.freezeId);
    expect(racing.freeze.freezeId).toBe(first.freeze.freezeId);
    expect(again.shiftedDays).toBe(first.shiftedDays);
    expect((await t.nexfit.memberships.getSubscription(id as never)).freezes).toHaveLength(1);
    expect(freezeFeeCharges(userId).map((c) => [c.idempotencyKey, c.amount])).toEqual([[`fee:freeze:${key}`, 50_00]]);
    expect((await transactionsOf(userId)).map((r) => r.transaction_type).sort()).toEqual(['adjustment', 'purchase']);
    // Without a key the same request is a second freeze, refused as overlapping the first.
    await expect(freeze(id)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('completes a keyed freeze on the retry after the process died with its fee charged', async () => {
    const { userId, id } = await member();
    const key = `freeze-${t.nexfit.ids.newUuid()}`;
    crashes.push('before-prepare');
    await expect(freezeKeyed(id, key)).rejects.toBeInstanceOf(SimulatedCrash);
    expect((await t.nexfit.memberships.getSubscription(id as never)).freezes ?? []).toEqual([]);
    const retried = await freezeKeyed(id, key);
    expect(retried.freeze).toMatchObject({ status: 'scheduled', days: 7 });
    expect(freezeFeeCharges(userId)).toHaveLength(1);
    expect(payments.netCharged(userId)).toBe(1_000_00 + 50_00);
    expect((await transactionsOf(userId)).map((r) => r.transaction_type).sort()).toEqual(['adjustment', 'purchase']);
    // Nothing is left for recovery to refund.
    const report = await t.nexfit.recoverInDoubt({ olderThanMs: 0 });
    expect(report.paymentIntents.results.filter((r) => r.idempotencyKey === `fee:freeze:${key}`)).toEqual([]);
  });

  it('refuses a key reused for another freeze, and a retry of a declined one, with nothing written', async () => {
    const { userId, id } = await member();
    const key = `freeze-${t.nexfit.ids.newUuid()}`;
    await freezeKeyed(id, key);
    await expect(freezeKeyed(id, key, '2026-03-20')).rejects.toMatchObject({ reason: 'idempotency_key_reused' });
    const declinedKey = `freeze-${t.nexfit.ids.newUuid()}`;
    payments.declineNextCharge();
    await expect(freezeKeyed(id, declinedKey, '2026-04-20')).rejects.toMatchObject({ code: 'PAYMENT_FAILED', details: { reason: 'declined' } });
    await expect(freezeKeyed(id, declinedKey, '2026-04-20')).rejects.toMatchObject({ code: 'PAYMENT_FAILED', details: { reason: 'declined' } });
    expect((await t.nexfit.memberships.getSubscription(id as never)).freezes).toHaveLength(1);
    expect(freezeFeeCharges(userId).map((c) => c.status)).toEqual(['succeeded', 'declined']);
  });

  it('returns the first freeze to a retry with its key when no fee is charged', async () => {
    const { id } = await member();
    const key = `freeze-${t.nexfit.ids.newUuid()}`;
    const ask = () => t.nexfit.workflows.freezeMembership({ memberSubscriptionId: id, startDate: '2026-03-10', resumeDate: '2026-03-17', idempotencyKey: key });
    const first = await ask();
    const [again, racing] = await Promise.all([ask(), ask()]);
    expect([again.freeze.freezeId, racing.freeze.freezeId]).toEqual([first.freeze.freezeId, first.freeze.freezeId]);
    const subscription = await t.nexfit.memberships.getSubscription(id as never);
    expect(subscription.freezes).toHaveLength(1);
    // The period moved once: seven frozen days.
    expect(again.subscription.endDate).toEqual(subscription.endDate);
    expect(first.shiftedDays).toBe(7);
    await expect(t.nexfit.workflows.freezeMembership({ memberSubscriptionId: id, startDate: '2026-03-11', resumeDate: '2026-03-17', idempotencyKey: key })).rejects.toMatchObject({ reason: 'idempotency_key_reused' });
    await expect(t.nexfit.workflows.freezeMembership({ memberSubscriptionId: id, idempotencyKey: 'kısa' })).rejects.toBeInstanceOf(ValidationError);
  });
});

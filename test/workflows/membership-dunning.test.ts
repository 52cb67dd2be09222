import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createNexfit } from '../../src/create-nexfit.js';
import type { fixedClock } from '../../src/core/clock.js';
import { ConflictError, ValidationError } from '../../src/core/errors.js';
import { createTestKeyring } from '../../src/core/keyring.js';
import type { FacilityId, MemberSubscriptionId, UserId } from '../../src/core/ids.js';
import { TestPaymentProvider, type ChargeLookup, type ChargeRequest, type ChargeResult } from '../../src/modules/billing/payment-provider.js';
import { DEFAULT_DUNNING_POLICY, dunningPolicySchema, dunningRetryAt } from '../../src/modules/memberships/index.js';
import { SimulatedCrash, type UowProtocolStep } from '../../src/uow/protocol-steps.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

/**
 * A provider whose cards decline per member: a charge for a user in `declining` comes back
 * declined (and is replayed as declined under its key), everyone else's succeeds.
 */
class CardsOnFile extends TestPaymentProvider {
  readonly declining = new Set<string>();
  readonly #declined = new Map<string, ChargeRequest & { readonly providerRef: string }>();

  override async charge(request: ChargeRequest): Promise<ChargeResult> {
    const declined = this.#declined.get(request.idempotencyKey);
    if (declined) return { providerRef: declined.providerRef, status: 'declined' };
    if (!this.charges.some((c) => c.idempotencyKey === request.idempotencyKey) && this.declining.has(request.userId)) {
      const providerRef = `dc_${this.#declined.size + 1}`;
      this.#declined.set(request.idempotencyKey, { ...request, providerRef });
      return { providerRef, status: 'declined' };
    }
    return super.charge(request);
  }

  override async findCharge(idempotencyKey: string): Promise<ChargeLookup | null> {
    const declined = this.#declined.get(idempotencyKey);
    if (declined) return { providerRef: declined.providerRef, status: 'declined', amount: declined.amount, currency: declined.currency };
    return super.findCharge(idempotencyKey);
  }

  /** Declined charge requests of one user, in order. */
  declinedFor(userId: string): readonly ChargeRequest[] {
    return [...this.#declined.values()].filter((c) => c.userId === userId);
  }

  /** Successful charges of one user. */
  paidFor(userId: string): readonly ChargeRequest[] {
    return this.charges.filter((c) => c.userId === userId && c.status === 'succeeded');
  }
}

const crashes: UowProtocolStep[] = [];
const payments = new CardsOnFile();
const t = useTestNexfit({
  clock: '2026-12-31T09:00:00Z',
  nexfit: {
    payments,
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
const clock = () => t.clock as ReturnType<typeof fixedClock>;
const PRICE = 1_500_00;
const EVERY_DAY_6_TO_23 = ([0, 1, 2, 3, 4, 5, 6] as const).map((day) => ({ day, openTime: '06:00', closeTime: '23:00', isClosed: false }));

describe('dunning schedule (hand-computed)', () => {
  it.each([
    // first decline on 31 January at 12:00 in Istanbul (+03:00 all year): 1, 4 and 11 days later at 00:00 local
    ['2027-01-31T09:00:00Z', 'Europe/Istanbul', ['2027-01-31T21:00:00Z', '2027-02-03T21:00:00Z', '2027-02-10T21:00:00Z']],
    // the same in Berlin (+01:00 in winter)
    ['2027-01-31T09:00:00Z', 'Europe/Berlin', ['2027-01-31T23:00:00Z', '2027-02-03T23:00:00Z', '2027-02-10T23:00:00Z']],
    // a decline late on 31 January in New York (-05:00) is still 31 January there
    ['2027-02-01T03:00:00Z', 'America/New_York', ['2027-02-01T05:00:00Z', '2027-02-04T05:00:00Z', '2027-02-11T05:00:00Z']],
    // across spring forward in Berlin (28 March 2027): the third retry is at 00:00 CEST (+02:00)
    ['2027-03-20T10:00:00Z', 'Europe/Berlin', ['2027-03-20T23:00:00Z', '2027-03-23T23:00:00Z', '2027-03-30T22:00:00Z']],
    // across fall back in New York (7 November 2027): -04:00 before, -05:00 after
    ['2027-11-01T15:00:00Z', 'America/New_York', ['2027-11-02T04:00:00Z', '2027-11-05T04:00:00Z', '2027-11-12T05:00:00Z']],
  ] as const)('schedules the retries of a first decline at %s in %s', (since, zone, expected) => {
    const retries = [1, 2, 3].map((declines) => dunningRetryAt(new Date(since), declines, DEFAULT_DUNNING_POLICY, zone)?.toISOString());
    expect(retries).toEqual(expected.map((e) => new Date(e).toISOString()));
    expect(dunningRetryAt(new Date(since), 4, DEFAULT_DUNNING_POLICY, zone)).toBeNull();
  });

  it('refuses a policy without retries, with days out of order or out of range', () => {
    expect(dunningPolicySchema.safeParse({ retryAfterDays: [] }).success).toBe(false);
    expect(dunningPolicySchema.safeParse({ retryAfterDays: [4, 1] }).success).toBe(false);
    expect(dunningPolicySchema.safeParse({ retryAfterDays: [0, 3] }).success).toBe(false);
    expect(dunningPolicySchema.safeParse({ retryAfterDays: [2, 7] }).success).toBe(true);
  });
});

describe('failed renewals (dunning)', () => {
  let n = 0;

  async function facility(timezone = 'Europe/Istanbul') {
    n += 1;
    return t.nexfit.facilities.create({
      name: `Dunning Gym ${n}`,
      type: 'gym',
      ownerId: t.nexfit.ids.newObjectId(),
      timezone,
      operatingHours: EVERY_DAY_6_TO_23,
      address: { street: 'Moda Cd. 9', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.98, longitude: 29.03 } },
    });
  }

  async function member(): Promise<UserId> {
    n += 1;
    const user = await t.nexfit.users.register({ email: `dunning${n}@example.com`, password: 'correct horse battery', firstName: 'Ece', lastName: 'Demir', role: ['client'], phoneNumber: '+905551112233' });
    return user.id as UserId;
  }

  /** A monthly membership bought on 31 December 2026 at 12:00 Istanbul: its period ends 31 January 2027 12:00 (09:00Z). */
  async function bought(options: { timezone?: string; classes?: boolean } = {}) {
    clock().set('2026-12-31T09:00:00Z');
    const gym = await facility(options.timezone);
    const plan = await t.nexfit.memberships.createPlan({
      facilityId: gym.id as FacilityId,
      name: 'Aylık',
      duration: { value: 1, unit: 'month' },
      price: PRICE,
      limitations: { classesIncluded: options.classes ?? false },
    });
    const userId = await member();
    const bought = await t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: true, idempotencyKey: `buy-${t.nexfit.ids.newUuid()}` });
    return { userId, facility: gym, plan, id: bought.memberSubscription.id as MemberSubscriptionId, billingId: bought.billingSubscription!.subscriptionId };
  }

  const subscription = (id: MemberSubscriptionId) => t.nexfit.memberships.getSubscription(id);
  const billingStatus = async (billingId: string) => (await t.nexfit.billing.getBillingSubscription(billingId)).status;
  const rowsOf = async (userId: string) => {
    const count = async (table: 'transactions' | 'invoices') => Number((await t.nexfit.pg.selectFrom(table).select(sql<string>`count(*)`.as('n')).where('user_id', '=', userId).execute())[0]!.n);
    return { transactions: await count('transactions'), invoices: await count('invoices') };
  };
  const outcomeOf = (report: { results: readonly { memberSubscriptionId: string; outcome: string }[] }, id: string) => report.results.find((r) => r.memberSubscriptionId === id)?.outcome;
  const eventsOf = async (type: string, id: string) =>
    t.nexfit.pg.selectFrom('nexfit_outbox').select(['payload']).where('type', '=', type).where(sql<boolean>`payload->>'memberSubscriptionId' = ${id}`).execute();

  async function renewAt(iso: string) {
    clock().set(iso);
    return t.nexfit.workflows.renewDueSubscriptions({ asOf: clock().now() });
  }
  async function retryAt(iso: string) {
    clock().set(iso);
    return t.nexfit.workflows.retryOverdueRenewals({ asOf: clock().now() });
  }

  it('puts a declined renewal into dunning: period end kept, billing row past due, first retry the next day', async () => {
    const { userId, id, billingId } = await bought();
    payments.declining.add(userId);
    const report = await renewAt('2027-01-31T03:00:00Z');
    expect(outcomeOf(report, id)).toBe('declined');
    const after = await subscription(id);
    expect(after).toMatchObject({ status: 'active', autoRenew: true, endDate: new Date('2027-01-31T09:00:00Z') });
    expect(after.dunning).toEqual({
      periodEnd: new Date('2027-01-31T09:00:00Z'),
      since: new Date('2027-01-31T03:00:00Z'),
      attempts: [{ at: new Date('2027-01-31T03:00:00Z'), outcome: 'declined' }],
      nextRetryAt: new Date('2027-01-31T21:00:00Z'),
    });
    expect(await billingStatus(billingId)).toBe('past_due');
    expect(await eventsOf('membership.overdue', id)).toHaveLength(1);
    // The renewal run does not charge it again, and the expiry run leaves it alone.
    expect(outcomeOf(await renewAt('2027-01-31T20:00:00Z'), id)).toBeUndefined();
    expect(await t.nexfit.workflows.expireEnded(new Date('2027-02-02T00:00:00Z'))).not.toContain(id);
    expect((await subscription(id)).status).toBe('active');
    expect(payments.declinedFor(userId)).toHaveLength(1);
    expect(await rowsOf(userId)).toEqual({ transactions: 1, invoices: 1 });
  });

  it('refuses check-in and class booking once the paid period is over, but not before', async () => {
    const { userId, id, facility: gym } = await bought({ classes: true });
    payments.declining.add(userId);
    await renewAt('2027-01-31T03:00:00Z');
    clock().set('2027-01-31T05:00:00Z');
    await expect(t.nexfit.workflows.recordFacilityVisit({ userId, facilityId: gym.id as FacilityId, at: new Date('2027-01-31T05:00:00Z') })).resolves.toMatchObject({ memberSubscriptionId: id });
    const checkIn = t.nexfit.workflows.recordFacilityVisit({ userId, facilityId: gym.id as FacilityId, at: new Date('2027-02-01T07:00:00Z') });
    await expect(checkIn).rejects.toMatchObject({ reason: 'membership_overdue', details: { memberSubscriptionId: id, periodEnd: '2027-01-31T09:00:00.000Z', nextRetryAt: '2027-01-31T21:00:00.000Z' } });
    const yoga = await t.nexfit.classes.createClass(
      createInputs.classes({
        facilityId: gym.id as FacilityId,
        // Tuesdays 18:00 Istanbul, from 5 January 2027
        schedule: { startTime: '2027-01-05T15:00:00Z', endTime: '2027-01-05T16:00:00Z', recurrence: { frequency: 'weekly', weekdays: [2], maxOccurrences: 20 } },
      }),
    );
    // Tuesday 2 February 2027, 18:00 Istanbul
    const booking = t.nexfit.workflows.bookClass({ classId: yoga.id, userId, occurrenceStart: new Date('2027-02-02T15:00:00Z') });
    await expect(booking).rejects.toBeInstanceOf(ConflictError);
    await expect(booking).rejects.toMatchObject({ reason: 'membership_overdue' });
  });

  it('renews from the old period end when a retry is paid: no gap, one invoice, billing row active again', async () => {
    const { userId, id, billingId } = await bought();
    payments.declining.add(userId);
    await renewAt('2027-01-31T03:00:00Z');
    // 1 February: declined again, the next retry on 4 February (00:00 Istanbul)
    expect(outcomeOf(await retryAt('2027-02-01T03:00:00Z'), id)).toBe('declined');
    const second = await subscription(id);
    expect(second.dunning?.attempts.map((a) => a.at)).toEqual([new Date('2027-01-31T03:00:00Z'), new Date('2027-02-01T03:00:00Z')]);
    expect(second.dunning?.nextRetryAt).toEqual(new Date('2027-02-03T21:00:00Z'));
    // Not due again before 4 February.
    expect(outcomeOf(await retryAt('2027-02-03T20:59:59Z'), id)).toBeUndefined();
    payments.declining.delete(userId);
    expect(outcomeOf(await retryAt('2027-02-04T03:00:00Z'), id)).toBe('renewed');
    const renewed = await subscription(id);
    expect(renewed.dunning).toBeUndefined();
    // 31 January + 1 month = 28 February, 12:00 Istanbul
    expect(renewed).toMatchObject({ status: 'active', autoRenew: true, startDate: new Date('2026-12-31T09:00:00Z'), endDate: new Date('2027-02-28T09:00:00Z') });
    expect(renewed.paymentHistory.map((p) => p.amount)).toEqual([PRICE, PRICE]);
    expect(await billingStatus(billingId)).toBe('active');
    expect((await t.nexfit.billing.getBillingSubscription(billingId)).endDate).toBe('2027-02-28');
    expect(await rowsOf(userId)).toEqual({ transactions: 2, invoices: 2 });
    const invoices = await t.nexfit.pg.selectFrom('invoices').select(['invoice_data']).where('user_id', '=', userId).execute();
    const periods = invoices.map((i) => (i.invoice_data as { period?: { start: string; end: string } }).period).filter((p) => p !== undefined);
    expect(periods).toContainEqual({ start: '2027-01-31T09:00:00.000Z', end: '2027-02-28T09:00:00.000Z' });
    expect(payments.netCharged(userId)).toBe(2 * PRICE);
    expect(payments.declinedFor(userId).map((c) => c.idempotencyKey)).toEqual([`renewal:${id}:2027-01-31T09:00:00.000Z`, `renewal:${id}:2027-01-31T09:00:00.000Z:retry-1`]);
    // The member is in good standing again, and nothing is retried any more.
    expect(outcomeOf(await retryAt('2027-02-20T03:00:00Z'), id)).toBeUndefined();
    expect(payments.paidFor(userId)).toHaveLength(2);
  });

  const payNow = (memberSubscriptionId: MemberSubscriptionId, idempotencyKey: string) => t.nexfit.workflows.payOverdueMembership({ memberSubscriptionId, idempotencyKey });

  it('lets an overdue member pay now: renewed from the old period end, dunning cleared, charged once per key, nothing left to retry', async () => {
    const { userId, id, billingId } = await bought();
    payments.declining.add(userId);
    await renewAt('2027-01-31T03:00:00Z');
    payments.declining.delete(userId);
    // 31 January, 10:00 Istanbul: declined at 06:00, the paid period still runs until 12:00; the member pays at the desk.
    clock().set('2027-01-31T07:00:00Z');
    const key = `pay-now-${t.nexfit.ids.newUuid()}`;
    const paid = await payNow(id, key);
    expect(paid.replayed).toBe(false);
    expect(paid.memberSubscription.dunning).toBeUndefined();
    // 31 January + 1 month = 28 February, 12:00 Istanbul: no gap, no extra days.
    expect(paid.memberSubscription).toMatchObject({ status: 'active', endDate: new Date('2027-02-28T09:00:00Z') });
    expect(await billingStatus(billingId)).toBe('active');
    expect(payments.paidFor(userId).map((c) => [c.idempotencyKey, c.amount])).toEqual([
      [expect.stringMatching(/^purchase:/), PRICE],
      [`renewal:${id}:pay-now:${key}`, PRICE],
    ]);
    // A retry of the request, and one racing it, charge nothing more.
    const [again, racing] = await Promise.all([payNow(id, key), payNow(id, key)]);
    expect([again.replayed, racing.replayed]).toEqual([true, true]);
    expect(payments.paidFor(userId)).toHaveLength(2);
    expect(await rowsOf(userId)).toEqual({ transactions: 2, invoices: 2 });
    // The nightly retry finds nothing due, and paying again is refused.
    expect(outcomeOf(await retryAt('2027-02-01T21:00:00Z'), id)).toBeUndefined();
    await expect(payNow(id, `pay-now-${t.nexfit.ids.newUuid()}`)).rejects.toMatchObject({ reason: 'not_overdue' });
    expect(payments.paidFor(userId)).toHaveLength(2);
  });

  it('leaves the dunning as scheduled when paying now is declined, so trying cannot bring a write-off forward', async () => {
    const { userId, id } = await bought();
    payments.declining.add(userId);
    await renewAt('2027-01-31T03:00:00Z');
    const before = await subscription(id);
    clock().set('2027-02-01T07:00:00Z');
    for (let i = 0; i < 4; i++) await expect(payNow(id, `pay-now-declined-${i}`)).rejects.toMatchObject({ code: 'PAYMENT_FAILED', details: { reason: 'declined' } });
    // A retry of a declined request is declined again without a new charge.
    await expect(payNow(id, 'pay-now-declined-0')).rejects.toMatchObject({ code: 'PAYMENT_FAILED' });
    expect(payments.declinedFor(userId)).toHaveLength(1 + 4);
    const after = await subscription(id);
    expect(after.dunning).toEqual(before.dunning);
    expect(after.status).toBe('active');
    expect(await rowsOf(userId)).toEqual({ transactions: 1, invoices: 1 });
  });

  it('renews the period once when paying now races the nightly retry: a second charge is refunded', async () => {
    for (let round = 0; round < 3; round++) {
      const { userId, id } = await bought();
      payments.declining.add(userId);
      await renewAt('2027-01-31T03:00:00Z');
      payments.declining.delete(userId);
      clock().set('2027-02-01T03:00:00Z');
      const [nightly, now] = await Promise.allSettled([t.nexfit.workflows.retryOverdueRenewals({ asOf: clock().now() }), payNow(id, `pay-now-race-${round}-${id}`)]);
      expect(nightly.status).toBe('fulfilled');
      if (now.status === 'rejected') expect(['renewal_not_applicable', 'not_overdue']).toContain((now.reason as ConflictError).reason);
      const after = await subscription(id);
      expect(after.dunning).toBeUndefined();
      expect(after.endDate).toEqual(new Date('2027-02-28T09:00:00Z'));
      expect(payments.netCharged(userId)).toBe(2 * PRICE);
      expect(await rowsOf(userId)).toEqual({ transactions: 2, invoices: 2 });
    }
  });

  it('refuses, with nothing charged, a membership that is not overdue, a bad id and a bad key', async () => {
    const current = await bought();
    await expect(payNow(current.id, 'pay-now-current')).rejects.toMatchObject({ reason: 'not_overdue' });
    await expect(payNow('not-an-id' as MemberSubscriptionId, 'pay-now-bad-id')).rejects.toBeInstanceOf(ValidationError);
    await expect(payNow(current.id, 'short')).rejects.toBeInstanceOf(ValidationError);
    await expect(payNow(current.id, 'pay now with spaces')).rejects.toBeInstanceOf(ValidationError);
    expect(payments.paidFor(current.userId)).toHaveLength(1);
    expect(await rowsOf(current.userId)).toEqual({ transactions: 1, invoices: 1 });
  });

  it('writes the membership off after the last retry is declined, and charges nothing more', async () => {
    const { userId, id, billingId, facility: gym } = await bought();
    payments.declining.add(userId);
    await renewAt('2027-01-31T03:00:00Z');
    expect(outcomeOf(await retryAt('2027-02-01T03:00:00Z'), id)).toBe('declined');
    expect(outcomeOf(await retryAt('2027-02-04T03:00:00Z'), id)).toBe('declined');
    expect((await subscription(id)).dunning?.nextRetryAt).toEqual(new Date('2027-02-10T21:00:00Z'));
    expect(outcomeOf(await retryAt('2027-02-11T03:00:00Z'), id)).toBe('written_off');
    const written = await subscription(id);
    expect(written).toMatchObject({ status: 'expired', autoRenew: false, endDate: new Date('2027-01-31T09:00:00Z') });
    expect(written.dunning).toMatchObject({ writtenOffAt: new Date('2027-02-11T03:00:00Z'), periodEnd: new Date('2027-01-31T09:00:00Z') });
    expect(written.dunning?.attempts).toHaveLength(4);
    expect(written.dunning?.nextRetryAt).toBeUndefined();
    expect(await billingStatus(billingId)).toBe('cancelled');
    expect(await eventsOf('membership.written_off', id)).toEqual([{ payload: expect.objectContaining({ memberSubscriptionId: id, userId, periodEnd: '2027-01-31T09:00:00.000Z', attempts: 4 }) }]);
    // Nothing more: the card works again, yet no run charges the written-off period.
    payments.declining.delete(userId);
    expect(outcomeOf(await retryAt('2027-03-01T03:00:00Z'), id)).toBeUndefined();
    expect(outcomeOf(await renewAt('2027-03-01T03:00:00Z'), id)).toBeUndefined();
    await expect(t.nexfit.workflows.payOverdueMembership({ memberSubscriptionId: id, idempotencyKey: 'pay-now-written-off' })).rejects.toMatchObject({ reason: 'subscription_not_active' });
    expect(payments.paidFor(userId)).toHaveLength(1);
    expect(payments.declinedFor(userId)).toHaveLength(4);
    expect(await rowsOf(userId)).toEqual({ transactions: 1, invoices: 1 });
    // A written-off membership is simply no membership.
    await expect(t.nexfit.workflows.recordFacilityVisit({ userId, facilityId: gym.id as FacilityId, at: new Date('2027-03-01T07:00:00Z') })).rejects.toMatchObject({ reason: 'membership_required' });
  });

  it('writes nothing for a bad run date', async () => {
    const before = { docs: await t.nexfit.mongo.db.collection('member_subscriptions').countDocuments(), intents: (await t.nexfit.pg.selectFrom('nexfit_payment_intents').select('intent_id').execute()).length };
    await expect(t.nexfit.workflows.retryOverdueRenewals({ asOf: 'next tuesday' as never })).rejects.toBeInstanceOf(ValidationError);
    await expect(t.nexfit.workflows.retryOverdueRenewals({ asOf: new Date(), extra: 1 } as never)).rejects.toBeInstanceOf(ValidationError);
    const after = { docs: await t.nexfit.mongo.db.collection('member_subscriptions').countDocuments(), intents: (await t.nexfit.pg.selectFrom('nexfit_payment_intents').select('intent_id').execute()).length };
    expect(after).toEqual(before);
  });

  it('charges each retry once and records each attempt once when two instances run at the same time', async () => {
    const members = [await bought(), await bought(), await bought(), await bought()];
    const [payer, stillDeclining] = [members.slice(0, 2), members.slice(2)];
    for (const m of members) payments.declining.add(m.userId);
    await renewAt('2027-01-31T03:00:00Z');
    for (const m of payer) payments.declining.delete(m.userId);
    const other = await createNexfit({ mongo: { uri: t.mongo.uri, dbName: t.mongo.dbName }, postgres: { connectionString: t.pg.url }, keyring: createTestKeyring(), payments, clock: t.clock });
    clock().set('2027-02-01T03:00:00Z');
    let runs: PromiseSettledResult<Awaited<ReturnType<typeof t.nexfit.workflows.retryOverdueRenewals>>>[];
    try {
      runs = await Promise.allSettled([t.nexfit.workflows.retryOverdueRenewals({ asOf: clock().now() }), other.workflows.retryOverdueRenewals({ asOf: clock().now() })]);
    } finally {
      await other.close();
    }
    expect(runs.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    const reports = runs.map((r) => (r as PromiseFulfilledResult<Awaited<ReturnType<typeof t.nexfit.workflows.retryOverdueRenewals>>>).value);
    for (const m of payer) expect(reports.map((r) => outcomeOf(r, m.id)).filter((o) => o === 'renewed')).toHaveLength(1);
    // A run that lost a race on a subscription reports it failed or already done; the next run finds nothing to do for them.
    await retryAt('2027-02-01T04:00:00Z');
    for (const m of payer) {
      expect(payments.paidFor(m.userId)).toHaveLength(2);
      expect(payments.netCharged(m.userId)).toBe(2 * PRICE);
      expect(await rowsOf(m.userId)).toEqual({ transactions: 2, invoices: 2 });
      const s = await subscription(m.id);
      expect(s.dunning).toBeUndefined();
      expect(s.endDate).toEqual(new Date('2027-02-28T09:00:00Z'));
    }
    for (const m of stillDeclining) {
      expect(payments.paidFor(m.userId)).toHaveLength(1);
      expect(payments.declinedFor(m.userId)).toHaveLength(2);
      const s = await subscription(m.id);
      expect(s.dunning?.attempts).toHaveLength(2);
      expect(s.dunning?.nextRetryAt).toEqual(new Date('2027-02-03T21:00:00Z'));
    }
    const intents = await t.nexfit.pg.selectFrom('nexfit_payment_intents').select(['idempotency_key', 'status']).where('user_id', 'in', members.map((m) => m.userId)).where('kind', '=', 'renewal').execute();
    expect(intents.filter((i) => i.idempotency_key.endsWith(':retry-1'))).toHaveLength(4);
  });

  it('ends either renewed or written off, never both, when the last retry races itself', async () => {
    const [paying, failing] = [await bought(), await bought()];
    payments.declining.add(paying.userId).add(failing.userId);
    await renewAt('2027-01-31T03:00:00Z');
    await retryAt('2027-02-01T03:00:00Z');
    await retryAt('2027-02-04T03:00:00Z');
    payments.declining.delete(paying.userId);
    const other = await createNexfit({ mongo: { uri: t.mongo.uri, dbName: t.mongo.dbName }, postgres: { connectionString: t.pg.url }, keyring: createTestKeyring(), payments, clock: t.clock });
    clock().set('2027-02-11T03:00:00Z');
    try {
      const runs = await Promise.allSettled([t.nexfit.workflows.retryOverdueRenewals({ asOf: clock().now() }), other.workflows.retryOverdueRenewals({ asOf: clock().now() })]);
      expect(runs.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    } finally {
      await other.close();
    }
    const paid = await subscription(paying.id);
    expect(paid).toMatchObject({ status: 'active', endDate: new Date('2027-02-28T09:00:00Z') });
    expect(paid.dunning).toBeUndefined();
    expect(payments.netCharged(paying.userId)).toBe(2 * PRICE);
    expect(await eventsOf('membership.written_off', paying.id)).toHaveLength(0);
    expect(await eventsOf('membership.renewed', paying.id)).toHaveLength(1);

    const gone = await subscription(failing.id);
    expect(gone.status).toBe('expired');
    expect(gone.dunning?.attempts).toHaveLength(4);
    expect(payments.netCharged(failing.userId)).toBe(PRICE);
    expect(await eventsOf('membership.written_off', failing.id)).toHaveLength(1);
    expect(await eventsOf('membership.renewed', failing.id)).toHaveLength(0);
  });

  it('finishes a paid last retry whose process died, with recovery racing the next run, instead of writing it off', async () => {
    const { userId, id, billingId } = await bought();
    payments.declining.add(userId);
    await renewAt('2027-01-31T03:00:00Z');
    await retryAt('2027-02-01T03:00:00Z');
    await retryAt('2027-02-04T03:00:00Z');
    payments.declining.delete(userId);
    clock().set('2027-02-11T03:00:00Z');
    crashes.push('before-prepare');
    const died = await t.nexfit.workflows.retryOverdueRenewals({ asOf: clock().now() });
    expect(died.results.find((r) => r.memberSubscriptionId === id)?.error).toBeInstanceOf(SimulatedCrash);
    expect(payments.paidFor(userId)).toHaveLength(2);
    expect((await subscription(id)).dunning).toBeDefined();
    await Promise.allSettled([t.nexfit.recoverInDoubt({ olderThanMs: 0 }), t.nexfit.workflows.retryOverdueRenewals({ asOf: clock().now() })]);
    const after = await subscription(id);
    expect(after).toMatchObject({ status: 'active', endDate: new Date('2027-02-28T09:00:00Z') });
    expect(after.dunning).toBeUndefined();
    expect(await billingStatus(billingId)).toBe('active');
    expect(payments.netCharged(userId)).toBe(2 * PRICE);
    expect(await rowsOf(userId)).toEqual({ transactions: 2, invoices: 2 });
    expect(await eventsOf('membership.written_off', id)).toHaveLength(0);
  });

  it('refunds a paid retry when the membership was cancelled while it was charged', async () => {
    const { userId, id } = await bought();
    payments.declining.add(userId);
    await renewAt('2027-01-31T03:00:00Z');
    payments.declining.delete(userId);
    const charge = payments.charge.bind(payments);
    payments.charge = async (request) => {
      const result = await charge(request);
      if (request.userId === userId) await t.nexfit.workflows.cancelMembership({ memberSubscriptionId: id, when: 'immediately', reason: 'moving away' });
      return result;
    };
    try {
      const report = await retryAt('2027-02-01T03:00:00Z');
      expect(outcomeOf(report, id)).toBe('failed');
    } finally {
      payments.charge = charge;
    }
    expect((await subscription(id)).status).toBe('cancelled');
    expect(payments.netCharged(userId)).toBe(PRICE);
    expect(await rowsOf(userId)).toEqual({ transactions: 1, invoices: 1 });
  });
});

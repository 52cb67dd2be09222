import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../src/core/errors.js';
import type { ClassId, FacilityId, MemberSubscriptionId, UserId } from '../../src/core/ids.js';
import { TestPaymentProvider } from '../../src/modules/billing/index.js';
import type { ClassBooking, CreateClassInput, FitnessClass } from '../../src/modules/classes/index.js';
import type { CreateMembershipInput, MemberSubscription, Membership } from '../../src/modules/memberships/index.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z', nexfit: { payments: new TestPaymentProvider(), bookingPolicy: { waitlistSize: 5 } } });
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Wednesday 2026-03-04 18:00 Istanbul. */
const WED_18 = new Date('2026-03-04T15:00:00Z');
/** Monday 2026-03-02 12:00 Istanbul: one hour after the test clock, inside the 2-hour cancellation cut-off. */
const SOON = new Date('2026-03-02T10:00:00Z');

const reasonOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof ConflictError ? e.reason : (e as Error).name));

describe('class packs and session credits', () => {
  let facilityId: FacilityId;
  let n = 0;

  beforeAll(async () => {
    const owner = t.nexfit.ids.newObjectId();
    facilityId = (await t.nexfit.repositories.facilities.create(createInputs.facilities({ ownerId: owner, timezone: 'Europe/Istanbul' }))).id;
  });

  async function pack(credits: NonNullable<CreateMembershipInput['credits']>, overrides: Partial<CreateMembershipInput> = {}): Promise<Membership> {
    n += 1;
    return t.nexfit.memberships.createPlan({
      facilityId,
      name: `Paket ${n}`,
      duration: { value: 3, unit: 'month' },
      price: 1_000_00,
      limitations: { classesIncluded: true },
      credits,
      ...overrides,
    });
  }

  /** A new member who bought `plan` through the purchase workflow. */
  async function buyer(plan: Membership): Promise<{ userId: UserId; subscription: MemberSubscription }> {
    const userId = t.nexfit.ids.newObjectId() as UserId;
    const { memberSubscription } = await t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: false, idempotencyKey: `pack-${t.nexfit.ids.newUuid()}` });
    return { userId, subscription: memberSubscription };
  }

  async function dailyClass(capacity: number, overrides: Partial<CreateClassInput> = {}, first: Date = WED_18): Promise<FitnessClass> {
    return t.nexfit.classes.createClass(
      createInputs.classes({ facilityId, schedule: { startTime: first, endTime: new Date(first.getTime() + HOUR), recurrence: { frequency: 'daily' } }, location: { room: 'A', capacity }, ...overrides }),
    );
  }

  const book = (classId: ClassId, userId: UserId, occurrenceStart: Date = WED_18, joinWaitlistIfFull = false) =>
    t.nexfit.workflows.bookClass({ classId, userId, occurrenceStart, joinWaitlistIfFull });
  const creditsOf = async (id: MemberSubscriptionId) => (await t.nexfit.memberships.getSubscription(id)).credits;
  const auditRowsOf = async (id: string) =>
    Number((await t.nexfit.pg.selectFrom('audit_logs').select(sql<string>`count(*)`.as('n')).where('entity_id', '=', id).executeTakeFirstOrThrow()).n);

  describe('purchase', () => {
    it('grants the pack through purchaseMembership, activated at the purchase and expiring validFor later', async () => {
      const plan = await pack({ count: 10, validFor: { value: 30, unit: 'day' }, activation: 'on_purchase' });
      const { subscription } = await buyer(plan);
      expect(subscription.credits).toEqual({
        total: 10,
        remaining: 10,
        validFor: { value: 30, unit: 'day' },
        activatedAt: new Date('2026-03-02T09:00:00Z'),
        expiresAt: new Date('2026-04-01T09:00:00Z'),
      });
    });

    it('leaves a pack activated on first booking unactivated until then', async () => {
      const plan = await pack({ count: 5, validFor: { value: 1, unit: 'week' }, activation: 'on_first_booking' });
      const { subscription } = await buyer(plan);
      expect(subscription.credits).toEqual({ total: 5, remaining: 5, validFor: { value: 1, unit: 'week' } });
    });

    it("fixes the pack's credits in the purchase intent's terms, which the stored purchase grants", async () => {
      const plan = await pack({ count: 8, activation: 'on_purchase' });
      const userId = t.nexfit.ids.newObjectId() as UserId;
      const key = `pack-${t.nexfit.ids.newUuid()}`;
      const { memberSubscription } = await t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: false, idempotencyKey: key });
      const stored = await t.nexfit.pg.selectFrom('nexfit_payment_intents').select('terms').where('idempotency_key', '=', `purchase:${key}`).executeTakeFirstOrThrow();
      expect((stored.terms as { credits?: unknown }).credits).toEqual({ count: 8, activation: 'on_purchase' });
      expect(memberSubscription.credits?.total).toBe(8);
    });

    it('gives a plan without credits no credits', async () => {
      const plan = await t.nexfit.memberships.createPlan({ facilityId, name: 'Sınırsız', duration: { value: 1, unit: 'month' }, price: 1_500_00, limitations: { classesIncluded: true } });
      const { subscription } = await buyer(plan);
      expect(subscription.credits).toBeUndefined();
    });
  });

  describe('booking', () => {
    it("spends the class's creditCost in the booking's unit and records the charge on the booking", async () => {
      const plan = await pack({ count: 10, activation: 'on_purchase' });
      const { userId, subscription } = await buyer(plan);
      const reformer = await dailyClass(10, { creditCost: 3 });
      const booking = await book(reformer.id, userId);
      expect(booking.creditCharge).toEqual({ memberSubscriptionId: subscription.id, credits: 3 });
      expect((await creditsOf(subscription.id))?.remaining).toBe(7);
      const yoga = await dailyClass(10);
      await book(yoga.id, userId);
      expect((await creditsOf(subscription.id))?.remaining).toBe(6);
    });

    it('refuses with no_credits when fewer credits remain than the class costs, and frees the seat', async () => {
      const plan = await pack({ count: 2, activation: 'on_purchase' });
      const { userId, subscription } = await buyer(plan);
      const reformer = await dailyClass(10, { creditCost: 3 });
      await expect(reasonOf(book(reformer.id, userId))).resolves.toBe('no_credits');
      expect((await creditsOf(subscription.id))?.remaining).toBe(2);
      expect(await t.nexfit.bookings.seatsTaken(reformer.id, WED_18)).toBe(0);
      expect((await t.nexfit.bookings.listMemberBookings(userId)).items).toHaveLength(0);
    });

    it('starts the clock of an on_first_booking pack at the first booking', async () => {
      const plan = await pack({ count: 5, validFor: { value: 1, unit: 'week' }, activation: 'on_first_booking' });
      const { userId, subscription } = await buyer(plan);
      const yoga = await dailyClass(10);
      await book(yoga.id, userId);
      expect(await creditsOf(subscription.id)).toEqual({
        total: 5,
        remaining: 4,
        validFor: { value: 1, unit: 'week' },
        activatedAt: new Date('2026-03-02T09:00:00Z'),
        expiresAt: new Date('2026-03-09T09:00:00Z'),
      });
      // A week after activation the credits no longer pay for a seat.
      await expect(reasonOf(book(yoga.id, userId, new Date(WED_18.getTime() + 5 * DAY)))).resolves.toBe('credits_expired');
      expect((await creditsOf(subscription.id))?.remaining).toBe(4);
    });

    it('refuses with credits_expired a class after the credits expire', async () => {
      const plan = await pack({ count: 5, validFor: { value: 3, unit: 'day' }, activation: 'on_purchase' });
      const { userId, subscription } = await buyer(plan);
      const yoga = await dailyClass(10);
      await expect(reasonOf(book(yoga.id, userId, new Date(WED_18.getTime() + 2 * DAY)))).resolves.toBe('credits_expired');
      expect((await creditsOf(subscription.id))?.remaining).toBe(5);
      await book(yoga.id, userId);
      expect((await creditsOf(subscription.id))?.remaining).toBe(4);
    });

    it('books exactly 10 of 50 simultaneous bookings on a 10-credit pack; the rest get no_credits', async () => {
      const plan = await pack({ count: 10, activation: 'on_purchase' });
      const { userId, subscription } = await buyer(plan);
      const yoga = await dailyClass(5);
      const occurrences = Array.from({ length: 50 }, (_, i) => new Date(WED_18.getTime() + i * DAY));
      const outcomes = await Promise.all(occurrences.map((at) => reasonOf(book(yoga.id, userId, at))));
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(10);
      expect(outcomes.filter((o) => o === 'no_credits')).toHaveLength(40);
      expect((await creditsOf(subscription.id))?.remaining).toBe(0);
      const { items } = await t.nexfit.bookings.listMemberBookings(userId, {}, { limit: 100 });
      expect(items.filter(({ booking }) => booking.status === 'booked')).toHaveLength(10);
      const seats = await Promise.all(occurrences.map((at) => t.nexfit.bookings.seatsTaken(yoga.id, at)));
      expect(seats.reduce((a, b) => a + b, 0)).toBe(10);
    });

    it('keeps the count exact when cancellations and bookings race', async () => {
      const plan = await pack({ count: 6, activation: 'on_purchase' });
      const { userId, subscription } = await buyer(plan);
      const yoga = await dailyClass(5);
      const at = (i: number) => new Date(WED_18.getTime() + i * DAY);
      const first: ClassBooking[] = [];
      for (let i = 0; i < 6; i += 1) first.push(await book(yoga.id, userId, at(i)));
      expect((await creditsOf(subscription.id))?.remaining).toBe(0);
      const outcomes = await Promise.all([
        ...first.slice(0, 4).map((b) => reasonOf(t.nexfit.bookings.cancelBooking(b.id))),
        ...Array.from({ length: 8 }, (_, i) => reasonOf(book(yoga.id, userId, at(10 + i)))),
      ]);
      expect(outcomes.slice(0, 4)).toEqual(['ok', 'ok', 'ok', 'ok']);
      expect(outcomes.slice(4).every((o) => o === 'ok' || o === 'no_credits')).toBe(true);
      const { items } = await t.nexfit.bookings.listMemberBookings(userId, {}, { limit: 100 });
      const held = items.filter(({ booking }) => booking.status === 'booked');
      const remaining = (await creditsOf(subscription.id))?.remaining ?? -1;
      // Every credit is either left on the pack or held by exactly one booked seat.
      expect(remaining + held.length).toBe(6);
      expect(held.length).toBe(2 + outcomes.slice(4).filter((o) => o === 'ok').length);
    });
  });

  describe('cancellation, no-shows and the waitlist', () => {
    it('gives the credits back on a cancellation before the cut-off', async () => {
      const plan = await pack({ count: 4, activation: 'on_purchase' });
      const { userId, subscription } = await buyer(plan);
      const reformer = await dailyClass(10, { creditCost: 2 });
      const booking = await book(reformer.id, userId);
      expect((await creditsOf(subscription.id))?.remaining).toBe(2);
      await t.nexfit.bookings.cancelBooking(booking.id);
      expect((await creditsOf(subscription.id))?.remaining).toBe(4);
    });

    it('forfeits the credits of a late cancellation', async () => {
      const plan = await pack({ count: 4, activation: 'on_purchase' });
      const { userId, subscription } = await buyer(plan);
      const early = await dailyClass(10, {}, SOON);
      const booking = await book(early.id, userId, SOON);
      const cancelled = await t.nexfit.bookings.cancelBooking(booking.id);
      expect(cancelled.lateCancellation).toBe(true);
      expect((await creditsOf(subscription.id))?.remaining).toBe(3);
    });

    it('spends nothing for a waitlist turn, charges it when promoted, and skips a member with no credits left', async () => {
      const yoga = await dailyClass(1);
      const seatHolder = await buyer(await pack({ count: 2, activation: 'on_purchase' }));
      const broke = await buyer(await pack({ count: 1, activation: 'on_purchase' }));
      const waiting = await buyer(await pack({ count: 3, activation: 'on_purchase' }));
      const seat = await book(yoga.id, seatHolder.userId);
      const brokeTurn = await book(yoga.id, broke.userId, WED_18, true);
      const turn = await book(yoga.id, waiting.userId, WED_18, true);
      expect(brokeTurn.status).toBe('waitlisted');
      expect(brokeTurn.creditCharge).toBeUndefined();
      expect((await creditsOf(waiting.subscription.id))?.remaining).toBe(3);
      // The first member in line spends their only credit elsewhere before the seat frees up.
      await book(yoga.id, broke.userId, new Date(WED_18.getTime() + DAY));
      await t.nexfit.bookings.cancelBooking(seat.id);
      expect(await t.nexfit.bookings.getBooking(brokeTurn.id)).toMatchObject({ status: 'cancelled' });
      expect(await t.nexfit.bookings.getBooking(turn.id)).toMatchObject({ status: 'booked', creditCharge: { memberSubscriptionId: waiting.subscription.id, credits: 1 } });
      expect((await creditsOf(waiting.subscription.id))?.remaining).toBe(2);
      expect((await creditsOf(seatHolder.subscription.id))?.remaining).toBe(2);
      expect(await t.nexfit.bookings.seatsTaken(yoga.id, WED_18)).toBe(1);
    });
  });

  describe('staff adjustments', () => {
    it('grants and revokes credits with the reason in an audit row', async () => {
      const { subscription } = await buyer(await pack({ count: 5, activation: 'on_purchase' }));
      const before = await auditRowsOf(subscription.id);
      const granted = await t.nexfit.memberships.grantCredits(subscription.id, { amount: 3, reason: 'Studio closed on Tuesday' });
      expect(granted.credits).toMatchObject({ total: 8, remaining: 8 });
      const revoked = await t.nexfit.memberships.revokeCredits(subscription.id, { amount: 6, reason: 'Sold by mistake' });
      expect(revoked.credits).toMatchObject({ total: 2, remaining: 2 });
      expect(await auditRowsOf(subscription.id)).toBe(before + 2);
      const row = await t.nexfit.pg.selectFrom('audit_logs').select(['new_state']).where('entity_id', '=', subscription.id).where('action', '=', 'credits_grant').executeTakeFirstOrThrow();
      expect(row.new_state).toMatchObject({ reason: 'Studio closed on Tuesday', amount: 3 });
    });

    it.each([
      ['a negative amount', 'grant', -1],
      ['a zero amount', 'grant', 0],
      ['an oversized amount', 'grant', 1_001],
      ['a fractional amount', 'revoke', 1.5],
      ['more than remain', 'revoke', 6],
    ] as const)('refuses %s with VALIDATION_FAILED and writes nothing', async (_label, kind, amount) => {
      const { subscription } = await buyer(await pack({ count: 5, activation: 'on_purchase' }));
      const before = await t.nexfit.memberships.getSubscription(subscription.id);
      const rows = await auditRowsOf(subscription.id);
      const adjust = kind === 'grant' ? t.nexfit.memberships.grantCredits(subscription.id, { amount, reason: 'x' }) : t.nexfit.memberships.revokeCredits(subscription.id, { amount, reason: 'x' });
      const error = await adjust.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
      expect(await t.nexfit.memberships.getSubscription(subscription.id)).toEqual(before);
      expect(await auditRowsOf(subscription.id)).toBe(rows);
    });

    it('refuses to adjust a subscription that is not a class pack', async () => {
      const plan = await t.nexfit.memberships.createPlan({ facilityId, name: 'Aylık', duration: { value: 1, unit: 'month' }, price: 1_500_00 });
      const { subscription } = await buyer(plan);
      await expect(t.nexfit.memberships.grantCredits(subscription.id, { amount: 1, reason: 'x' })).rejects.toBeInstanceOf(ValidationError);
      expect(await t.nexfit.memberships.getSubscription(subscription.id)).toEqual(subscription);
    });
  });

  describe('expiry run', () => {
    it('forfeits the credits left once they expired, once, with an event per subscription', async () => {
      const { subscription } = await buyer(await pack({ count: 5, validFor: { value: 10, unit: 'day' }, activation: 'on_purchase' }));
      const { subscription: fresh } = await buyer(await pack({ count: 5, validFor: { value: 60, unit: 'day' }, activation: 'on_purchase' }));
      const asOf = new Date('2026-03-20T00:00:00Z');
      const expired = await t.nexfit.memberships.expireCredits(asOf);
      expect(expired.map((s) => s.id)).toContain(subscription.id);
      expect(expired.map((s) => s.id)).not.toContain(fresh.id);
      expect(await creditsOf(subscription.id)).toMatchObject({ total: 5, remaining: 0, expiredAt: asOf });
      expect((await creditsOf(fresh.id))?.remaining).toBe(5);
      expect(await t.nexfit.memberships.expireCredits(asOf)).toEqual([]);
      const events = await t.nexfit.pg
        .selectFrom('nexfit_outbox')
        .select(['payload'])
        .where('type', '=', 'membership.credits_expired')
        .where(sql<boolean>`payload->>'memberSubscriptionId' = ${subscription.id}`)
        .execute();
      expect(events).toHaveLength(1);
      expect(events[0]?.payload).toMatchObject({ forfeited: 5 });
    });
  });

  describe('bad input', () => {
    const countPlans = async () => (await t.nexfit.memberships.listPlans(facilityId, {}, { limit: 200 })).items.length;

    it.each([
      ['a negative count', { count: -1, activation: 'on_purchase' }],
      ['a zero count', { count: 0, activation: 'on_purchase' }],
      ['an oversized count', { count: 1_001, activation: 'on_purchase' }],
      ['an unknown activation', { count: 5, activation: 'whenever' }],
      ['a zero validity', { count: 5, validFor: { value: 0, unit: 'day' }, activation: 'on_purchase' }],
    ])('refuses a plan with %s and writes nothing', async (_label, credits) => {
      const before = await countPlans();
      await expect(pack(credits as never)).rejects.toBeInstanceOf(ValidationError);
      expect(await countPlans()).toBe(before);
    });

    it.each([0, 11, 1.5, -2])('refuses a class with creditCost %s and writes nothing', async (creditCost) => {
      const before = (await t.nexfit.classes.listFacilityClasses(facilityId, {}, { limit: 200 })).items.length;
      await expect(dailyClass(5, { creditCost })).rejects.toBeInstanceOf(ValidationError);
      expect((await t.nexfit.classes.listFacilityClasses(facilityId, {}, { limit: 200 })).items.length).toBe(before);
    });
  });
});

import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import type { ClassId, FacilityId, UserId } from '../../src/core/ids.js';
import { createClassesModule, type ClassesModule, type CreateClassInput, type FitnessClass } from '../../src/modules/classes/index.js';
import { FacilityRepository } from '../../src/modules/facilities/facility.repository.js';
import type { CreateMembershipInput } from '../../src/modules/memberships/membership.schema.js';
import { MemberSubscriptionRepository } from '../../src/modules/memberships/member-subscription.repository.js';
import { MembershipRepository } from '../../src/modules/memberships/membership.repository.js';
import { bookClassOccurrence, isoWeekOf, type BookClassDeps } from '../../src/workflows/book-class/book-class.workflow.js';
import { createInputs, oid } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Wednesday 2026-03-04 18:00 Istanbul. */
const WED_18 = new Date('2026-03-04T15:00:00Z');

describe('bookClassOccurrence', () => {
  let m: ClassesModule;
  let flow: BookClassDeps;
  let facilities: FacilityRepository;
  let plans: MembershipRepository;
  let subscriptions: MemberSubscriptionRepository;
  let facilityId: FacilityId;
  let nextUser = 1_000;

  /** A new member of the facility with an active March subscription on a plan with `limitations`. */
  async function member(limitations: Partial<NonNullable<CreateMembershipInput['limitations']>> = {}, at: FacilityId = facilityId): Promise<UserId> {
    const userId = oid(nextUser++) as UserId;
    const plan = await plans.create(createInputs.memberships({ facilityId: at, limitations: { classesIncluded: true, ...limitations } }));
    await subscriptions.create(
      createInputs.member_subscriptions({ userId, facilityId: at, membershipId: plan.id, status: 'active', startDate: '2026-03-01T00:00:00Z', endDate: '2026-04-01T00:00:00Z' }),
    );
    return userId;
  }

  /** A daily one-hour class at the facility, first at Wednesday 18:00 local, with `capacity` seats. */
  async function dailyClass(capacity: number, overrides: Partial<CreateClassInput> = {}): Promise<FitnessClass> {
    return m.classService.createClass(
      createInputs.classes({
        facilityId,
        schedule: { startTime: WED_18, endTime: new Date(WED_18.getTime() + HOUR), recurrence: { frequency: 'daily' } },
        location: { room: 'A', capacity },
        ...overrides,
      }),
    );
  }

  const book = (classId: ClassId, userId: UserId, occurrenceStart: Date = WED_18) => bookClassOccurrence(flow, { classId, userId, occurrenceStart });
  const reasonOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof ConflictError ? e.reason : (e as Error).name));

  beforeAll(async () => {
    const db = t.nexfit.mongo.db;
    m = createClassesModule(db, t.nexfit.pg, t.deps);
    facilities = new FacilityRepository(db, t.deps);
    plans = new MembershipRepository(db, t.deps);
    subscriptions = new MemberSubscriptionRepository(db, t.deps);
    facilityId = (await facilities.create(createInputs.facilities({ timezone: 'Europe/Istanbul' }))).id;
    flow = { classes: m.classService, bookings: m.bookingService, facilities, subscriptions, plans, deps: t.deps };
  });

  describe('capacity under concurrency', () => {
    it('gives exactly 20 bookings and 180 class_full for 200 simultaneous members on 20 seats', async () => {
      const yoga = await dailyClass(20);
      const members = await Promise.all(Array.from({ length: 200 }, () => member()));
      const outcomes = await Promise.all(members.map((userId) => reasonOf(book(yoga.id, userId))));
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(20);
      expect(outcomes.filter((o) => o === 'class_full')).toHaveLength(180);
      const { items } = await m.bookingService.listOccurrenceBookings(yoga.id, WED_18, { limit: 200 });
      expect(items.filter((b) => b.status === 'booked')).toHaveLength(20);
      expect(new Set(items.map((b) => b.userId)).size).toBe(20);
      expect(await m.bookingService.seatsTaken(yoga.id, WED_18)).toBe(20);
    });

    it('refuses a double booking by the same member, even when both race', async () => {
      const yoga = await dailyClass(10);
      const userId = await member();
      const outcomes = await Promise.all(Array.from({ length: 5 }, () => reasonOf(book(yoga.id, userId))));
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'already_booked')).toHaveLength(4);
      await expect(book(yoga.id, userId)).rejects.toMatchObject({ reason: 'already_booked' });
      // The refused attempts gave their seats back.
      expect(await m.bookingService.seatsTaken(yoga.id, WED_18)).toBe(1);
    });

    it('frees the seat on cancellation, so the next member gets it', async () => {
      const yoga = await dailyClass(1);
      const [first, second] = [await member(), await member()];
      const booking = await book(yoga.id, first);
      await expect(book(yoga.id, second)).rejects.toMatchObject({ reason: 'class_full' });
      await m.bookingService.cancelBooking(booking.id);
      expect(await m.bookingService.seatsTaken(yoga.id, WED_18)).toBe(0);
      await expect(book(yoga.id, second)).resolves.toMatchObject({ status: 'booked', userId: second });
      // The member who cancelled may book again once a seat is free; here the class is full again.
      await expect(book(yoga.id, first)).rejects.toMatchObject({ reason: 'class_full' });
    });

    it('keeps the seats of different occurrences apart', async () => {
      const yoga = await dailyClass(1);
      const thursday = new Date(WED_18.getTime() + 24 * HOUR);
      await book(yoga.id, await member());
      await expect(book(yoga.id, await member(), thursday)).resolves.toMatchObject({ date: thursday });
    });
  });

  describe('the occurrence', () => {
    it('refuses an instant that is not an occurrence of the class', async () => {
      const yoga = await dailyClass(5);
      await expect(book(yoga.id, await member(), new Date(WED_18.getTime() + 30 * MINUTE))).rejects.toBeInstanceOf(NotFoundError);
    });

    it('refuses an occurrence that has started, and an inactive class', async () => {
      const yoga = await dailyClass(5, { schedule: { startTime: '2026-03-02T08:00:00Z', endTime: '2026-03-02T09:00:00Z', recurrence: { frequency: 'daily' } } });
      await expect(book(yoga.id, await member(), new Date('2026-03-02T08:00:00Z'))).rejects.toMatchObject({ reason: 'class_started' });
      await m.classService.deactivateClass(yoga.id);
      await expect(book(yoga.id, await member(), new Date('2026-03-03T08:00:00Z'))).rejects.toMatchObject({ reason: 'class_inactive' });
    });

    it('refuses hostile input before reading anything', async () => {
      await expect(bookClassOccurrence(flow, { classId: { $ne: null } as unknown as ClassId, userId: oid(1) as UserId, occurrenceStart: WED_18 })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('membership rules', () => {
    it('refuses a member without an active subscription at the facility covering the occurrence', async () => {
      const yoga = await dailyClass(5);
      await expect(book(yoga.id, oid(5_000) as UserId)).rejects.toMatchObject({ reason: 'membership_required' });
      const elsewhere = await member({}, oid(777) as FacilityId);
      await expect(book(yoga.id, elsewhere)).rejects.toMatchObject({ reason: 'membership_required' });
      // Subscription ends on 1 April: an April occurrence is not covered.
      await expect(book(yoga.id, await member(), new Date('2026-04-02T15:00:00Z'))).rejects.toMatchObject({ reason: 'membership_required' });
    });

    it('refuses a plan without classes', async () => {
      const yoga = await dailyClass(5);
      await expect(book(yoga.id, await member({ classesIncluded: false }))).rejects.toMatchObject({ reason: 'classes_not_included' });
      expect(await m.bookingService.seatsTaken(yoga.id, WED_18)).toBe(0);
    });

    it('enforces maxClassBookingsPerWeek over the ISO week in the facility zone, and gives the seat back when refused', async () => {
      const yoga = await dailyClass(5);
      const userId = await member({ maxClassBookingsPerWeek: 2 });
      const day = (n: number) => new Date(WED_18.getTime() + n * 24 * HOUR);
      await book(yoga.id, userId, day(0)); // Wed 4 March
      await book(yoga.id, userId, day(1)); // Thu
      await expect(book(yoga.id, userId, day(2))).rejects.toMatchObject({ reason: 'weekly_limit_reached' }); // Fri, same week
      expect(await m.bookingService.seatsTaken(yoga.id, day(2))).toBe(0);
      // Sunday 8 March 18:00 is still week 10; Monday 9 March starts week 11.
      await expect(book(yoga.id, userId, day(4))).rejects.toMatchObject({ reason: 'weekly_limit_reached' });
      await expect(book(yoga.id, userId, day(5))).resolves.toMatchObject({ status: 'booked' });
    });

    it('keeps the weekly limit exact when one member books several classes at once', async () => {
      const yoga = await dailyClass(10);
      const userId = await member({ maxClassBookingsPerWeek: 2 });
      const days = [0, 1, 2, 3].map((n) => new Date(WED_18.getTime() + n * 24 * HOUR));
      const outcomes = await Promise.all(days.map((d) => reasonOf(book(yoga.id, userId, d))));
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(2);
      expect(outcomes.filter((o) => o === 'weekly_limit_reached')).toHaveLength(2);
    });

    it('counts only bookings that hold a seat: a cancellation gives the weekly booking back', async () => {
      const yoga = await dailyClass(5);
      const userId = await member({ maxClassBookingsPerWeek: 1 });
      const first = await book(yoga.id, userId);
      await m.bookingService.cancelBooking(first.id);
      await expect(book(yoga.id, userId, new Date(WED_18.getTime() + 24 * HOUR))).resolves.toMatchObject({ status: 'booked' });
    });
  });

  describe('the booking life cycle', () => {
    const clock = () => t.deps.clock as unknown as { set(at: Date | string): void };

    it('records a cancellation within the cut-off as late, and refuses one after the start', async () => {
      const yoga = await dailyClass(5);
      const [a, b, c] = [await member(), await member(), await member()];
      const [onTime, late, tooLate] = [await book(yoga.id, a), await book(yoga.id, b), await book(yoga.id, c)];
      try {
        clock().set(new Date(WED_18.getTime() - 2 * HOUR - MINUTE));
        expect((await m.bookingService.cancelBooking(onTime.id)).lateCancellation).toBeUndefined();
        clock().set(new Date(WED_18.getTime() - HOUR));
        expect(await m.bookingService.cancelBooking(late.id)).toMatchObject({ status: 'cancelled', lateCancellation: true });
        clock().set(WED_18);
        await expect(m.bookingService.cancelBooking(tooLate.id)).rejects.toMatchObject({ reason: 'class_started' });
        await expect(m.bookingService.cancelBooking(onTime.id)).rejects.toMatchObject({ reason: 'invalid_transition' });
      } finally {
        clock().set('2026-03-02T09:00:00Z');
      }
    });

    it('checks in only inside the window (30 min before to 15 min after the start)', async () => {
      const yoga = await dailyClass(5);
      const booking = await book(yoga.id, await member());
      try {
        clock().set(new Date(WED_18.getTime() - 31 * MINUTE));
        await expect(m.bookingService.checkIn(booking.id)).rejects.toMatchObject({ reason: 'check_in_closed' });
        clock().set(new Date(WED_18.getTime() + 16 * MINUTE));
        await expect(m.bookingService.checkIn(booking.id)).rejects.toMatchObject({ reason: 'check_in_closed' });
        clock().set(new Date(WED_18.getTime() - 30 * MINUTE));
        expect(await m.bookingService.checkIn(booking.id)).toMatchObject({ status: 'attended', checkedInAt: new Date(WED_18.getTime() - 30 * MINUTE) });
        await expect(m.bookingService.checkIn(booking.id)).rejects.toMatchObject({ reason: 'invalid_transition' });
      } finally {
        clock().set('2026-03-02T09:00:00Z');
      }
    });

    it('marks the bookings still booked as no-shows once the class has ended, not before', async () => {
      const yoga = await dailyClass(5);
      const [came, missed, cancelled] = [await book(yoga.id, await member()), await book(yoga.id, await member()), await book(yoga.id, await member())];
      await m.bookingService.cancelBooking(cancelled.id);
      try {
        clock().set(WED_18);
        await m.bookingService.checkIn(came.id);
        clock().set(new Date(WED_18.getTime() + HOUR - 1));
        await expect(m.bookingService.markNoShows(yoga.id, WED_18)).rejects.toMatchObject({ reason: 'class_not_over' });
        clock().set(new Date(WED_18.getTime() + HOUR));
        const noShows = await m.bookingService.markNoShows(yoga.id, WED_18);
        expect(noShows.map((b) => b.id)).toEqual([missed.id]);
        expect((await m.bookingService.getBooking(missed.id)).status).toBe('no-show');
        expect((await m.bookingService.getBooking(came.id)).status).toBe('attended');
        expect(await m.bookingService.seatsTaken(yoga.id, WED_18)).toBe(2);
      } finally {
        clock().set('2026-03-02T09:00:00Z');
      }
    });

    it('emits booking.created, booking.cancelled and booking.attended through the outbox', async () => {
      const yoga = await dailyClass(5);
      const a = await book(yoga.id, await member());
      const b = await book(yoga.id, await member());
      try {
        clock().set(new Date(WED_18.getTime() - HOUR));
        await m.bookingService.cancelBooking(a.id);
        clock().set(new Date(WED_18.getTime() - 20 * MINUTE));
        await m.bookingService.checkIn(b.id);
      } finally {
        clock().set('2026-03-02T09:00:00Z');
      }
      const rows = await t.nexfit.pg.selectFrom('nexfit_outbox').select(['type', 'payload']).where(sql<boolean>`payload->>'bookingId' in (${a.id}, ${b.id})`).execute();
      const events = rows.map((r) => ({ type: r.type, payload: typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload }));
      expect(events).toHaveLength(4);
      expect(events).toEqual(
        expect.arrayContaining([
          { type: 'booking.created', payload: { bookingId: a.id, classId: yoga.id, userId: a.userId, occurrence: WED_18.toISOString() } },
          { type: 'booking.created', payload: { bookingId: b.id, classId: yoga.id, userId: b.userId, occurrence: WED_18.toISOString() } },
          { type: 'booking.cancelled', payload: { bookingId: a.id, late: true } },
          { type: 'booking.attended', payload: { bookingId: b.id } },
        ]),
      );
    });
  });

  describe('the waitlist', () => {
    /** The classes module with a waitlist of `size` turns per occurrence, on the same stores. */
    let waitlisting: BookClassDeps;
    const WAITLIST_SIZE = 3;
    const wait = (classId: ClassId, userId: UserId, occurrenceStart: Date = WED_18) =>
      bookClassOccurrence(waitlisting, { classId, userId, occurrenceStart, joinWaitlistIfFull: true });
    const waitingOf = async (classId: ClassId) =>
      (await m.bookingService.listOccurrenceBookings(classId, WED_18, { limit: 100 })).items.filter((b) => b.status === 'waitlisted').map((b) => b.userId);

    beforeAll(() => {
      const withWaitlist = createClassesModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { waitlistSize: WAITLIST_SIZE });
      waitlisting = { ...flow, classes: withWaitlist.classService, bookings: withWaitlist.bookingService };
    });

    it('books a seat while one is free, and waits in turn once the occurrence is full', async () => {
      const yoga = await dailyClass(1);
      const [a, b, c] = [await member(), await member(), await member()];
      expect(await wait(yoga.id, a)).toMatchObject({ status: 'booked', userId: a });
      expect(await wait(yoga.id, b)).toMatchObject({ status: 'waitlisted', userId: b });
      expect(await wait(yoga.id, c)).toMatchObject({ status: 'waitlisted', userId: c });
      expect(await waitingOf(yoga.id)).toEqual([b, c]);
      expect(await m.bookingService.seatsTaken(yoga.id, WED_18)).toBe(1);
    });

    it('promotes the first member in turn when a seat is cancelled, keeping the seat count', async () => {
      const yoga = await dailyClass(1);
      const [a, b, c] = [await member(), await member(), await member()];
      const seat = await wait(yoga.id, a);
      const first = await wait(yoga.id, b);
      await wait(yoga.id, c);
      await waitlisting.bookings.cancelBooking(seat.id);
      expect(await m.bookingService.getBooking(first.id)).toMatchObject({ status: 'booked', promotedAt: t.nexfit.clock.now() });
      expect(await waitingOf(yoga.id)).toEqual([c]);
      expect(await m.bookingService.seatsTaken(yoga.id, WED_18)).toBe(1);
      const promoted = await t.nexfit.pg.selectFrom('nexfit_outbox').select(['payload']).where('type', '=', 'booking.promoted').where(sql<boolean>`payload->>'bookingId' = ${first.id}`).execute();
      expect(promoted).toHaveLength(1);
    });

    it('gives the seat back to the occurrence when nobody is waiting, and lets a member leave the waitlist', async () => {
      const yoga = await dailyClass(1);
      const [a, b] = [await member(), await member()];
      const seat = await wait(yoga.id, a);
      const turn = await wait(yoga.id, b);
      expect(await waitlisting.bookings.cancelBooking(turn.id)).toMatchObject({ status: 'cancelled' });
      await waitlisting.bookings.cancelBooking(seat.id);
      expect(await m.bookingService.seatsTaken(yoga.id, WED_18)).toBe(0);
      expect(await m.bookingService.getBooking(turn.id)).toMatchObject({ status: 'cancelled' });
      // The turn given up is free again: the waitlist takes WAITLIST_SIZE new members.
      await wait(yoga.id, await member());
      for (let i = 0; i < WAITLIST_SIZE; i += 1) await expect(wait(yoga.id, await member())).resolves.toMatchObject({ status: 'waitlisted' });
    });

    it('refuses a turn when the waitlist is full, and when the booking policy has no waitlist', async () => {
      const yoga = await dailyClass(1);
      await wait(yoga.id, await member());
      for (let i = 0; i < WAITLIST_SIZE; i += 1) await wait(yoga.id, await member());
      await expect(wait(yoga.id, await member())).rejects.toMatchObject({ reason: 'waitlist_full' });
      await expect(bookClassOccurrence(flow, { classId: yoga.id, userId: await member(), occurrenceStart: WED_18, joinWaitlistIfFull: true })).rejects.toMatchObject({
        reason: 'waitlist_full',
      });
      expect(await waitingOf(yoga.id)).toHaveLength(WAITLIST_SIZE);
    });

    it('gives a member one place per occurrence: no second turn on the waitlist', async () => {
      const yoga = await dailyClass(1);
      await wait(yoga.id, await member());
      const userId = await member();
      await wait(yoga.id, userId);
      await expect(wait(yoga.id, userId)).rejects.toMatchObject({ reason: 'already_booked', details: { status: 'waitlisted' } });
      expect(await waitingOf(yoga.id)).toEqual([userId]);
    });

    it('counts a waitlist turn toward the weekly limit, so a promotion never exceeds it', async () => {
      const yoga = await dailyClass(1);
      await wait(yoga.id, await member());
      const userId = await member({ maxClassBookingsPerWeek: 1 });
      const turn = await wait(yoga.id, userId);
      const thursday = new Date(WED_18.getTime() + 24 * HOUR);
      await expect(wait(yoga.id, userId, thursday)).rejects.toMatchObject({ reason: 'weekly_limit_reached' });
      await waitlisting.bookings.cancelBooking(turn.id);
      await expect(wait(yoga.id, userId, thursday)).resolves.toMatchObject({ status: 'booked' });
    });

    it('promotes distinct members when seats are cancelled at the same time, never exceeding capacity', async () => {
      const yoga = await dailyClass(3);
      const seats = [await wait(yoga.id, await member()), await wait(yoga.id, await member()), await wait(yoga.id, await member())];
      const waiting = [await wait(yoga.id, await member()), await wait(yoga.id, await member()), await wait(yoga.id, await member())];
      await Promise.all(seats.map((s) => waitlisting.bookings.cancelBooking(s.id)));
      const statuses = await Promise.all(waiting.map(async (w) => (await m.bookingService.getBooking(w.id)).status));
      expect(statuses).toEqual(['booked', 'booked', 'booked']);
      expect(await m.bookingService.seatsTaken(yoga.id, WED_18)).toBe(3);
      const { items } = await m.bookingService.listOccurrenceBookings(yoga.id, WED_18, { limit: 100 });
      expect(items.filter((b) => b.status === 'booked').map((b) => b.userId).sort()).toEqual(waiting.map((w) => w.userId).sort());
    });

    it('closes the turns still waiting when the no-shows are marked after the class', async () => {
      const clock = t.deps.clock as unknown as { set(at: Date | string): void };
      const yoga = await dailyClass(1);
      const seat = await wait(yoga.id, await member());
      const turn = await wait(yoga.id, await member());
      try {
        clock.set(new Date(WED_18.getTime() + HOUR));
        expect((await waitlisting.bookings.markNoShows(yoga.id, WED_18)).map((b) => b.id)).toEqual([seat.id]);
        expect(await m.bookingService.getBooking(turn.id)).toMatchObject({ status: 'cancelled' });
      } finally {
        clock.set('2026-03-02T09:00:00Z');
      }
    });
  });

  describe('isoWeekOf', () => {
    it("bounds the week by the facility's local Monday midnights", () => {
      expect(isoWeekOf(new Date('2026-03-08T20:59:59Z'), 'Europe/Istanbul')).toEqual({ label: '2026-W10', from: new Date('2026-03-01T21:00:00Z'), to: new Date('2026-03-08T21:00:00Z') });
      expect(isoWeekOf(new Date('2026-03-08T21:00:00Z'), 'Europe/Istanbul').label).toBe('2026-W11');
      expect(isoWeekOf(new Date('2027-01-01T12:00:00Z'), 'Europe/Istanbul').label).toBe('2026-W53');
    });
  });
});

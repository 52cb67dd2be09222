import { beforeAll, describe, expect, it } from 'vitest';
import type { fixedClock } from '../../src/core/clock.js';
import { ConflictError, ValidationError } from '../../src/core/errors.js';
import type { ClassId, FacilityId, UserId } from '../../src/core/ids.js';
import { createClassesModule, type ClassesModule, type CreateClassInput, type FitnessClass } from '../../src/modules/classes/index.js';
import { FacilityRepository } from '../../src/modules/facilities/facility.repository.js';
import type { CreateMembershipInput } from '../../src/modules/memberships/membership.schema.js';
import { MemberSubscriptionRepository } from '../../src/modules/memberships/member-subscription.repository.js';
import { MembershipRepository } from '../../src/modules/memberships/membership.repository.js';
import { bookClassOccurrence, type BookClassDeps } from '../../src/workflows/book-class/book-class.workflow.js';
import { bookingWindowOf } from '../../src/workflows/book-class/booking-window.js';
import { createInputs, oid } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-25T00:00:00Z' });
const clock = () => t.clock as ReturnType<typeof fixedClock>;

/** Monday 2026-03-30 09:00 in Berlin (CEST, UTC+2): the first occurrence after the change of 29 March. */
const MON_0900 = new Date('2026-03-30T07:00:00Z');
const POLICY = { bookingOpensDaysBefore: 2, bookingClosesMinutesBefore: 60 };

describe('bookingWindowOf (hand-computed, calendar days in the facility zone)', () => {
  const cases: { name: string; start: string; zone: string; rules: Parameters<typeof bookingWindowOf>[2]; opensAt: string | null; closesAt: string }[] = [
    {
      name: 'across the spring change: 09:00 CET two days before, 47 hours',
      start: '2026-03-30T07:00:00Z', zone: 'Europe/Berlin', rules: { policy: POLICY },
      opensAt: '2026-03-28T08:00:00.000Z', closesAt: '2026-03-30T06:00:00.000Z',
    },
    {
      name: 'across the autumn change: 09:00 CEST two days before, 49 hours',
      start: '2026-10-26T08:00:00Z', zone: 'Europe/Berlin', rules: { policy: POLICY },
      opensAt: '2026-10-24T07:00:00.000Z', closesAt: '2026-10-26T07:00:00.000Z',
    },
    {
      name: 'an opening local time inside the spring gap moves forward by the gap (02:30 -> 03:30 CEST)',
      start: '2026-03-31T00:30:00Z', zone: 'Europe/Berlin', rules: { policy: POLICY },
      opensAt: '2026-03-29T01:30:00.000Z', closesAt: '2026-03-30T23:30:00.000Z',
    },
    {
      name: 'a zone without DST: exactly 48 hours',
      start: '2026-03-30T06:00:00Z', zone: 'Europe/Istanbul', rules: { policy: POLICY },
      opensAt: '2026-03-28T06:00:00.000Z', closesAt: '2026-03-30T05:00:00.000Z',
    },
    {
      name: 'early access adds the plan\'s days',
      start: '2026-03-30T07:00:00Z', zone: 'Europe/Berlin', rules: { policy: POLICY, earlyBookingDays: 3 },
      opensAt: '2026-03-25T08:00:00.000Z', closesAt: '2026-03-30T06:00:00.000Z',
    },
    {
      name: 'the class overrides the policy field by field',
      start: '2026-03-30T07:00:00Z', zone: 'Europe/Berlin', rules: { policy: POLICY, classWindow: { opensDaysBefore: 7 } },
      opensAt: '2026-03-23T08:00:00.000Z', closesAt: '2026-03-30T06:00:00.000Z',
    },
    {
      name: 'no opening limit: early access changes nothing; closes at the start by default',
      start: '2026-03-30T07:00:00Z', zone: 'Europe/Berlin', rules: { policy: { bookingClosesMinutesBefore: 0 }, earlyBookingDays: 5 },
      opensAt: null, closesAt: '2026-03-30T07:00:00.000Z',
    },
    {
      name: 'a class closing 15 minutes before the start under a policy of 60',
      start: '2026-03-30T07:00:00Z', zone: 'Europe/Berlin', rules: { policy: POLICY, classWindow: { closesMinutesBefore: 15 } },
      opensAt: '2026-03-28T08:00:00.000Z', closesAt: '2026-03-30T06:45:00.000Z',
    },
  ];

  it.each(cases)('$name', ({ start, zone, rules, opensAt, closesAt }) => {
    const window = bookingWindowOf(new Date(start), zone, rules);
    expect(window.opensAt?.toISOString() ?? null).toBe(opensAt);
    expect(window.closesAt.toISOString()).toBe(closesAt);
  });
});

describe('bookClassOccurrence inside the booking window', () => {
  let m: ClassesModule;
  let flow: BookClassDeps;
  let plans: MembershipRepository;
  let subscriptions: MemberSubscriptionRepository;
  let facilityId: FacilityId;
  let nextUser = 3_000;

  async function member(limitations: Partial<NonNullable<CreateMembershipInput['limitations']>> = {}): Promise<UserId> {
    const userId = oid(nextUser++) as UserId;
    const plan = await plans.create(createInputs.memberships({ facilityId, limitations: { classesIncluded: true, ...limitations } }));
    await subscriptions.create(
      createInputs.member_subscriptions({ userId, facilityId, membershipId: plan.id, status: 'active', startDate: '2026-03-01T00:00:00Z', endDate: '2026-04-01T00:00:00Z' }),
    );
    return userId;
  }

  /** A daily class at 09:00 Berlin from Thursday 26 March. */
  async function dailyClass(capacity = 10, overrides: Partial<CreateClassInput> = {}): Promise<FitnessClass> {
    return m.classService.createClass(
      createInputs.classes({
        facilityId,
        schedule: { startTime: '2026-03-26T08:00:00Z', endTime: '2026-03-26T09:00:00Z', recurrence: { frequency: 'daily' } },
        location: { room: 'A', capacity },
        ...overrides,
      }),
    );
  }

  const book = (classId: ClassId, userId: UserId) => bookClassOccurrence(flow, { classId, userId, occurrenceStart: MON_0900 });
  const refusal = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as ConflictError);

  async function expectNothingWritten(classId: ClassId): Promise<void> {
    expect((await m.bookingService.listOccurrenceBookings(classId, MON_0900)).items).toEqual([]);
    expect(await m.bookingService.seatsTaken(classId, MON_0900)).toBe(0);
  }

  beforeAll(async () => {
    const db = t.nexfit.mongo.db;
    m = createClassesModule(db, t.nexfit.pg, t.deps, POLICY);
    const facilities = new FacilityRepository(db, t.deps);
    plans = new MembershipRepository(db, t.deps);
    subscriptions = new MemberSubscriptionRepository(db, t.deps);
    facilityId = (await facilities.create(createInputs.facilities({ timezone: 'Europe/Berlin' }))).id;
    flow = { classes: m.classService, bookings: m.bookingService, facilities, subscriptions, plans, deps: t.deps };
  });

  it('refuses before the opening, at 09:00 local two days before (47 hours across the change), with the window in details', async () => {
    const yoga = await dailyClass();
    // 48 hours before would already be open; two calendar days before at 09:00 local is not yet.
    clock().set('2026-03-28T07:30:00Z');
    const error = await refusal(book(yoga.id, await member()));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ reason: 'outside_booking_window', details: { opensAt: '2026-03-28T08:00:00.000Z', closesAt: '2026-03-30T06:00:00.000Z' } });
    await expectNothingWritten(yoga.id);
    clock().set('2026-03-28T08:00:00Z');
    await expect(book(yoga.id, await member())).resolves.toMatchObject({ status: 'booked' });
  });

  it('closes the configured minutes before the start', async () => {
    const yoga = await dailyClass();
    clock().set('2026-03-30T05:59:59.999Z');
    await expect(book(yoga.id, await member())).resolves.toMatchObject({ status: 'booked' });
    clock().set('2026-03-30T06:00:00Z');
    await expect(book(yoga.id, await member())).rejects.toMatchObject({ reason: 'outside_booking_window', details: { closesAt: '2026-03-30T06:00:00.000Z' } });
    expect(await m.bookingService.seatsTaken(yoga.id, MON_0900)).toBe(1);
  });

  it('opens earlier for a plan with early access', async () => {
    const yoga = await dailyClass();
    clock().set('2026-03-27T08:00:00Z');
    await expect(book(yoga.id, await member())).rejects.toMatchObject({ reason: 'outside_booking_window', details: { opensAt: '2026-03-28T08:00:00.000Z' } });
    await expect(book(yoga.id, await member({ earlyBookingDays: 1 }))).resolves.toMatchObject({ status: 'booked' });
    clock().set('2026-03-27T07:59:59.999Z');
    await expect(book(yoga.id, await member({ earlyBookingDays: 1 }))).rejects.toMatchObject({ details: { opensAt: '2026-03-27T08:00:00.000Z' } });
  });

  it('follows the class\'s own window, stored with the class and changeable', async () => {
    const yoga = await dailyClass(10, { bookingWindow: { opensDaysBefore: 7 } });
    expect((await m.classService.getClass(yoga.id)).bookingWindow).toEqual({ opensDaysBefore: 7 });
    clock().set('2026-03-25T00:00:00Z');
    await expect(book(yoga.id, await member())).resolves.toMatchObject({ status: 'booked' });
    await m.classService.updateClass(yoga.id, { bookingWindow: { opensDaysBefore: 1, closesMinutesBefore: 0 } });
    await expect(book(yoga.id, await member())).rejects.toMatchObject({ details: { opensAt: '2026-03-29T07:00:00.000Z', closesAt: '2026-03-30T07:00:00.000Z' } });
  });

  it('refuses every one of many racing members before the opening and seats exactly the capacity at the opening', async () => {
    const yoga = await dailyClass(3);
    const members = await Promise.all(Array.from({ length: 12 }, () => member()));
    clock().set('2026-03-28T07:59:59.999Z');
    const early = await Promise.all(members.map((u) => refusal(book(yoga.id, u))));
    expect(early.map((e) => e?.reason)).toEqual(members.map(() => 'outside_booking_window'));
    await expectNothingWritten(yoga.id);
    clock().set('2026-03-28T08:00:00Z');
    const outcomes = await Promise.all(members.map((u) => refusal(book(yoga.id, u))));
    expect(outcomes.filter((e) => e === undefined)).toHaveLength(3);
    expect(outcomes.filter((e) => e?.reason === 'class_full')).toHaveLength(9);
    expect(await m.bookingService.seatsTaken(yoga.id, MON_0900)).toBe(3);
  });

  it('refuses a malformed window with a ValidationError and writes no class', async () => {
    const before = await t.nexfit.mongo.db.collection('classes').countDocuments({});
    expect(before).toBeGreaterThan(0);
    for (const bookingWindow of [{ opensDaysBefore: -1 }, { opensDaysBefore: 1.5 }, { closesMinutesBefore: 7 * 24 * 60 + 1 }, { opensDaysBefore: 1, extra: 1 }]) {
      await expect(dailyClass(5, { bookingWindow } as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(await t.nexfit.mongo.db.collection('classes').countDocuments({})).toBe(before);
    await expect(plans.create(createInputs.memberships({ facilityId, limitations: { classesIncluded: true, earlyBookingDays: -2 } }))).rejects.toBeInstanceOf(ValidationError);
    expect(() => createClassesModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { bookingOpensDaysBefore: 2.5 })).toThrow(ValidationError);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import type { fixedClock } from '../../src/core/clock.js';
import { ConflictError, ValidationError } from '../../src/core/errors.js';
import type { ClassId, FacilityId, UserId } from '../../src/core/ids.js';
import { createClassesModule, type ClassesModule, type FitnessClass } from '../../src/modules/classes/index.js';
import { FacilityRepository } from '../../src/modules/facilities/facility.repository.js';
import { MemberSubscriptionRepository } from '../../src/modules/memberships/member-subscription.repository.js';
import { MembershipRepository } from '../../src/modules/memberships/membership.repository.js';
import { bookClassOccurrence, type BookClassDeps } from '../../src/workflows/book-class/book-class.workflow.js';
import { createInputs, oid } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const clock = () => t.clock as ReturnType<typeof fixedClock>;
const POLICY = { strikesPerNoShow: 1, strikesPerLateCancellation: 1, strikeLimit: 3, strikeWindowDays: 30, suspensionDays: 7 };
/** 09:00 Istanbul (06:00 UTC) on 3 March 2026, plus `day` days. */
const morning = (day: number) => new Date(Date.UTC(2026, 2, 3 + day, 6));

describe('strikes and booking suspensions', () => {
  let m: ClassesModule;
  let flow: BookClassDeps;
  let plans: MembershipRepository;
  let subscriptions: MemberSubscriptionRepository;
  let facilityId: FacilityId;
  let nextUser = 5_000;

  async function member(): Promise<UserId> {
    const userId = oid(nextUser++) as UserId;
    const plan = await plans.create(createInputs.memberships({ facilityId, limitations: { classesIncluded: true } }));
    await subscriptions.create(
      createInputs.member_subscriptions({ userId, facilityId, membershipId: plan.id, status: 'active', startDate: '2026-03-01T00:00:00Z', endDate: '2026-04-01T00:00:00Z' }),
    );
    return userId;
  }

  /** A daily one-hour class at 09:00 Istanbul from 3 March. */
  async function dailyClass(): Promise<FitnessClass> {
    return m.classService.createClass(
      createInputs.classes({ facilityId, schedule: { startTime: morning(0), endTime: new Date(morning(0).getTime() + 3_600_000), recurrence: { frequency: 'daily' } }, location: { room: 'A', capacity: 20 } }),
    );
  }

  const book = (classId: ClassId, userId: UserId, occurrenceStart: Date) => bookClassOccurrence(flow, { classId, userId, occurrenceStart });
  const strikesOf = async (userId: UserId) => (await m.bookingService.listMemberStrikes(userId, { limit: 100 })).items;
  const suspensionsOf = async (userId: UserId) => (await m.suspensions.listByUser(userId, { limit: 100 })).items;

  beforeAll(async () => {
    const db = t.nexfit.mongo.db;
    m = createClassesModule(db, t.nexfit.pg, t.deps, POLICY);
    const facilities = new FacilityRepository(db, t.deps);
    plans = new MembershipRepository(db, t.deps);
    subscriptions = new MemberSubscriptionRepository(db, t.deps);
    facilityId = (await facilities.create(createInputs.facilities({ timezone: 'Europe/Istanbul' }))).id;
    flow = { classes: m.classService, bookings: m.bookingService, facilities, subscriptions, plans, deps: t.deps };
  });

  it('counts one strike when the same no-shows are marked by many concurrent calls', async () => {
    clock().set('2026-03-02T09:00:00Z');
    const yoga = await dailyClass();
    const userId = await member();
    const booking = await book(yoga.id, userId, morning(0));
    clock().set('2026-03-03T08:00:00Z');
    const outcomes = await Promise.allSettled(Array.from({ length: 6 }, () => m.bookingService.markNoShows(yoga.id, morning(0))));
    expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);
    expect((await strikesOf(userId)).map((s) => ({ bookingId: s.bookingId, kind: s.kind, weight: s.weight }))).toEqual([{ bookingId: booking.id, kind: 'no_show', weight: 1 }]);
    expect(await m.bookingService.findActiveSuspension(userId, facilityId)).toBeNull();
  });

  it('suspends exactly once when concurrent no-shows of different bookings reach the limit, and bookClass refuses until the end', async () => {
    clock().set('2026-03-02T09:00:00Z');
    const yoga = await dailyClass();
    const userId = await member();
    for (let day = 0; day < 5; day++) await book(yoga.id, userId, morning(day));
    clock().set('2026-03-09T00:00:00Z');
    await Promise.all(Array.from({ length: 5 }, (_, day) => m.bookingService.markNoShows(yoga.id, morning(day))));

    expect(await strikesOf(userId)).toHaveLength(5);
    const suspensions = await suspensionsOf(userId);
    expect(suspensions).toHaveLength(1);
    // Three strikes reached the limit of 3; the other two wait for the next suspension.
    expect(suspensions[0]).toMatchObject({ strikes: 3, from: new Date('2026-03-09T00:00:00Z'), until: new Date('2026-03-16T00:00:00Z') });
    expect((await strikesOf(userId)).filter((s) => s.suspensionId === suspensions[0]!.id)).toHaveLength(3);

    const refusal = await book(yoga.id, userId, morning(7)).then(() => undefined, (e: unknown) => e);
    expect(refusal).toBeInstanceOf(ConflictError);
    expect(refusal).toMatchObject({ reason: 'booking_suspended', details: { until: '2026-03-16T00:00:00.000Z' } });
    expect(await m.bookingService.seatsTaken(yoga.id, morning(7))).toBe(0);
    expect((await m.bookingService.listOccurrenceBookings(yoga.id, morning(7))).items).toEqual([]);

    clock().set('2026-03-16T00:00:00Z');
    await expect(book(yoga.id, userId, morning(14))).resolves.toMatchObject({ status: 'booked' });
  });

  it('lets staff lift a suspension, with an audit row; lifting again is refused', async () => {
    clock().set('2026-03-02T09:00:00Z');
    const yoga = await dailyClass();
    const userId = await member();
    for (let day = 0; day < 3; day++) await book(yoga.id, userId, morning(day));
    clock().set('2026-03-06T00:00:00Z');
    for (let day = 0; day < 3; day++) await m.bookingService.markNoShows(yoga.id, morning(day));
    await expect(book(yoga.id, userId, morning(4))).rejects.toMatchObject({ reason: 'booking_suspended' });

    const lifted = await m.bookingService.liftSuspension({ userId, facilityId, reason: 'doktor raporu' });
    expect(lifted).toMatchObject({ liftedAt: new Date('2026-03-06T00:00:00Z'), liftReason: 'doktor raporu' });
    const audit = await t.nexfit.pg.selectFrom('audit_logs').select(['action']).where('entity_type', '=', 'booking_suspensions').where('entity_id', '=', lifted.id).execute();
    expect(audit).toEqual([{ action: 'booking_suspension.lifted' }]);
    await expect(book(yoga.id, userId, morning(4))).resolves.toMatchObject({ status: 'booked' });
    await expect(m.bookingService.liftSuspension({ userId, facilityId })).rejects.toMatchObject({ reason: 'invalid_transition' });
  });

  it('gives a strike for a late cancellation only', async () => {
    clock().set('2026-03-02T09:00:00Z');
    const yoga = await dailyClass();
    const userId = await member();
    const early = await book(yoga.id, userId, morning(1));
    const late = await book(yoga.id, userId, morning(2));
    await m.bookingService.cancelBooking(early.id);
    clock().set('2026-03-05T05:30:00Z');
    await m.bookingService.cancelBooking(late.id);
    expect((await strikesOf(userId)).map((s) => ({ bookingId: s.bookingId, kind: s.kind }))).toEqual([{ bookingId: late.id, kind: 'late_cancellation' }]);
  });

  it('refuses bad input with a ValidationError and writes nothing', async () => {
    const before = await t.nexfit.mongo.db.collection('booking_suspensions').countDocuments({});
    await expect(m.bookingService.liftSuspension({ userId: 'not an id' as UserId, facilityId })).rejects.toBeInstanceOf(ValidationError);
    await expect(m.bookingService.liftSuspension({ userId: oid(1) as UserId, facilityId, reason: 'x'.repeat(10_000) })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await t.nexfit.mongo.db.collection('booking_suspensions').countDocuments({})).toBe(before);
    expect(() => createClassesModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { strikeLimit: 0 })).toThrow(ValidationError);
    expect(() => createClassesModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { strikesPerNoShow: -1 })).toThrow(ValidationError);
  });
});

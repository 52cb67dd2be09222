import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { fixedClock } from '../../src/core/clock.js';
import { ConflictError, ValidationError } from '../../src/core/errors.js';
import type { ClassId, FacilityId, MemberSubscriptionId, UserId } from '../../src/core/ids.js';
import { TestPaymentProvider } from '../../src/modules/billing/index.js';
import type { FitnessClass } from '../../src/modules/classes/index.js';
import type { CreateMembershipInput, Membership } from '../../src/modules/memberships/index.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z', nexfit: { payments: new TestPaymentProvider() } });
const clock = () => t.clock as ReturnType<typeof fixedClock>;
const HOUR = 3_600_000;
/** Wednesday 2026-03-04 18:00 Istanbul. */
const WED_18 = new Date('2026-03-04T15:00:00Z');
/** Monday 2026-03-02 13:00 Istanbul: one hour after the test clock, inside the 2-hour cancellation cut-off. */
const SOON = new Date('2026-03-02T10:00:00Z');
const GUEST = { name: 'Zeynep Kaya', email: 'zeynep@example.com' };

const reasonOf = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof ConflictError ? e.reason : (e as Error).name));

describe('guest passes', () => {
  let facilityId: FacilityId;
  let otherFacilityId: FacilityId;
  let n = 0;

  beforeAll(async () => {
    const owner = t.nexfit.ids.newObjectId();
    facilityId = (await t.nexfit.repositories.facilities.create(createInputs.facilities({ ownerId: owner, timezone: 'Europe/Istanbul' }))).id;
    otherFacilityId = (await t.nexfit.repositories.facilities.create(createInputs.facilities({ ownerId: owner, timezone: 'Europe/Istanbul' }))).id;
  });

  async function plan(overrides: Partial<CreateMembershipInput> = {}): Promise<Membership> {
    n += 1;
    return t.nexfit.memberships.createPlan({ facilityId, name: `Misafirli ${n}`, duration: { value: 1, unit: 'month' }, price: 1_500_00, limitations: { classesIncluded: true }, guestPasses: { perPeriod: 2 }, ...overrides });
  }

  async function host(of: Membership, autoRenew = false): Promise<{ userId: UserId; subscriptionId: MemberSubscriptionId }> {
    const userId = t.nexfit.ids.newObjectId() as UserId;
    const { memberSubscription } = await t.nexfit.workflows.purchaseMembership({ userId, membershipId: of.id, paymentMethod: 'card', autoRenew, idempotencyKey: `guest-${t.nexfit.ids.newUuid()}` });
    return { userId, subscriptionId: memberSubscription.id as MemberSubscriptionId };
  }

  const dailyClass = (capacity: number, first: Date = WED_18, at: FacilityId = facilityId): Promise<FitnessClass> =>
    t.nexfit.classes.createClass(
      createInputs.classes({ facilityId: at, schedule: { startTime: first, endTime: new Date(first.getTime() + HOUR), recurrence: { frequency: 'daily' } }, location: { room: 'A', capacity } }),
    );
  const bookGuest = (classId: ClassId, hostUserId: UserId, occurrenceStart: Date = WED_18, guest: { name: string; email?: string } = GUEST) =>
    t.nexfit.workflows.bookGuest({ classId, hostUserId, occurrenceStart, guest });
  const passesOf = async (id: MemberSubscriptionId) => (await t.nexfit.memberships.getSubscription(id)).guestPasses;
  /** The raw bookings of an occurrence holding a seat, straight from MongoDB. */
  const seatHolders = (classId: ClassId, date: Date) =>
    t.nexfit.mongo.db.collection('class_bookings').countDocuments({ classId: new ObjectId(classId), date, status: { $in: ['booked', 'attended'] } });
  const guestBookings = (classId: ClassId, date: Date) => t.nexfit.mongo.db.collection('class_bookings').countDocuments({ classId: new ObjectId(classId), date, guest: { $exists: true } });

  it('gives a subscription the guest passes of its plan, none used', async () => {
    const { subscriptionId } = await host(await plan({ guestPasses: { perPeriod: 3 } }));
    expect(await passesOf(subscriptionId)).toEqual({ perPeriod: 3, used: 0 });
  });

  it("books a guest into a seat, spends a pass and shows the guest in the occurrence's roster", async () => {
    const { userId, subscriptionId } = await host(await plan());
    const fitnessClass = await dailyClass(10);
    const own = await t.nexfit.workflows.bookClass({ classId: fitnessClass.id, userId, occurrenceStart: WED_18 });
    const guest = await bookGuest(fitnessClass.id, userId);
    expect(guest).toMatchObject({ userId, status: 'booked', guest: GUEST, guestPass: { memberSubscriptionId: subscriptionId } });
    expect(await passesOf(subscriptionId)).toEqual({ perPeriod: 2, used: 1 });
    expect(await t.nexfit.bookings.seatsTaken(fitnessClass.id, WED_18)).toBe(2);
    const roster = (await t.nexfit.bookings.listOccurrenceBookings(fitnessClass.id, WED_18)).items;
    expect(roster.map((b) => b.id).sort()).toEqual([own.id, guest.id].sort());
    expect(roster.find((b) => b.id === guest.id)?.guest).toEqual(GUEST);
  });

  it('refuses a guest booking with no_guest_passes once the passes of the period are used, writing nothing', async () => {
    const { userId, subscriptionId } = await host(await plan());
    const fitnessClass = await dailyClass(10);
    await bookGuest(fitnessClass.id, userId);
    await bookGuest(fitnessClass.id, userId, WED_18, { name: 'Deniz Ak' });
    const error = await bookGuest(fitnessClass.id, userId, WED_18, { name: 'Ece Su' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).reason).toBe('no_guest_passes');
    expect((error as ConflictError).details).toMatchObject({ memberSubscriptionId: subscriptionId, perPeriod: 2 });
    expect(await passesOf(subscriptionId)).toEqual({ perPeriod: 2, used: 2 });
    expect(await guestBookings(fitnessClass.id, WED_18)).toBe(2);
    // The seat the refused booking claimed went back.
    expect(await t.nexfit.bookings.seatsTaken(fitnessClass.id, WED_18)).toBe(2);
  });

  it('refuses a guest of a member whose plan includes no guest passes', async () => {
    const { userId } = await host(await plan({ guestPasses: undefined }));
    const fitnessClass = await dailyClass(10);
    expect(await reasonOf(bookGuest(fitnessClass.id, userId))).toBe('no_guest_passes');
    expect(await t.nexfit.bookings.seatsTaken(fitnessClass.id, WED_18)).toBe(0);
  });

  it('refuses a guest of a host without a membership valid at the facility', async () => {
    const { userId } = await host(await plan());
    const elsewhere = await dailyClass(10, WED_18, otherFacilityId);
    expect(await reasonOf(bookGuest(elsewhere.id, userId))).toBe('membership_required');
    expect(await guestBookings(elsewhere.id, WED_18)).toBe(0);
  });

  it("books a guest at another facility of a multi-location host's plan", async () => {
    const { userId } = await host(await plan({ validAtFacilityIds: [otherFacilityId] }));
    const elsewhere = await dailyClass(10, WED_18, otherFacilityId);
    expect((await bookGuest(elsewhere.id, userId)).guest).toEqual(GUEST);
  });

  it('refuses a full class for a guest (class_full)', async () => {
    const { userId, subscriptionId } = await host(await plan());
    const fitnessClass = await dailyClass(1);
    await t.nexfit.workflows.bookClass({ classId: fitnessClass.id, userId, occurrenceStart: WED_18 });
    expect(await reasonOf(bookGuest(fitnessClass.id, userId))).toBe('class_full');
    expect(await passesOf(subscriptionId)).toEqual({ perPeriod: 2, used: 0 });
  });

  it('does not count guest bookings toward the weekly class-booking limit of the host', async () => {
    const { userId } = await host(await plan({ limitations: { classesIncluded: true, maxClassBookingsPerWeek: 1 } }));
    const fitnessClass = await dailyClass(10);
    await bookGuest(fitnessClass.id, userId);
    await bookGuest(fitnessClass.id, userId, WED_18, { name: 'Deniz Ak' });
    expect((await t.nexfit.workflows.bookClass({ classId: fitnessClass.id, userId, occurrenceStart: WED_18 })).status).toBe('booked');
  });

  it('refuses bad input and writes nothing', async () => {
    const { userId, subscriptionId } = await host(await plan());
    const fitnessClass = await dailyClass(10);
    const before = await t.nexfit.mongo.db.collection('class_bookings').countDocuments();
    for (const guest of [{ name: '' }, { name: 'Ali', email: 'not-an-email' }, { name: 'Ali', phone: '+905551234567' }] as { name: string }[]) {
      await expect(bookGuest(fitnessClass.id, userId, WED_18, guest)).rejects.toBeInstanceOf(ValidationError);
    }
    await expect(t.nexfit.workflows.bookGuest({ classId: fitnessClass.id, hostUserId: { $gt: '' } as never, occurrenceStart: WED_18, guest: GUEST })).rejects.toBeInstanceOf(ValidationError);
    expect(await t.nexfit.mongo.db.collection('class_bookings').countDocuments()).toBe(before);
    expect(await passesOf(subscriptionId)).toEqual({ perPeriod: 2, used: 0 });
    expect(await t.nexfit.bookings.seatsTaken(fitnessClass.id, WED_18)).toBe(0);
  });

  it('returns the pass when the guest booking is cancelled before the cut-off, and keeps it after', async () => {
    const { userId, subscriptionId } = await host(await plan());
    const later = await dailyClass(10);
    const early = await bookGuest(later.id, userId);
    await t.nexfit.bookings.cancelBooking(early.id);
    expect(await passesOf(subscriptionId)).toEqual({ perPeriod: 2, used: 0 });
    expect(await t.nexfit.bookings.seatsTaken(later.id, WED_18)).toBe(0);

    const soon = await dailyClass(10, SOON);
    const late = await bookGuest(soon.id, userId, SOON);
    const cancelled = await t.nexfit.bookings.cancelBooking(late.id);
    expect(cancelled.lateCancellation).toBe(true);
    expect(await passesOf(subscriptionId)).toEqual({ perPeriod: 2, used: 1 });
  });

  it('starts a renewed period with all its guest passes unused', async () => {
    const { userId, subscriptionId } = await host(await plan(), true);
    const fitnessClass = await dailyClass(10);
    await bookGuest(fitnessClass.id, userId);
    expect(await passesOf(subscriptionId)).toEqual({ perPeriod: 2, used: 1 });
    try {
      clock().set('2026-04-02T09:00:00Z');
      await t.nexfit.workflows.renewDueSubscriptions({ asOf: new Date('2026-04-02T09:00:00Z') });
      const renewed = await t.nexfit.memberships.getSubscription(subscriptionId);
      expect(renewed.endDate).toEqual(new Date('2026-05-02T09:00:00Z'));
      expect(renewed.guestPasses).toEqual({ perPeriod: 2, used: 0 });
    } finally {
      clock().set('2026-03-02T09:00:00Z');
    }
  });

  it('exports the guests with the host and erases their names and emails with the host', async () => {
    const user = await t.nexfit.users.register({ email: `host-${t.nexfit.ids.newUuid()}@example.com`, firstName: 'Ev', lastName: 'Sahibi', role: ['client'], password: 'correct horse battery' });
    const userId = user.id as UserId;
    const of = await plan();
    await t.nexfit.workflows.purchaseMembership({ userId, membershipId: of.id, paymentMethod: 'card', autoRenew: false, idempotencyKey: `guest-${t.nexfit.ids.newUuid()}` });
    const fitnessClass = await dailyClass(10);
    const booking = await bookGuest(fitnessClass.id, userId);
    const exported = (await t.nexfit.privacy.exportUserData(userId)) as unknown as { classBookings: { id: string; guest?: unknown }[] };
    expect(exported.classBookings.find((b) => b.id === booking.id)?.guest).toEqual(GUEST);

    await t.nexfit.privacy.eraseUser(userId, { reason: 'KVKK talebi' });
    const stored = await t.nexfit.mongo.db.collection('class_bookings').findOne({ _id: new ObjectId(booking.id) });
    expect(stored?.['guest']).toEqual({ name: 'Erased user' });
    expect(stored?.['status']).toBe('cancelled');
    expect(JSON.stringify(await t.nexfit.mongo.db.collection('class_bookings').find({ userId: new ObjectId(userId) }).toArray())).not.toContain('zeynep@example.com');
  });

  describe('races', () => {
    it('books exactly 2 of 10 simultaneous guest bookings of a host with 2 passes', async () => {
      const { userId, subscriptionId } = await host(await plan());
      const fitnessClass = await dailyClass(20);
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => bookGuest(fitnessClass.id, userId, WED_18, { name: `Misafir ${i}` })));
      const reasons = await Promise.all(results.map((r) => reasonOf(r.status === 'fulfilled' ? Promise.resolve(r.value) : Promise.reject(r.reason))));
      expect(reasons.filter((r) => r === 'ok')).toHaveLength(2);
      expect(reasons.filter((r) => r === 'no_guest_passes')).toHaveLength(8);
      expect(await guestBookings(fitnessClass.id, WED_18)).toBe(2);
      expect(await passesOf(subscriptionId)).toEqual({ perPeriod: 2, used: 2 });
      expect(await t.nexfit.bookings.seatsTaken(fitnessClass.id, WED_18)).toBe(2);
    });

    it('never overbooks when guest and member bookings race for the last seats', async () => {
      const generous = await plan({ guestPasses: { perPeriod: 4 } });
      const hosts = await Promise.all(Array.from({ length: 3 }, () => host(generous)));
      const members = await Promise.all(Array.from({ length: 6 }, () => host(generous)));
      const fitnessClass = await dailyClass(5);
      const attempts = [
        ...hosts.flatMap((h) => Array.from({ length: 3 }, (_, i) => bookGuest(fitnessClass.id, h.userId, WED_18, { name: `Misafir ${i}` }))),
        ...members.map((m) => t.nexfit.workflows.bookClass({ classId: fitnessClass.id, userId: m.userId, occurrenceStart: WED_18 })),
      ];
      const reasons = await Promise.all(attempts.map((p) => reasonOf(p)));
      expect(reasons.filter((r) => r === 'ok')).toHaveLength(5);
      expect(reasons.filter((r) => r === 'class_full')).toHaveLength(10);
      expect(await seatHolders(fitnessClass.id, WED_18)).toBe(5);
      expect(await t.nexfit.bookings.seatsTaken(fitnessClass.id, WED_18)).toBe(5);
      // Passes were spent only for the guests who got a seat.
      const used = (await Promise.all(hosts.map((h) => passesOf(h.subscriptionId)))).reduce((sum, p) => sum + (p?.used ?? 0), 0);
      expect(used).toBe(await guestBookings(fitnessClass.id, WED_18));
    });
  });
});

import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ConcurrencyError, ConflictError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type ClassBookingId, type ClassId, type UserId } from '../../../src/core/ids.js';
import { ClassBookingRepository } from '../../../src/modules/classes/class-booking.repository.js';
import { classBookingSchema, type ClassBooking, type CreateClassBookingInput } from '../../../src/modules/classes/class-booking.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs, oid, T0 } from '../support/factories.js';
import { describeMongoRepositoryContract, HOSTILE_IDS, MISSING_ID } from '../../support/mongo-repository-contract.js';
import { indexesUsed } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

const user = (n: number) => oid(n) as UserId;
const klass = (n: number) => oid(n) as ClassId;
const CONTRACT_CLASS = klass(900);
const MONDAY = new Date('2026-03-02T06:00:00Z');
const WEDNESDAY = new Date('2026-03-04T06:00:00Z');

/** `userId`'s booking of the occurrence of `classId` starting at `date`. */
function booking(classId: ClassId, date: Date, userId: UserId, overrides: Partial<CreateClassBookingInput> = {}): CreateClassBookingInput {
  return createInputs.class_bookings({ classId, date, userId, ...overrides });
}

describeMongoRepositoryContract({
  entity: 'class booking',
  collection: 'class_bookings',
  mongo,
  createRepository: (db, deps) => new ClassBookingRepository(db, deps),
  validInput: (n) => booking(CONTRACT_CLASS, MONDAY, user(n)),
  invalidInput: booking(CONTRACT_CLASS, MONDAY, user(1), { status: 'cancelled' }),
  validPatch: { notes: 'Pencere kenarı' },
  list: (repository, page) => repository.listByOccurrence(CONTRACT_CLASS, MONDAY, page),
  entitySchema: classBookingSchema,
});

describe('ClassBookingRepository', () => {
  let bookings: ClassBookingRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.class_bookings.name);
  const clock = fixedClock('2026-03-01T09:00:00Z');
  const rawOf = (b: ClassBooking) => collection().findOne({ _id: new ObjectId(b.id) });

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.class_bookings] });
    bookings = new ClassBookingRepository(mongo.db, { clock, ids: defaultIdGenerator });
  });

  describe('one seat per user per occurrence', () => {
    it('refuses a second booking of the same occurrence by the same user, writing nothing', async () => {
      await bookings.create(booking(klass(100), MONDAY, user(1)));
      const before = await collection().countDocuments();
      const error = await bookings.create(booking(klass(100), MONDAY, user(1))).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ reason: 'duplicate' });
      expect(await collection().countDocuments()).toBe(before);
    });

    it('lets the same user book another occurrence, and another user the same one', async () => {
      await bookings.create(booking(klass(101), MONDAY, user(1)));
      await expect(bookings.create(booking(klass(101), WEDNESDAY, user(1)))).resolves.toMatchObject({ status: 'booked' });
      await expect(bookings.create(booking(klass(101), MONDAY, user(2)))).resolves.toMatchObject({ status: 'booked' });
    });

    it('frees the seat on cancellation, so the same user can book again', async () => {
      const first = await bookings.create(booking(klass(102), MONDAY, user(1)));
      await bookings.markCancelled(first.id);
      const again = await bookings.create(booking(klass(102), MONDAY, user(1)));
      expect(again.id).not.toBe(first.id);
      expect(await bookings.findActiveBooking(klass(102), MONDAY, user(1))).toEqual(again);
      await expect(bookings.create(booking(klass(102), MONDAY, user(1)))).rejects.toBeInstanceOf(ConflictError);
    });

    it('keeps the seat of an attended booking taken', async () => {
      const attended = await bookings.create(booking(klass(103), MONDAY, user(1)));
      await bookings.markAttended(attended.id);
      await expect(bookings.create(booking(klass(103), MONDAY, user(1)))).rejects.toBeInstanceOf(ConflictError);
    });

    it('lets exactly one of many concurrent bookings of the same seat through', async () => {
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => bookings.create(booking(klass(104), MONDAY, user(1)))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      expect(await bookings.countActiveForOccurrence(klass(104), MONDAY)).toBe(1);
    });

    it('stores whether a booking holds its seat, and never returns that derived field', async () => {
      const created = await bookings.create(booking(klass(105), MONDAY, user(1)));
      expect(created).not.toHaveProperty('holdsSeat');
      expect((await rawOf(created))?.['holdsSeat']).toBe(true);
      const cancelled = await bookings.markCancelled(created.id);
      expect(cancelled).not.toHaveProperty('holdsSeat');
      expect((await rawOf(created))?.['holdsSeat']).toBe(false);
    });
  });

  describe('occurrence queries', () => {
    let seats: Record<'booked' | 'attended' | 'cancelled' | 'noShow', ClassBooking>;

    beforeAll(async () => {
      const c = klass(200);
      seats = {
        booked: await bookings.create(booking(c, MONDAY, user(1))),
        attended: await bookings.create(booking(c, MONDAY, user(2))),
        cancelled: await bookings.create(booking(c, MONDAY, user(3))),
        noShow: await bookings.create(booking(c, MONDAY, user(4))),
      };
      seats.attended = await bookings.markAttended(seats.attended.id);
      seats.cancelled = await bookings.markCancelled(seats.cancelled.id);
      seats.noShow = await bookings.markNoShow(seats.noShow.id);
      await bookings.create(booking(c, WEDNESDAY, user(1)));
      await bookings.create(booking(klass(201), MONDAY, user(1)));
    });

    it('counts the seats taken: booked and attended, not cancelled or no-show', async () => {
      expect(await bookings.countActiveForOccurrence(klass(200), MONDAY)).toBe(2);
      expect(await bookings.countActiveForOccurrence(klass(200), new Date('2026-03-02T06:00:00.001Z'))).toBe(0);
    });

    it('finds the seat-holding booking of a user, or null', async () => {
      expect(await bookings.findActiveBooking(klass(200), MONDAY, user(1))).toEqual(seats.booked);
      expect(await bookings.findActiveBooking(klass(200), MONDAY, user(2))).toEqual(seats.attended);
      expect(await bookings.findActiveBooking(klass(200), MONDAY, user(3))).toBeNull();
      expect(await bookings.findActiveBooking(klass(200), MONDAY, user(4))).toBeNull();
    });

    it('lists every booking of the occurrence in booking order, across pages', async () => {
      const first = await bookings.listByOccurrence(klass(200), MONDAY, { limit: 3 });
      const second = await bookings.listByOccurrence(klass(200), MONDAY, { limit: 3, after: first.nextCursor! });
      expect([...first.items, ...second.items]).toEqual([seats.booked, seats.attended, seats.cancelled, seats.noShow]);
      expect(second.nextCursor).toBeNull();
    });

    it('refuses hostile ids and instants', async () => {
      for (const id of HOSTILE_IDS) {
        await expect(bookings.listByOccurrence(id as ClassId, MONDAY)).rejects.toBeInstanceOf(ValidationError);
        await expect(bookings.countActiveForOccurrence(id as ClassId, MONDAY)).rejects.toBeInstanceOf(ValidationError);
        await expect(bookings.findActiveBooking(klass(200), MONDAY, id as UserId)).rejects.toBeInstanceOf(ValidationError);
      }
      await expect(bookings.countActiveForOccurrence(klass(200), { $gt: new Date(0) } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(bookings.findActiveBooking(klass(200), 'monday' as never, user(1))).rejects.toBeInstanceOf(ValidationError);
    });

    it('serves the occurrence list and seat count from the classId_date_status index', async () => {
      const occurrence = { classId: new ObjectId(klass(200)), date: MONDAY };
      expect(await indexesUsed(collection(), occurrence, { _id: 1 })).toContain('classId_date_status');
      expect(await indexesUsed(collection(), { ...occurrence, status: { $in: ['booked', 'attended'] } })).toContain('classId_date_status');
    });
  });

  describe("a user's bookings", () => {
    const at = (iso: string) => new Date(iso);
    let mine: ClassBooking[];

    beforeAll(async () => {
      const u = user(300);
      mine = [
        await bookings.create(booking(klass(301), at('2026-03-02T06:00:00Z'), u)),
        await bookings.create(booking(klass(302), at('2026-03-04T18:00:00Z'), u)),
        await bookings.create(booking(klass(301), at('2026-03-09T06:00:00Z'), u)),
        await bookings.create(booking(klass(303), at('2026-03-06T07:00:00Z'), u)),
      ];
      mine[3] = await bookings.markCancelled(mine[3]!.id);
      await bookings.create(booking(klass(301), at('2026-03-02T06:00:00Z'), user(301)));
    });

    it('lists them latest first, within a window [from, to)', async () => {
      const [mon, wed, nextMon, friCancelled] = mine;
      expect((await bookings.listByUser(user(300))).items).toEqual([nextMon, friCancelled, wed, mon]);
      const week = { from: '2026-03-02T06:00:00Z', to: '2026-03-09T06:00:00Z' };
      expect((await bookings.listByUser(user(300), week)).items).toEqual([friCancelled, wed, mon]);
    });

    it('counts the seats a user holds in a week, for the weekly booking limit', async () => {
      expect(await bookings.countActiveForUserBetween(user(300), at('2026-03-02T00:00:00Z'), at('2026-03-09T00:00:00Z'))).toBe(2);
      expect(await bookings.countActiveForUserBetween(user(300), at('2026-03-02T00:00:00Z'), at('2026-03-16T00:00:00Z'))).toBe(3);
      expect(await bookings.countActiveForUserBetween(user(300), at('2026-03-02T06:00:00.001Z'), at('2026-03-09T06:00:00Z'))).toBe(1);
    });

    it('refuses a reversed window and hostile values', async () => {
      await expect(bookings.countActiveForUserBetween(user(300), at('2026-03-09T00:00:00Z'), at('2026-03-02T00:00:00Z'))).rejects.toBeInstanceOf(ValidationError);
      await expect(bookings.countActiveForUserBetween(user(300), { $gt: 0 } as never, at('2026-03-02T00:00:00Z'))).rejects.toBeInstanceOf(ValidationError);
      await expect(bookings.listByUser(user(300), { from: { $gt: '' } } as never)).rejects.toBeInstanceOf(ValidationError);
      for (const id of HOSTILE_IDS) await expect(bookings.listByUser(id as UserId)).rejects.toBeInstanceOf(ValidationError);
    });

    it('serves the list from the userId_date index', async () => {
      const filter = { userId: new ObjectId(user(300)), date: { $gte: at('2026-03-02T00:00:00Z'), $lt: at('2026-03-09T00:00:00Z') } };
      expect(await indexesUsed(collection(), filter, { date: -1, _id: -1 })).toContain('userId_date');
    });
  });

  describe('status transitions', () => {
    let n = 400;
    const fresh = () => bookings.create(booking(klass(400), MONDAY, user(n++)));

    it('cancels a booked seat, dated now unless told otherwise', async () => {
      clock.set('2026-03-01T20:00:00Z');
      const cancelled = await bookings.markCancelled((await fresh()).id);
      expect(cancelled).toMatchObject({ status: 'cancelled', cancelledAt: new Date('2026-03-01T20:00:00Z'), version: 2 });
      const earlier = await bookings.markCancelled((await fresh()).id, { at: '2026-03-01T19:00:00Z' });
      expect(earlier.cancelledAt).toEqual(new Date('2026-03-01T19:00:00Z'));
    });

    it('records a cancellation after the cut-off as late, and only then', async () => {
      const late = await bookings.markCancelled((await fresh()).id, { late: true });
      expect(late).toMatchObject({ status: 'cancelled', lateCancellation: true });
      expect(await bookings.getById(late.id)).toEqual(late);
      const onTime = await bookings.markCancelled((await fresh()).id, { late: false });
      expect(onTime.lateCancellation).toBeUndefined();
    });

    it('checks a user in, and records a no-show', async () => {
      const attended = await bookings.markAttended((await fresh()).id, { at: T0 });
      expect(attended).toMatchObject({ status: 'attended', checkedInAt: T0, version: 2 });
      const missed = await bookings.markNoShow((await fresh()).id);
      expect(missed).toMatchObject({ status: 'no-show', version: 2 });
      expect(await bookings.getById(missed.id)).toEqual(missed);
    });

    it('refuses transitions out of a final status', async () => {
      const cancelled = await bookings.markCancelled((await fresh()).id);
      for (const change of [() => bookings.markAttended(cancelled.id), () => bookings.markNoShow(cancelled.id), () => bookings.markCancelled(cancelled.id)]) {
        const error = await change().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConflictError);
        expect(error).toMatchObject({ reason: 'invalid_transition' });
      }
      const attended = await bookings.markAttended((await fresh()).id);
      await expect(bookings.markNoShow(attended.id)).rejects.toBeInstanceOf(ConflictError);
      expect(await bookings.getById(cancelled.id)).toEqual(cancelled);
    });

    it('refuses a stale expectedVersion, and lets one of two concurrent transitions win', async () => {
      const created = await fresh();
      await bookings.patch(created.id, { notes: 'late' });
      await expect(bookings.markAttended(created.id, { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
      const raced = await fresh();
      const results = await Promise.allSettled([bookings.markAttended(raced.id), bookings.markCancelled(raced.id)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const loser = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason;
      expect(loser instanceof ConcurrencyError || loser instanceof ConflictError).toBe(true);
      expect((await bookings.getById(raced.id)).version).toBe(2);
    });

    it('answers NotFoundError for a missing booking and ValidationError for hostile input', async () => {
      await expect(bookings.markCancelled(MISSING_ID as ClassBookingId)).rejects.toBeInstanceOf(NotFoundError);
      const created = await fresh();
      await expect(bookings.markCancelled({ $ne: null } as unknown as ClassBookingId)).rejects.toBeInstanceOf(ValidationError);
      await expect(bookings.markAttended(created.id, { at: { $gt: 0 } } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(bookings.markNoShow(created.id, { expectedVersion: { $gte: 1 } } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(bookings.markCancelled(created.id, { reason: 'ill' } as never)).rejects.toBeInstanceOf(ValidationError);
      expect(await bookings.getById(created.id)).toEqual(created);
    });
  });

  it("runs in the caller's session: an aborted booking and cancellation leave nothing behind", async () => {
    const held = await bookings.create(booking(klass(500), MONDAY, user(1)));
    const session = mongo.client.startSession();
    try {
      session.startTransaction();
      const ctx = { mongo: session };
      await bookings.markCancelled(held.id, {}, ctx);
      await bookings.create(booking(klass(500), MONDAY, user(2)), ctx);
      expect(await bookings.countActiveForOccurrence(klass(500), MONDAY, ctx)).toBe(1);
      expect(await bookings.findActiveBooking(klass(500), MONDAY, user(2), ctx)).not.toBeNull();
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await bookings.getById(held.id)).toEqual(held);
    expect((await bookings.listByOccurrence(klass(500), MONDAY)).items).toEqual([held]);
  });
});

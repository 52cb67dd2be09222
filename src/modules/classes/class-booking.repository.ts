import type { Db } from 'mongodb';
import { z } from 'zod';
import type { ClassId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { assertTransition } from '../../core/status-transition.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, sessionOf, writeOptionsSchema, type RepositoryDeps, type SafeFilter, type WriteOptions } from '../../stores/mongo/mongo-repository.js';
import { timeRangeCondition, timeRangeSchema, type TimeRangeInput } from '../../stores/mongo/time-range.js';
import type { StoreContext } from '../../stores/store-context.js';
import {
  classBookingSchema,
  createClassBookingInputSchema,
  patchClassBookingInputSchema,
  PLACE_HOLDING_BOOKING_STATUSES,
  SEAT_HOLDING_BOOKING_STATUSES,
  bookingGuestSchema,
  type ClassBooking,
  type ClassBookingStatus,
} from './class-booking.schema.js';
import { CLASS_BOOKINGS_COLLECTION } from './class-booking.collection.js';

const definition = CLASS_BOOKINGS_COLLECTION;

const { classId: classIdSchema, userId: userIdSchema } = classBookingSchema.shape;

/** A transition that records when it happened (`at`, now by default). */
const timedTransitionSchema = writeOptionsSchema.extend({ at: instantSchema.optional() });
export type TimedTransitionOptions = z.input<typeof timedTransitionSchema>;

/** A cancellation: when, and whether it came after the cut-off (`late`, recorded as `lateCancellation`). */
const cancelOptionsSchema = timedTransitionSchema.extend({ late: z.boolean().optional() });
const promoteOptionsSchema = timedTransitionSchema.extend({ creditCharge: classBookingSchema.shape.creditCharge });
/** How a waitlist turn is promoted: when, at which version, and the credits the seat spent. */
export type PromoteBookingOptions = z.input<typeof promoteOptionsSchema>;
export type CancelBookingOptions = z.input<typeof cancelOptionsSchema>;

/** Only a booking that still holds its seat unused can be attended or missed. */
const FROM_BOOKED: readonly ClassBookingStatus[] = ['booked'];
/** A seat, or a turn on the waitlist, can be given up. */
const CANCELLABLE: readonly ClassBookingStatus[] = ['booked', 'waitlisted'];
const FROM_WAITLIST: readonly ClassBookingStatus[] = ['waitlisted'];
const HOLDS_SEAT = { holdsSeat: true } as const;
/** A member's own place (a guest booking is the guest's place, not the host's). */
const HOLDS_PLACE = { status: { $in: [...PLACE_HOLDING_BOOKING_STATUSES] }, guest: { $exists: false } } as const;

/**
 * The `class_bookings` collection. A booking is one user's seat in one occurrence of a class
 * (`date` is the occurrence's start). The unique partial index on (classId, date, userId)
 * over seat-holding bookings makes a second booking of the same occurrence by the same user
 * a `ConflictError('duplicate')`, while a cancelled booking leaves the seat free to book again.
 *
 * @example
 * ```ts
 * const bookings = new ClassBookingRepository(db, { clock: systemClock, ids: defaultIdGenerator })
 * if ((await bookings.countActiveForOccurrence(classId, start)) < capacity) await bookings.create({ classId, userId, date: start, bookedAt: new Date() })
 * ```
 */
export class ClassBookingRepository extends MongoRepository<ClassBooking, typeof createClassBookingInputSchema, typeof patchClassBookingInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'class booking',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: classBookingSchema,
        idSchema: classBookingSchema.shape.id,
        createSchema: createClassBookingInputSchema,
        patchSchema: patchClassBookingInputSchema,
        codec: createDocumentCodec<ClassBooking>(definition.storedSchema),
        derive: definition.derive,
        hiddenFields: definition.hiddenFields,
        archiveCollection: definition.archiveCollection,
      },
      deps,
    );
  }

  /**
   * The user's archived bookings (moved by `archiveOlderThan({ target: 'class_bookings' })`),
   * latest first. Exports read them.
   */
  async listArchivedByUser(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<ClassBooking>> {
    return this.pageArchivedWhere('listArchivedByUser', { userId: this.#user(userId) }, [['date', -1]], page, ctx);
  }

  /**
   * Removes the notes of the user's archived bookings (an erasure keeps the bookings, as it
   * does hot ones, without their personal text); returns the notes removed, for the audit
   * trail's redaction.
   */
  async clearArchivedNotesOfUser(userId: UserId, ctx?: StoreContext): Promise<string[]> {
    return this.run('clearArchivedNotesOfUser', async () => {
      const filter = { userId: this.#user(userId), notes: { $exists: true } };
      const notes = (await this.archiveStore().find(filter, { ...sessionOf(ctx), projection: { notes: 1 } }).toArray()).map((d) => String(d['notes']));
      if (notes.length > 0) await this.archiveStore().updateMany(filter, { $unset: { notes: '' } }, sessionOf(ctx));
      return notes;
    });
  }

  /**
   * Replaces the guest details of the user's guest bookings, hot and archived, by
   * `erasedName` (the email dropped): an erasure of the host keeps the bookings (a guest
   * booking stays one, so the seat rules still tell it apart). Returns how many bookings
   * changed and the names and emails removed, for the audit trail's redaction.
   */
  async eraseGuestsOfUser(userId: UserId, erasedName: string, ctx?: StoreContext): Promise<{ readonly bookings: number; readonly removed: string[] }> {
    return this.run('eraseGuestsOfUser', async () => {
      const name = this.parse(bookingGuestSchema.shape.name, erasedName);
      const filter = { userId: this.#user(userId), guest: { $exists: true }, 'guest.name': { $ne: name } };
      const removed: string[] = [];
      let changed = 0;
      for (const store of [this.collection, this.archiveStore()]) {
        const docs = await store.find(filter, { ...sessionOf(ctx), projection: { guest: 1 } }).toArray();
        for (const doc of docs) {
          const guest = doc['guest'] as { name: string; email?: string };
          removed.push(guest.name, ...(guest.email ? [guest.email] : []));
        }
        changed += docs.length;
        if (docs.length > 0) await store.updateMany(filter, { $set: { guest: { name }, updatedAt: this.deps.clock.now() }, $inc: { version: 1 } }, sessionOf(ctx));
      }
      return { bookings: changed, removed };
    });
  }

  /** The user's seat-holding (booked or attended) booking of the occurrence, or `null` (the unique seat index). */
  async findActiveBooking(classId: ClassId, occurrenceStart: Date, userId: UserId, ctx?: StoreContext): Promise<ClassBooking | null> {
    return this.run('findActiveBooking', async () => this.findOneWhere({ ...this.#occurrence(classId, occurrenceStart), userId: this.#user(userId), ...HOLDS_SEAT }, ctx));
  }

  /**
   * The user's place in the occurrence — a seat (booked or attended) or a turn on its
   * waitlist — or `null`.
   */
  async findPlace(classId: ClassId, occurrenceStart: Date, userId: UserId, ctx?: StoreContext): Promise<ClassBooking | null> {
    return this.run('findPlace', async () => this.findOneWhere({ ...this.#occurrence(classId, occurrenceStart), userId: this.#user(userId), ...HOLDS_PLACE }, ctx));
  }

  /**
   * The occurrence's waitlist in turn order (earliest `bookedAt` first, then id), at most
   * `limit` entries (index `classId_date_status`).
   */
  async listWaitlist(classId: ClassId, occurrenceStart: Date, limit = 20, ctx?: StoreContext): Promise<ClassBooking[]> {
    return this.run('listWaitlist', async () => {
      const bound = this.parse(z.number().int().min(1).max(1_000), limit);
      return this.findAllWhere({ ...this.#occurrence(classId, occurrenceStart), status: 'waitlisted' }, ctx, { sort: [['bookedAt', 1], ['_id', 1]], limit: bound });
    });
  }

  /** The seats taken in an occurrence: its booked and attended bookings (index `classId_date_status`). */
  async countActiveForOccurrence(classId: ClassId, occurrenceStart: Date, ctx?: StoreContext): Promise<number> {
    const query: SafeFilter = { ...this.#occurrence(classId, occurrenceStart), status: { $in: [...SEAT_HOLDING_BOOKING_STATUSES] } };
    return this.countWhere(query, ctx);
  }

  /** Every booking of an occurrence, whatever its status, in booking order (index `classId_date_status`). */
  async listByOccurrence(classId: ClassId, occurrenceStart: Date, page?: PageRequest, ctx?: StoreContext): Promise<Page<ClassBooking>> {
    return this.pageWhere('listByOccurrence', this.#occurrence(classId, occurrenceStart), [], page, ctx);
  }

  /** A user's bookings of occurrences starting in `[from, to)`, latest first (index `userId_date`). */
  async listByUser(userId: UserId, range: TimeRangeInput = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<ClassBooking>> {
    const dates = timeRangeCondition(this.parse(timeRangeSchema, range));
    return this.pageWhere('listByUser', { userId: this.#user(userId), ...(dates ? { date: dates } : {}) }, [['date', -1]], page, ctx);
  }

  /**
   * The places (seats and waitlist turns) a user holds in occurrences starting in
   * `[from, to)`: what a membership's weekly booking limit is checked against (index `userId_date`).
   */
  async countActiveForUserBetween(userId: UserId, from: Date, to: Date, ctx?: StoreContext): Promise<number> {
    const dates = timeRangeCondition(this.parse(timeRangeSchema, { from, to }));
    return this.countWhere({ userId: this.#user(userId), date: dates, ...HOLDS_PLACE }, ctx);
  }

  /**
   * Cancels a booked seat or a waitlist turn (`cancelledAt` = `at`, now by default;
   * `late: true` records `lateCancellation`), freeing it for anyone, the same user included.
   * `ConflictError('invalid_transition')` unless the booking is `booked` or `waitlisted`;
   * `ConcurrencyError` when it changed since it was read.
   */
  async markCancelled(id: ClassBooking['id'], options: CancelBookingOptions = {}, ctx?: StoreContext): Promise<ClassBooking> {
    const { late, ...timing } = this.parse(cancelOptionsSchema, options);
    return this.#transition('markCancelled', id, timing, CANCELLABLE, 'cancelled', (at) => ({ cancelledAt: at, ...(late ? { lateCancellation: true } : {}) }), ctx);
  }

  /**
   * Gives a waitlisted booking a freed seat (`promotedAt` = `at`, now by default); only from
   * `waitlisted`. `creditCharge` records the class-pack credits the seat spent.
   */
  async markPromoted(id: ClassBooking['id'], options: PromoteBookingOptions = {}, ctx?: StoreContext): Promise<ClassBooking> {
    const { creditCharge, ...timing } = this.parse(promoteOptionsSchema, options);
    return this.#transition('markPromoted', id, timing, FROM_WAITLIST, 'booked', (at) => ({ promotedAt: at, ...(creditCharge ? { creditCharge } : {}) }), ctx);
  }

  /** Checks the user in (`checkedInAt` = `at`, now by default); only from `booked`. */
  async markAttended(id: ClassBooking['id'], options: TimedTransitionOptions = {}, ctx?: StoreContext): Promise<ClassBooking> {
    return this.#transition('markAttended', id, options, FROM_BOOKED, 'attended', (at) => ({ checkedInAt: at }), ctx);
  }

  /** Records that the user did not come; only from `booked`. */
  async markNoShow(id: ClassBooking['id'], options: WriteOptions = {}, ctx?: StoreContext): Promise<ClassBooking> {
    return this.#transition('markNoShow', id, options, FROM_BOOKED, 'no-show', () => ({}), ctx);
  }

  async #transition(
    operation: string,
    id: ClassBooking['id'],
    options: TimedTransitionOptions,
    from: readonly ClassBookingStatus[],
    next: ClassBookingStatus,
    stamp: (at: Date) => Record<string, unknown>,
    ctx: StoreContext | undefined,
  ): Promise<ClassBooking> {
    return this.run(operation, async () => {
      const { at, expectedVersion } = this.parse(timedTransitionSchema, options);
      return this.modify(id, expectedVersion === undefined ? {} : { expectedVersion }, (current) => {
        assertTransition(this.config.entity, current.id, current.status, from, next);
        return { status: next, ...stamp(at ?? this.deps.clock.now()) };
      }, ctx);
    });
  }

  #occurrence(classId: ClassId, occurrenceStart: Date): SafeFilter {
    return {
      classId: this.config.codec.toStoredValue('classId', this.parse(classIdSchema, classId)),
      date: this.parse(instantSchema, occurrenceStart),
    };
  }

  #user(userId: UserId): unknown {
    return this.config.codec.toStoredValue('userId', this.parse(userIdSchema, userId));
  }
}

import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import { idSchema, type ClassBookingId, type ClassId, type FacilityId, type UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { instantSchema, isoWeekSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import type { DocumentLocks } from '../../stores/mongo/document-lock.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { ServiceDeps } from '../service-deps.js';
import { memberWeekKey, occurrenceSeatKey, occurrenceWaitlistKey, type BookingCounterRepository } from './booking-counter.repository.js';
import type { ClassBookingRepository } from './class-booking.repository.js';
import { bookingGuestSchema, classBookingSchema, holdsPlace, type ClassBooking, type ClassBookingStatus, type CreditCharge, type GuestPassCharge } from './class-booking.schema.js';
import type { ClassRepository } from './class.repository.js';
import type { FitnessClass } from './class.schema.js';
import type { TimeRangeInput } from '../../stores/mongo/time-range.js';
import { scheduledDurationMs } from './class.service.js';
import { BOOKING_OPENS_DAYS_MAX } from './class.schema.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { BookingStrikeRepository, BookingSuspensionRepository } from './booking-strike.repository.js';
import type { BookingStrike, BookingSuspension } from './booking-strike.schema.js';
import { BookingStrikes, type StruckBooking } from './booking-strikes.js';
import type { BookingFeeRepository } from './booking-fee.repository.js';
import type { BookingFee, BookingFeeKind } from './booking-fee.schema.js';
import { currencyCodeSchema } from '../../core/money.js';

/** Where strikes, suspensions and fees are kept, and the audit trail a lifted suspension is recorded in. */
export interface StrikeStores {
  readonly strikes: BookingStrikeRepository;
  readonly suspensions: BookingSuspensionRepository;
  readonly audit: AuditTrail;
  /** Where late-cancellation and no-show fees are recorded (absent: no fees, whatever the policy says). */
  readonly fees?: BookingFeeRepository | undefined;
}

/**
 * Charges a fee the booking service recorded, supplied by the composition root (payments live
 * in the billing module). Called once the unit that recorded the fee has committed; a fee it
 * cannot charge stays `pending` or `unpaid` for the nightly `collectUnpaidFees`.
 */
export type BookingFeeCharger = (fee: BookingFee) => Promise<unknown>;

/** Input of `liftSuspension`: the member, the facility, and why (kept with the suspension). */
export interface LiftSuspensionInput {
  readonly userId: UserId;
  readonly facilityId: FacilityId;
  readonly reason?: string | undefined;
}

const MINUTE = 60_000;

/**
 * The rules of bookings. Times in minutes; defaults: cancel freely until 2 hours before the
 * start (later is a *late* cancellation, still allowed until the start and recorded as such);
 * check in from 30 minutes before the start until 15 minutes after it. `waitlistSize` is how
 * many members may wait for a seat of a full occurrence (default 0: no waitlist).
 *
 * The booking window (each class may override it with its `bookingWindow`): booking opens
 * `bookingOpensDaysBefore` calendar days before an occurrence, at the same local time in the
 * facility's zone (absent: as soon as the occurrence is on the timetable), and closes
 * `bookingClosesMinutesBefore` minutes before its start (default 0: at the start).
 *
 * Strikes (see `BookingStrikes`): a no-show earns `strikesPerNoShow` strikes and a late
 * cancellation `strikesPerLateCancellation` (both default 0: no strikes); when a member's
 * strikes at a facility within `strikeWindowDays` (default 30) reach `strikeLimit` (absent:
 * never), booking there is suspended for `suspensionDays` (default 7).
 *
 * Fees (decision 56): a no-show costs `noShowFee` and a late cancellation `lateCancelFee`,
 * flat amounts in minor units of `feeCurrency` (defaults 0: no fee; `TRY`), charged through the
 * payment provider once the no-show or cancellation is recorded. A booking pays at most one fee.
 */
export interface BookingPolicy {
  readonly cancellationCutoffMinutes: number;
  readonly checkInOpensMinutesBefore: number;
  readonly checkInClosesMinutesAfter: number;
  readonly waitlistSize: number;
  readonly bookingOpensDaysBefore?: number | undefined;
  readonly bookingClosesMinutesBefore: number;
  readonly strikesPerNoShow: number;
  readonly strikesPerLateCancellation: number;
  readonly strikeLimit?: number | undefined;
  readonly strikeWindowDays: number;
  readonly suspensionDays: number;
  readonly noShowFee: number;
  readonly lateCancelFee: number;
  readonly feeCurrency: string;
}

export const DEFAULT_BOOKING_POLICY: BookingPolicy = {
  cancellationCutoffMinutes: 120,
  checkInOpensMinutesBefore: 30,
  checkInClosesMinutesAfter: 15,
  waitlistSize: 0,
  bookingClosesMinutesBefore: 0,
  strikesPerNoShow: 0,
  strikesPerLateCancellation: 0,
  strikeWindowDays: 30,
  suspensionDays: 7,
  noShowFee: 0,
  lateCancelFee: 0,
  feeCurrency: 'TRY',
};

const minutesSchema = z.number().int().min(0).max(7 * 24 * 60);
const policySchema = z.strictObject({
  cancellationCutoffMinutes: minutesSchema,
  checkInOpensMinutesBefore: minutesSchema,
  checkInClosesMinutesAfter: minutesSchema,
  waitlistSize: z.number().int().min(0).max(1_000),
  bookingOpensDaysBefore: z.number().int().min(0).max(BOOKING_OPENS_DAYS_MAX).optional(),
  bookingClosesMinutesBefore: minutesSchema,
  strikesPerNoShow: z.number().int().min(0).max(100),
  strikesPerLateCancellation: z.number().int().min(0).max(100),
  strikeLimit: z.number().int().min(1).max(1_000).optional(),
  strikeWindowDays: z.number().int().min(1).max(366),
  suspensionDays: z.number().int().min(1).max(366),
  noShowFee: z.number().int().min(0).max(1_000_000_00),
  lateCancelFee: z.number().int().min(0).max(1_000_000_00),
  feeCurrency: currencyCodeSchema,
});

const bookingIdSchema = classBookingSchema.shape.id;
const newBookingSchema = z.strictObject({
  classId: classBookingSchema.shape.classId,
  userId: classBookingSchema.shape.userId,
  occurrenceStart: instantSchema,
  creditCharge: classBookingSchema.shape.creditCharge,
});
/** The seat a booking takes: a user in the occurrence of a class starting at `occurrenceStart`. */
export type NewBookingInput = z.input<typeof newBookingSchema>;

const newGuestBookingSchema = z.strictObject({
  classId: classBookingSchema.shape.classId,
  userId: classBookingSchema.shape.userId.describe('The host: the member who brings the guest'),
  occurrenceStart: instantSchema,
  guest: bookingGuestSchema,
  guestPass: classBookingSchema.shape.guestPass.unwrap(),
});
/** The seat a guest booking takes: a guest of the member `userId` in the occurrence, paid with a guest pass of the member's membership. */
export type NewGuestBookingInput = z.input<typeof newGuestBookingSchema>;

const occurrenceSchema = z.strictObject({ classId: classBookingSchema.shape.classId, occurrenceStart: instantSchema });
const seatClaimSchema = occurrenceSchema.extend({ capacity: z.number().int().min(0).max(10_000) });
const memberWeekSchema = z.strictObject({ userId: classBookingSchema.shape.userId, facilityId: idSchema('FacilityId'), isoWeek: isoWeekSchema });
const memberWindowSchema = z.strictObject({
  userId: classBookingSchema.shape.userId,
  facilityIds: z.array(idSchema('FacilityId')).min(1).max(51),
  from: instantSchema,
  to: instantSchema,
});

/**
 * How seats are paid in class-pack credits, supplied by the composition root (the credits
 * live in the memberships module). Both run inside the unit that changes the booking.
 */
export interface BookingCredits {
  /**
   * Spends the credits of a waitlist turn about to be promoted to a seat: the charge, `null`
   * when the member does not book with credits, `'skip'` when they have none left (the turn
   * is closed and the next one served).
   */
  chargePromotion(turn: ClassBooking, uow: UnitOfWork): Promise<CreditCharge | null | 'skip'>;
  /** Gives the credits of a seat cancelled before the cut-off back. */
  refund(charge: CreditCharge, uow: UnitOfWork): Promise<void>;
  /** Gives the guest pass of a guest booking cancelled before the cut-off back to the host's membership. */
  returnGuestPass(pass: GuestPassCharge, uow: UnitOfWork): Promise<void>;
}

/** A member's booking with the class it is for (`null` once the class was deleted). */
export interface MemberBooking {
  readonly booking: ClassBooking;
  readonly class: FitnessClass | null;
}

/** Bookings of a week looked at when counting one member's: far more than any weekly limit. */
const WEEK_SCAN_LIMIT = 200;

/**
 * Class bookings inside the classes module: seats (the occurrence's seat counter), recording
 * a booking, cancellation with a cut-off, check-in window and no-shows. Booking *with* the
 * membership rules is the `bookClassOccurrence` workflow, which composes this service with
 * the memberships module.
 *
 * Capacity rule: the seats of an occurrence are a counter document claimed by one
 * conditional update (`taken < capacity`), never by counting bookings then inserting —
 * which two concurrent units would both pass. A cancellation gives the seat back in the same
 * unit as the status change; an attended or missed booking keeps it.
 *
 * @example
 * ```ts
 * const bookings = new BookingService(classRepository, bookingRepository, counterRepository, locks, deps, {}, { strikes, suspensions, audit })
 * const cancelled = await bookings.cancelBooking(bookingId, { by: userId })
 * if (cancelled.lateCancellation) notifyStaff()
 * ```
 */
export class BookingService {
  readonly #classes: ClassRepository;
  readonly #bookings: ClassBookingRepository;
  readonly #counters: BookingCounterRepository;
  readonly #locks: DocumentLocks;
  readonly #deps: ServiceDeps;
  readonly #credits: BookingCredits | undefined;
  readonly #strikes: BookingStrikes;
  readonly #fees: BookingFeeRepository | undefined;
  readonly #chargeFee: BookingFeeCharger | undefined;
  readonly policy: BookingPolicy;

  constructor(
    classes: ClassRepository,
    bookings: ClassBookingRepository,
    counters: BookingCounterRepository,
    locks: DocumentLocks,
    deps: ServiceDeps,
    policy: Partial<BookingPolicy>,
    strikeStores: StrikeStores,
    credits?: BookingCredits,
    chargeFee?: BookingFeeCharger,
  ) {
    this.#credits = credits;
    this.#fees = strikeStores.fees;
    this.#chargeFee = chargeFee;
    this.#classes = classes;
    this.#bookings = bookings;
    this.#counters = counters;
    this.#locks = locks;
    this.#deps = deps;
    this.policy = this.#parse(policySchema, { ...DEFAULT_BOOKING_POLICY, ...policy });
    this.#strikes = new BookingStrikes(strikeStores.strikes, strikeStores.suspensions, locks, strikeStores.audit, deps, this.policy);
  }

  /** The member's booking suspension at the facility in force now, or `null`. */
  async findActiveSuspension(userId: UserId, facilityId: FacilityId, uow?: UnitOfWork): Promise<BookingSuspension | null> {
    return this.#strikes.findActiveSuspension(userId, facilityId, uow);
  }

  /** Refuses with `ConflictError('booking_suspended')` (`details.until`) while the member's booking at the facility is suspended. */
  async assertNotSuspended(userId: UserId, facilityId: FacilityId, uow?: UnitOfWork): Promise<void> {
    return this.#strikes.assertNotSuspended(userId, facilityId, uow);
  }

  /** The member's strikes, oldest first, a page at a time. */
  async listMemberStrikes(userId: UserId, page?: PageRequest, uow?: UnitOfWork): Promise<Page<BookingStrike>> {
    return this.#strikes.listStrikes(userId, page, uow);
  }

  /**
   * Staff lift a member's booking suspension at a facility before it ends, with an audit row.
   * `ConflictError('invalid_transition')` when none is in force.
   *
   * @example
   * ```ts
   * await asManager.bookings.liftSuspension({ userId, facilityId, reason: 'Doctor\'s note' })
   * ```
   */
  async liftSuspension(input: LiftSuspensionInput, uow?: UnitOfWork): Promise<BookingSuspension> {
    return this.#strikes.liftSuspension(input, uow);
  }

  /**
   * Takes one seat of the occurrence if fewer than `capacity` are taken, or throws
   * `ConflictError('class_full')`. With `uow` the claim is part of that unit (undone with
   * it); without, it is committed at once and the caller must {@link releaseSeat} if its
   * booking is not recorded (the workflow's compensation).
   */
  async reserveSeat(classId: ClassId, occurrenceStart: Date, capacity: number, uow?: UnitOfWork): Promise<void> {
    const q = this.#parse(seatClaimSchema, { classId, occurrenceStart, capacity });
    if (await this.#counters.claim(occurrenceSeatKey(q.classId, q.occurrenceStart), q.capacity, uow?.ctx)) return;
    throw new ConflictError('class_full', `Class ${q.classId} is full at ${q.occurrenceStart.toISOString()}`, {
      details: { classId: q.classId, occurrence: q.occurrenceStart.toISOString(), capacity: q.capacity },
    });
  }

  /** Gives a seat of the occurrence back (never below zero). */
  async releaseSeat(classId: ClassId, occurrenceStart: Date, uow?: UnitOfWork): Promise<void> {
    const q = this.#parse(occurrenceSchema, { classId, occurrenceStart });
    await this.#counters.release(occurrenceSeatKey(q.classId, q.occurrenceStart), uow?.ctx);
  }

  /**
   * Takes one turn on the occurrence's waitlist if fewer than the policy's `waitlistSize` are
   * taken, or throws `ConflictError('waitlist_full')` (also when the policy has no waitlist).
   * Claimed like a seat: on its own unless `uow` is given; {@link releaseWaitlistTurn} undoes it.
   */
  async reserveWaitlistTurn(classId: ClassId, occurrenceStart: Date, uow?: UnitOfWork): Promise<void> {
    const q = this.#parse(occurrenceSchema, { classId, occurrenceStart });
    if (await this.#counters.claim(occurrenceWaitlistKey(q.classId, q.occurrenceStart), this.policy.waitlistSize, uow?.ctx)) return;
    throw new ConflictError('waitlist_full', `The waitlist of class ${q.classId} at ${q.occurrenceStart.toISOString()} is full`, {
      details: { classId: q.classId, occurrence: q.occurrenceStart.toISOString(), waitlistSize: this.policy.waitlistSize },
    });
  }

  /** Gives a waitlist turn of the occurrence back (never below zero). */
  async releaseWaitlistTurn(classId: ClassId, occurrenceStart: Date, uow?: UnitOfWork): Promise<void> {
    const q = this.#parse(occurrenceSchema, { classId, occurrenceStart });
    await this.#counters.release(occurrenceWaitlistKey(q.classId, q.occurrenceStart), uow?.ctx);
  }

  /** The seats taken in the occurrence (booked and attended bookings, by the seat counter). */
  async seatsTaken(classId: ClassId, occurrenceStart: Date, uow?: UnitOfWork): Promise<number> {
    const q = this.#parse(occurrenceSchema, { classId, occurrenceStart });
    return this.#counters.taken(occurrenceSeatKey(q.classId, q.occurrenceStart), uow?.ctx);
  }

  /**
   * Records a booking of a seat already reserved and emits `booking.created`, in `uow`.
   * `ConflictError('already_booked')` when the user already holds a seat in the occurrence
   * (the unique partial index on class, occurrence and user decides under concurrency).
   */
  async recordBooking(input: NewBookingInput, uow: UnitOfWork): Promise<ClassBooking> {
    const booking = await this.#record(input, 'booked', uow);
    await uow.emit('booking.created', { bookingId: booking.id, classId: booking.classId, userId: booking.userId, occurrence: booking.date.toISOString() });
    return booking;
  }

  /**
   * Records a turn on the occurrence's waitlist, already reserved with
   * {@link reserveWaitlistTurn}, and emits `booking.waitlisted`, in `uow`. Turns are served
   * in `bookedAt` order when seats are freed (see {@link cancelBooking}).
   * `ConflictError('already_booked')` when the user already has a seat or a turn.
   */
  async recordWaitlistTurn(input: NewBookingInput, uow: UnitOfWork): Promise<ClassBooking> {
    const booking = await this.#record(input, 'waitlisted', uow);
    await uow.emit('booking.waitlisted', { bookingId: booking.id, classId: booking.classId, userId: booking.userId, occurrence: booking.date.toISOString() });
    return booking;
  }

  /**
   * Records a guest booking of a seat already reserved, in `uow`, and emits `booking.created`
   * (with `guest: true`). The host may hold a seat of the occurrence too, and bring several
   * guests: a guest booking is outside the one-seat-per-member rule.
   */
  async recordGuestBooking(input: NewGuestBookingInput, uow: UnitOfWork): Promise<ClassBooking> {
    const b = this.#parse(newGuestBookingSchema, input);
    const booking = await this.#bookings.create(
      { classId: b.classId, userId: b.userId, date: b.occurrenceStart, status: 'booked', bookedAt: this.#deps.clock.now(), guest: b.guest, guestPass: b.guestPass },
      uow.ctx,
    );
    await uow.emit('booking.created', { bookingId: booking.id, classId: booking.classId, userId: booking.userId, occurrence: booking.date.toISOString(), guest: true });
    return booking;
  }

  async #record(input: NewBookingInput, status: Extract<ClassBookingStatus, 'booked' | 'waitlisted'>, uow: UnitOfWork): Promise<ClassBooking> {
    const b = this.#parse(newBookingSchema, input);
    await this.assertNotBooked(b.classId, b.occurrenceStart, b.userId, uow);
    try {
      const charge = b.creditCharge ? { creditCharge: b.creditCharge } : {};
      return await this.#bookings.create({ classId: b.classId, userId: b.userId, date: b.occurrenceStart, status, bookedAt: this.#deps.clock.now(), ...charge }, uow.ctx);
    } catch (error) {
      if (error instanceof ConflictError && error.reason === 'duplicate') throw alreadyBooked(b.classId, b.occurrenceStart, { cause: error });
      throw error;
    }
  }

  /**
   * Refuses early (before any seat is claimed) when the user already has a place in the
   * occurrence: a seat, or a turn on its waitlist.
   */
  async assertNotBooked(classId: ClassId, occurrenceStart: Date, userId: UserId, uow?: UnitOfWork): Promise<void> {
    const b = this.#parse(newBookingSchema, { classId, userId, occurrenceStart });
    const place = await this.#bookings.findPlace(b.classId, b.occurrenceStart, b.userId, uow?.ctx);
    if (place) throw alreadyBooked(b.classId, b.occurrenceStart, { status: place.status });
  }

  /**
   * The places (seats and waitlist turns) `userId` holds in classes of `facilityId` whose
   * occurrences start in `[from, to)`: what a membership's weekly booking limit is checked
   * against — a waitlist turn counts, so its promotion can never exceed the limit. Call
   * {@link lockMemberWeek} first in the same unit so concurrent bookings of the member count
   * each other.
   */
  async countMemberBookingsAtFacility(userId: UserId, facilityId: FacilityId, from: Date, to: Date, uow?: UnitOfWork): Promise<number> {
    return this.countMemberBookingsAtFacilities(userId, [facilityId], from, to, uow);
  }

  /**
   * {@link countMemberBookingsAtFacility} over several facilities: the places a multi-location
   * membership's weekly limit is checked against (its facilities share one limit).
   */
  async countMemberBookingsAtFacilities(userId: UserId, facilityIds: readonly FacilityId[], from: Date, to: Date, uow?: UnitOfWork): Promise<number> {
    const w = this.#parse(memberWindowSchema, { userId, facilityIds, from, to });
    const { items } = await this.#bookings.listByUser(w.userId, { from: w.from, to: w.to }, { limit: WEEK_SCAN_LIMIT }, uow?.ctx);
    // A guest booking is the guest's place, not the member's: it does not count.
    const holding = items.filter((b) => holdsPlace(b.status) && !b.guest);
    if (holding.length === 0) return 0;
    const classes = await this.#classes.findManyByIds([...new Set(holding.map((b) => b.classId))], uow?.ctx);
    const facilities = new Set<string>(w.facilityIds);
    const atFacility = new Set(classes.filter((c) => facilities.has(c.facilityId)).map((c) => c.id as string));
    return holding.filter((b) => atFacility.has(b.classId)).length;
  }

  /** Serialises the member's bookings at the facility in the ISO week `isoWeek` (e.g. `2026-W10`) within `uow`. */
  async lockMemberWeek(userId: UserId, facilityId: FacilityId, isoWeek: string, uow: UnitOfWork): Promise<void> {
    const w = this.#parse(memberWeekSchema, { userId, facilityId, isoWeek });
    await this.#locks.lock(memberWeekKey(w.userId, w.facilityId, w.isoWeek), uow.ctx);
  }

  /** The booking; `NotFoundError` when there is none. */
  async getBooking(id: ClassBookingId, uow?: UnitOfWork): Promise<ClassBooking> {
    return this.#bookings.getById(this.#parse(bookingIdSchema, id), uow?.ctx);
  }

  /**
   * One member's bookings (every status: booked, waitlisted, attended, missed, cancelled),
   * each with its class, newest occurrence first, a page at a time; `range` bounds the
   * occurrence start. The class is `null` when it was deleted since. Through a scope, a
   * member lists only their own ("my bookings").
   *
   * @example
   * ```ts
   * const { items } = await asMember.bookings.listMemberBookings(memberId, { from: '2026-03-01' }, { limit: 20 });
   * items.map(({ booking, class: c }) => `${c?.name ?? 'deleted class'} ${booking.occurrenceStart.toISOString()} ${booking.status}`);
   * ```
   */
  async listMemberBookings(userId: UserId, range: TimeRangeInput = {}, page?: PageRequest, uow?: UnitOfWork): Promise<Page<MemberBooking>> {
    const id = this.#parse(classBookingSchema.shape.userId, userId);
    const { items, nextCursor } = await this.#bookings.listByUser(id, range, page, uow?.ctx);
    const classes = await this.#classes.findManyByIds([...new Set(items.map((b) => b.classId))], uow?.ctx);
    const byId = new Map(classes.map((c) => [c.id as string, c]));
    return { items: items.map((booking) => ({ booking, class: byId.get(booking.classId) ?? null })), nextCursor };
  }

  /** Every booking of an occurrence, whatever its status, in booking order (keyset pages). */
  async listOccurrenceBookings(classId: ClassId, occurrenceStart: Date, page?: PageRequest, uow?: UnitOfWork): Promise<Page<ClassBooking>> {
    return this.#bookings.listByOccurrence(classId, occurrenceStart, page, uow?.ctx);
  }

  /**
   * Cancels a booked seat, in one unit; emits `booking.cancelled`. The seat goes to the first
   * member on the occurrence's waitlist (promoted to `booked`, `booking.promoted` emitted, in
   * the same unit) or, with nobody waiting, back to the occurrence. Allowed until the
   * occurrence starts (`ConflictError('class_started')` after). Within
   * `cancellationCutoffMinutes` of the start it is a late cancellation: still cancelled,
   * recorded with `lateCancellation: true` and `late` in the event, so host apps can apply
   * their fee or strike policy. A seat cancelled before the cut-off gets back the class-pack
   * credits or the guest pass it spent. A waitlist turn can be given up the same way (never late).
   * `ConflictError('invalid_transition')` unless `booked` or `waitlisted`.
   */
  async cancelBooking(id: ClassBookingId, uow?: UnitOfWork): Promise<ClassBooking> {
    const bookingId = this.#parse(bookingIdSchema, id);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const booking = await this.#bookings.getById(bookingId, u.ctx);
      const now = this.#deps.clock.now();
      if (booking.status === 'booked' && now.getTime() >= booking.date.getTime()) {
        throw new ConflictError('class_started', `Booking ${bookingId} can no longer be cancelled: its class has started`, { details: { bookingId } });
      }
      const seat = booking.status === 'booked';
      const late = seat && now.getTime() > booking.date.getTime() - this.policy.cancellationCutoffMinutes * MINUTE;
      const cancelled = await this.#bookings.markCancelled(bookingId, { at: now, late, expectedVersion: booking.version }, u.ctx);
      if (seat && !late && booking.creditCharge && this.#credits) await this.#credits.refund(booking.creditCharge, u);
      if (seat && !late && booking.guestPass && this.#credits) await this.#credits.returnGuestPass(booking.guestPass, u);
      if (seat) {
        if (!(await this.#promoteFromWaitlist(cancelled.classId, cancelled.date, now, u))) {
          await this.#counters.release(occurrenceSeatKey(cancelled.classId, cancelled.date), u.ctx);
        }
      } else if (booking.status === 'waitlisted') {
        await this.#counters.release(occurrenceWaitlistKey(cancelled.classId, cancelled.date), u.ctx);
      }
      if (late && (this.policy.strikesPerLateCancellation > 0 || this.policy.lateCancelFee > 0)) {
        const { facilityId } = await this.#classes.getById(cancelled.classId, u.ctx);
        const struck = { bookingId: cancelled.id, userId: cancelled.userId, facilityId };
        if (this.policy.strikesPerLateCancellation > 0) await this.#strikes.recordStrike(struck, 'late_cancellation', u);
        await this.#assessFee(struck, 'late_cancellation', u);
      }
      await u.emit('booking.cancelled', { bookingId: cancelled.id, late });
      return cancelled;
    });
  }

  /**
   * Hands a freed seat to the first waitlisted member who holds no seat of the occurrence
   * yet; a turn whose member already got a seat another way is closed instead. `false` when
   * nobody was waiting (the caller then gives the seat back).
   */
  async #promoteFromWaitlist(classId: ClassId, occurrenceStart: Date, now: Date, u: UnitOfWork): Promise<boolean> {
    for (;;) {
      const waiting = await this.#bookings.listWaitlist(classId, occurrenceStart, 20, u.ctx);
      if (waiting.length === 0) return false;
      for (const turn of waiting) {
        await this.#counters.release(occurrenceWaitlistKey(classId, occurrenceStart), u.ctx);
        if (await this.#bookings.findActiveBooking(classId, occurrenceStart, turn.userId, u.ctx)) {
          await this.#bookings.markCancelled(turn.id, { at: now, expectedVersion: turn.version }, u.ctx);
          continue;
        }
        const charge = this.#credits ? await this.#credits.chargePromotion(turn, u) : null;
        if (charge === 'skip') {
          await this.#bookings.markCancelled(turn.id, { at: now, expectedVersion: turn.version }, u.ctx);
          continue;
        }
        const promoted = await this.#bookings.markPromoted(turn.id, { at: now, expectedVersion: turn.version, ...(charge ? { creditCharge: charge } : {}) }, u.ctx);
        await u.emit('booking.promoted', { bookingId: promoted.id, classId: promoted.classId, userId: promoted.userId, occurrence: promoted.date.toISOString() });
        return true;
      }
    }
  }

  /**
   * Checks the member in: only a `booked` booking, only from `checkInOpensMinutesBefore`
   * before the start to `checkInClosesMinutesAfter` after it
   * (`ConflictError('check_in_closed')` otherwise). Emits `booking.attended`.
   */
  async checkIn(id: ClassBookingId, uow?: UnitOfWork): Promise<ClassBooking> {
    const bookingId = this.#parse(bookingIdSchema, id);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const booking = await this.#bookings.getById(bookingId, u.ctx);
      const now = this.#deps.clock.now().getTime();
      const opens = booking.date.getTime() - this.policy.checkInOpensMinutesBefore * MINUTE;
      const closes = booking.date.getTime() + this.policy.checkInClosesMinutesAfter * MINUTE;
      if (booking.status === 'booked' && (now < opens || now > closes)) {
        throw new ConflictError('check_in_closed', `Check-in for booking ${bookingId} is open from ${new Date(opens).toISOString()} to ${new Date(closes).toISOString()}`, {
          details: { bookingId, opensAt: new Date(opens).toISOString(), closesAt: new Date(closes).toISOString() },
        });
      }
      const attended = await this.#bookings.markAttended(bookingId, { at: new Date(now), expectedVersion: booking.version }, u.ctx);
      await u.emit('booking.attended', { bookingId: attended.id });
      return attended;
    });
  }

  /**
   * After an occurrence has ended, marks every booking still `booked` as a no-show, in one
   * unit; returns them. `ConflictError('class_not_over')` before the occurrence's end. The
   * seats stay taken: a no-show occupied its place. Turns still on the waitlist are closed
   * (cancelled), so they stop counting toward the members' weekly limits.
   */
  async markNoShows(classId: ClassId, occurrenceStart: Date, uow?: UnitOfWork): Promise<ClassBooking[]> {
    const q = this.#parse(occurrenceSchema, { classId, occurrenceStart });
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const fitnessClass = await this.#classes.getById(q.classId, u.ctx);
      const end = q.occurrenceStart.getTime() + scheduledDurationMs(fitnessClass);
      if (this.#deps.clock.now().getTime() < end) {
        throw new ConflictError('class_not_over', `Class ${q.classId} at ${q.occurrenceStart.toISOString()} has not ended yet`, { details: { classId: q.classId, endsAt: new Date(end).toISOString() } });
      }
      const missed: ClassBooking[] = [];
      let after: string | undefined;
      do {
        const page = await this.#bookings.listByOccurrence(q.classId, q.occurrenceStart, { limit: 200, ...(after ? { after } : {}) }, u.ctx);
        for (const b of page.items) {
          if (b.status === 'booked') {
            missed.push(await this.#bookings.markNoShow(b.id, { expectedVersion: b.version }, u.ctx));
            await this.#strikes.recordStrike({ bookingId: b.id, userId: b.userId, facilityId: fitnessClass.facilityId }, 'no_show', u);
            await this.#assessFee({ bookingId: b.id, userId: b.userId, facilityId: fitnessClass.facilityId }, 'no_show', u);
          }
          else if (b.status === 'waitlisted') await this.#bookings.markCancelled(b.id, { expectedVersion: b.version }, u.ctx);
        }
        after = page.nextCursor ?? undefined;
      } while (after);
      return missed;
    });
  }

  /**
   * Records the fee `kind` costs under the policy (none when it costs 0) in `uow`, and charges
   * it once the unit has committed. One fee per booking: a booking that already has one (its
   * late cancellation, say) gets no second.
   */
  async #assessFee(booking: StruckBooking, kind: BookingFeeKind, u: UnitOfWork): Promise<void> {
    const amount = kind === 'no_show' ? this.policy.noShowFee : this.policy.lateCancelFee;
    if (amount === 0 || !this.#fees) return;
    if (await this.#fees.findByBooking(booking.bookingId, u.ctx)) return;
    const fee = await this.#fees.create({ ...booking, kind, amount, currency: this.policy.feeCurrency, status: 'pending', attempts: 0 }, u.ctx);
    await u.emit('booking.fee_assessed', { bookingId: fee.bookingId, feeId: fee.id, userId: fee.userId, kind, amount, currency: fee.currency });
    const charge = this.#chargeFee;
    if (charge) u.afterCommit(async () => void (await charge(fee)));
  }

  /** The fee of a booking (late cancellation or no-show), or `null`. */
  async findBookingFee(id: ClassBookingId, uow?: UnitOfWork): Promise<BookingFee | null> {
    const bookingId = this.#parse(bookingIdSchema, id);
    return this.#fees ? this.#fees.findByBooking(bookingId, uow?.ctx) : null;
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: 'class booking', ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}

function alreadyBooked(classId: string, occurrenceStart: Date, options: { cause?: unknown; status?: ClassBookingStatus } = {}): ConflictError {
  const { status, ...rest } = options;
  const place = status === 'waitlisted' ? 'a turn on the waitlist of' : 'a seat in';
  return new ConflictError('already_booked', `The user already holds ${place} class ${classId} at ${occurrenceStart.toISOString()}`, {
    ...rest,
    details: { classId, occurrence: occurrenceStart.toISOString(), ...(status ? { status } : {}) },
  });
}

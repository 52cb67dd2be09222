import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import type { FacilityId, MembershipId, UserId } from '../../core/ids.js';
import { idSchema } from '../../core/ids.js';
import { isoWeekOf } from '../../core/iso-week.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import type { BookingService } from '../../modules/classes/index.js';
import type { ClassBooking } from '../../modules/classes/index.js';
import type { ClassService } from '../../modules/classes/index.js';
import type { WaiverService } from '../../modules/facilities/index.js';
import type { ServiceDeps } from '../../modules/service-deps.js';
import type { StoreContext } from '../../stores/store-context.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { createStep, runWorkflow, stepResponse } from '../workflow.js';
import { spendCreditsForSeat, type ClassCreditLedger } from './class-credits.js';
import { assertInsideBookingWindow } from './booking-window.js';
import { assertMembershipInGoodStanding, uncoveredMembershipError, type MembershipStandingSubject, type OverdueMembershipSource } from '../membership-standing/membership-standing.js';

/** What the workflow reads of a facility: its IANA time zone. `FacilityRepository` fits. */
export interface FacilityTimeZoneSource {
  getById(id: FacilityId, ctx?: StoreContext): Promise<{ readonly timezone: string }>;
}

/** What the workflow reads of the memberships module. `MemberSubscriptionRepository` and `MembershipRepository` fit. */
export interface MembershipSource extends OverdueMembershipSource {
  findActiveForUserAtFacility(
    userId: UserId,
    facilityId: FacilityId,
    at: Date,
    ctx?: StoreContext,
  ): Promise<
    | (MembershipStandingSubject & {
        readonly membershipId: MembershipId;
        readonly facilityId: FacilityId;
        readonly validAtFacilityIds?: readonly FacilityId[] | undefined;
        readonly credits?: { readonly remaining: number } | undefined;
      })
    | null
  >;
}
export interface MembershipPlanSource {
  getById(
    id: MembershipId,
    ctx?: StoreContext,
  ): Promise<{ readonly limitations: { readonly classesIncluded: boolean; readonly maxClassBookingsPerWeek?: number | undefined; readonly earlyBookingDays?: number | undefined } }>;
}

/**
 * Attempts for the unit that records a booking: a member's racing bookings write the same
 * member-week lock, abort each other with write conflicts and re-run; each round commits one.
 */
export const BOOKING_ATTEMPTS = 25;

export interface BookClassDeps {
  readonly classes: ClassService;
  readonly bookings: BookingService;
  readonly facilities: FacilityTimeZoneSource;
  readonly subscriptions: MembershipSource;
  readonly plans: MembershipPlanSource;
  readonly deps: ServiceDeps;
  /** Spends class-pack credits for seats (see `spendCreditsForSeat`); without it, packs are not charged. */
  readonly credits?: ClassCreditLedger | undefined;
  /** Refuses members who have not signed the facility's current waiver (`waiver_required`); without it, waivers are not checked. */
  readonly waivers?: Pick<WaiverService, 'assertCleared'> | undefined;
  /** Confirms, inside the booking's unit, that a guardian acting for the member still holds an active link (see `AccountLinkService.holdGuardianship`). */
  readonly guardianship?: { holdGuardianship(userId: string, uow: UnitOfWork): Promise<void> } | undefined;
}

const bookClassInputSchema = z.strictObject({
  classId: idSchema('ClassId'),
  userId: idSchema('UserId'),
  occurrenceStart: instantSchema.describe('Start instant of the occurrence to book'),
  joinWaitlistIfFull: z.boolean().default(false).describe("Take a turn on the occurrence's waitlist when no seat is free"),
});
/**
 * Input of `nexfit.workflows.bookClass`: the class, the member, the occurrence's start, and whether to wait for a seat.
 *
 * @useDeclaredType
 */
export type BookClassInput = z.input<typeof bookClassInputSchema>;

/**
 * Books a member into one occurrence of a class (spans classes + memberships + the
 * facility's time zone). Rules, in order:
 * 1. the class exists and is active (`ConflictError('class_inactive')`);
 * 2. `occurrenceStart` is a real occurrence of it in the facility's zone
 *    (`NotFoundError('class occurrence')`) that has not started (`ConflictError('class_started')`);
 * 3. the member has an active subscription valid at the class's facility (held there, or a
 *    multi-location plan listing it) whose period covers the occurrence (`ConflictError('membership_required')`; `ConflictError('membership_overdue')` when its renewal was declined), on a plan with `classesIncluded`
 *    (`ConflictError('classes_not_included')`) — seed: `memberships.limitations`;
 * 3a. the booking is made inside the occurrence's booking window
 *    (`ConflictError('outside_booking_window')`, see {@link assertInsideBookingWindow});
 * 3b. the member's booking at the facility is not suspended for strikes
 *    (`ConflictError('booking_suspended')`, `details.until`);
 * 3c. the member signed the facility's current waiver, if it has one
 *    (`ConflictError('waiver_required')`, `details.waiverId` and `details.version`);
 * 4. the member holds no seat in the occurrence yet (`ConflictError('already_booked')`);
 * 5. a seat is free (`ConflictError('class_full')`) — or, with `joinWaitlistIfFull` and a
 *    booking policy with a `waitlistSize`, a turn on the waitlist is free
 *    (`ConflictError('waitlist_full')`): the booking is then recorded as `waitlisted` and
 *    promoted to `booked` when a seat is cancelled (see `BookingService.cancelBooking`);
 * 6. the member's places (seats and waitlist turns) at the subscription's facilities in the occurrence's ISO
 *    week (in the facility's zone) are fewer than the plan's `maxClassBookingsPerWeek`
 *    (`ConflictError('weekly_limit_reached')`; absent = unlimited);
 * 7. on a class pack, a seat spends the class's `creditCost` in the booking's unit
 *    (`ConflictError('no_credits')`, `ConflictError('credits_expired')`); a waitlist turn
 *    spends nothing until it is promoted.
 *
 * Concurrency: the seat is claimed by one conditional update of the occurrence's seat counter
 * (never overbooked, however many race). Without a caller's unit the claim commits on its
 * own — so 200 racing bookings do not all abort on one hot document inside transactions —
 * and is released as the step's compensation if the unit that records the booking fails.
 * With a caller's `uow` everything, the claim included, is part of that unit. Rule 6 locks a
 * per-member-week document in the unit, so a member's concurrent bookings count each other.
 * Emits `booking.created` (or `booking.waitlisted`).
 *
 * @example
 * ```ts
 * const booking = await bookClassOccurrence({ classes, bookings, facilities, subscriptions, plans, deps }, { classId, userId, occurrenceStart: new Date('2026-03-02T06:00:00Z') })
 * ```
 */
export async function bookClassOccurrence(d: BookClassDeps, input: BookClassInput, uow?: UnitOfWork): Promise<ClassBooking> {
  const { classId, userId, occurrenceStart, joinWaitlistIfFull } = parseOrThrow(bookClassInputSchema, input, { entity: 'class booking', ...(d.deps.locale ? { locale: d.deps.locale } : {}) });
  const { fitnessClass, timezone, occurrence, subscription, limitations } = await resolveBookableOccurrence(d, { classId, userId, occurrenceStart }, uow);
  await d.bookings.assertNotBooked(classId, occurrence.start, userId, uow);

  const week = isoWeekOf(occurrence.start, timezone);
  const weeklyLimit = limitations.maxClassBookingsPerWeek;
  const record = (status: 'booked' | 'waitlisted') => async (u: UnitOfWork) => {
    await d.guardianship?.holdGuardianship(userId, u);
    if (weeklyLimit !== undefined) {
      // The limit is the subscription's: a multi-location one shares it across its facilities.
      await d.bookings.lockMemberWeek(userId, subscription.facilityId, week.label, u);
      const booked = await d.bookings.countMemberBookingsAtFacilities(userId, [subscription.facilityId, ...(subscription.validAtFacilityIds ?? [])], week.from, week.to, u);
      if (booked >= weeklyLimit) {
        throw new ConflictError('weekly_limit_reached', `User ${userId} has used all ${weeklyLimit} class bookings of ${week.label}`, {
          details: { userId, week: week.label, limit: weeklyLimit },
        });
      }
    }
    const creditCharge = status === 'booked' && d.credits ? await spendCreditsForSeat(d.credits, subscription, fitnessClass, { start: occurrence.start, timeZone: timezone }, u) : undefined;
    const place = { classId, userId, occurrenceStart: occurrence.start, ...(creditCharge ? { creditCharge } : {}) };
    return status === 'booked' ? d.bookings.recordBooking(place, u) : d.bookings.recordWaitlistTurn(place, u);
  };
  const seat = { classId, occurrenceStart: occurrence.start, capacity: fitnessClass.location.capacity };

  if (uow) {
    const status = await claimPlace(d.bookings, seat, joinWaitlistIfFull, (reserve) => reserve(uow));
    return record(status)(uow);
  }
  return runWorkflow('book-class', async (run) => {
    const status = await claimPlace(d.bookings, seat, joinWaitlistIfFull, (reserve, release) => run(placeStep(reserve, release), undefined));
    return inUnitOfWork(d.deps.units, undefined, record(status), { maxAttempts: BOOKING_ATTEMPTS });
  });
}

/** What a booking of an occurrence by a member found: the class, its zone, the occurrence, the member's subscription and its plan's limits. */
export interface BookableOccurrence {
  readonly fitnessClass: Awaited<ReturnType<ClassService['getClass']>>;
  readonly timezone: string;
  readonly occurrence: { readonly start: Date };
  readonly subscription: NonNullable<Awaited<ReturnType<MembershipSource['findActiveForUserAtFacility']>>>;
  readonly limitations: Awaited<ReturnType<MembershipPlanSource['getById']>>['limitations'];
}

/**
 * Rules 1 to 3c of {@link bookClassOccurrence}, for the member `userId` (the host of a guest
 * booking): the class is active, the occurrence real and not started, the member holds an
 * active membership valid at the class's facility, in good standing, with classes included,
 * inside the booking window, not suspended, and has signed the facility's current waiver.
 * Guest bookings pass the same rules.
 */
export async function resolveBookableOccurrence(
  d: Pick<BookClassDeps, 'classes' | 'bookings' | 'facilities' | 'subscriptions' | 'plans' | 'deps' | 'waivers'>,
  q: { readonly classId: ClassBooking['classId']; readonly userId: UserId; readonly occurrenceStart: Date },
  uow?: UnitOfWork,
): Promise<BookableOccurrence> {
  const { classId, userId, occurrenceStart } = q;
  const ctx = uow?.ctx;
  const fitnessClass = await d.classes.getClass(classId, uow);
  if (!fitnessClass.isActive) throw new ConflictError('class_inactive', `Class ${classId} is not on the timetable`, { details: { classId } });
  const { timezone } = await d.facilities.getById(fitnessClass.facilityId, ctx);
  const occurrence = d.classes.occurrenceAt(fitnessClass, timezone, occurrenceStart);
  if (d.deps.clock.now().getTime() >= occurrence.start.getTime()) {
    throw new ConflictError('class_started', `Class ${classId} at ${occurrence.start.toISOString()} has already started`, { details: { classId } });
  }

  const subscription = await d.subscriptions.findActiveForUserAtFacility(userId, fitnessClass.facilityId, occurrence.start, ctx);
  if (!subscription) throw await uncoveredMembershipError(d.subscriptions, userId, fitnessClass.facilityId, occurrence.start, ctx);
  assertMembershipInGoodStanding(subscription, occurrence.start);
  const { limitations } = await d.plans.getById(subscription.membershipId, ctx);
  if (!limitations.classesIncluded) {
    throw new ConflictError('classes_not_included', `The membership of user ${userId} does not include classes`, { details: { memberSubscriptionId: subscription.id } });
  }
  assertInsideBookingWindow(d.deps.clock.now(), occurrence.start, timezone, { policy: d.bookings.policy, classWindow: fitnessClass.bookingWindow, earlyBookingDays: limitations.earlyBookingDays });
  await d.bookings.assertNotSuspended(userId, fitnessClass.facilityId, uow);
  await d.waivers?.assertCleared(userId, fitnessClass.facilityId, uow);
  return { fitnessClass, timezone, occurrence, subscription, limitations };
}

interface Seat {
  readonly classId: ClassBooking['classId'];
  readonly occurrenceStart: Date;
  readonly capacity: number;
}
type Reserve = (uow?: UnitOfWork) => Promise<void>;
type Release = () => Promise<void>;

/**
 * Claims a seat, or — when the occurrence is full and the member asked for it — a waitlist
 * turn, through `claim` (which runs the reservation inside a unit or as a compensated step).
 */
async function claimPlace(
  bookings: BookingService,
  seat: Seat,
  joinWaitlistIfFull: boolean,
  claim: (reserve: Reserve, release: Release) => Promise<void>,
): Promise<'booked' | 'waitlisted'> {
  try {
    await claim((u) => bookings.reserveSeat(seat.classId, seat.occurrenceStart, seat.capacity, u), () => bookings.releaseSeat(seat.classId, seat.occurrenceStart));
    return 'booked';
  } catch (error) {
    if (!joinWaitlistIfFull || !(error instanceof ConflictError) || error.reason !== 'class_full') throw error;
  }
  await claim((u) => bookings.reserveWaitlistTurn(seat.classId, seat.occurrenceStart, u), () => bookings.releaseWaitlistTurn(seat.classId, seat.occurrenceStart));
  return 'waitlisted';
}

/** Claims a seat or a waitlist turn on its own (committed at once); its compensation gives it back. */
export function placeStep(reserve: Reserve, release: Release) {
  return createStep(
    'reserve-place',
    async () => {
      await reserve();
      return stepResponse(undefined);
    },
    async () => release(),
  );
}

export { isoWeekOf };

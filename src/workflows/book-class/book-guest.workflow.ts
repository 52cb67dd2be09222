import { z } from 'zod';
import { idSchema } from '../../core/ids.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import { bookingGuestSchema, type ClassBooking } from '../../modules/classes/index.js';
import type { MembershipService } from '../../modules/memberships/index.js';
import type { MemberSubscriptionId } from '../../core/ids.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { runWorkflow } from '../workflow.js';
import { BOOKING_ATTEMPTS, placeStep, resolveBookableOccurrence, type BookClassDeps } from './book-class.workflow.js';

/** What {@link bookGuest} needs: the booking workflow's sources and the memberships module's guest passes. */
export interface BookGuestDeps extends Omit<BookClassDeps, 'credits'> {
  readonly passes: Pick<MembershipService, 'spendGuestPass'>;
}

const bookGuestInputSchema = z.strictObject({
  classId: idSchema('ClassId'),
  hostUserId: idSchema('UserId').describe('The member who brings the guest'),
  occurrenceStart: instantSchema.describe('Start instant of the occurrence to book'),
  guest: bookingGuestSchema,
});
/**
 * Input of `nexfit.workflows.bookGuest`: the class, the occurrence's start, the host member and the guest.
 *
 * @useDeclaredType
 */
export type BookGuestInput = z.input<typeof bookGuestInputSchema>;

/**
 * Books a seat of a class occurrence for a guest of a member (Mindbody and Glofox guest
 * bookings), paid with one of the guest passes of the host's membership. The host passes the
 * rules of a member booking (see `bookClassOccurrence` rules 1 to 3b: an active membership
 * valid at the class's facility with classes included, in good standing, inside the booking
 * window, not suspended); then
 * 1. a seat is free (`ConflictError('class_full')`): the guest takes a seat from the same
 *    seat counter as members, so a class never overbooks; there is no waitlist for guests;
 * 2. the host's membership has a guest pass left in its period
 *    (`ConflictError('no_guest_passes')`): spent by one conditional update in the unit that
 *    records the booking, so racing guest bookings never spend more passes than the period holds.
 * The guest booking belongs to the host (`userId`), is listed in the occurrence's roster with
 * its `guest`, and does not count toward the host's weekly booking limit. Cancelling it before
 * the cut-off (`cancelBooking`) gives the pass back. The seat claim is committed on its own and
 * released as the step's compensation when the unit fails, as for member bookings; with a
 * caller's `uow` all of it is part of that unit.
 *
 * @example
 * ```ts
 * const booking = await nexfit.workflows.bookGuest({ classId, hostUserId, occurrenceStart: new Date('2026-03-04T15:00:00Z'), guest: { name: 'Ayşe Yılmaz', email: 'ayse@example.com' } })
 * ```
 */
export async function bookGuest(d: BookGuestDeps, input: BookGuestInput, uow?: UnitOfWork): Promise<ClassBooking> {
  const { classId, hostUserId, occurrenceStart, guest } = parseOrThrow(bookGuestInputSchema, input, { entity: 'guest booking', ...(d.deps.locale ? { locale: d.deps.locale } : {}) });
  const { fitnessClass, occurrence, subscription } = await resolveBookableOccurrence(d, { classId, userId: hostUserId, occurrenceStart }, uow);
  const memberSubscriptionId = subscription.id as MemberSubscriptionId;
  const record = async (u: UnitOfWork) => {
    await d.passes.spendGuestPass(memberSubscriptionId, u);
    return d.bookings.recordGuestBooking({ classId, userId: hostUserId, occurrenceStart: occurrence.start, guest, guestPass: { memberSubscriptionId } }, u);
  };
  const capacity = fitnessClass.location.capacity;

  if (uow) {
    await d.bookings.reserveSeat(classId, occurrence.start, capacity, uow);
    return record(uow);
  }
  return runWorkflow('book-guest', async (run) => {
    await run(placeStep((u) => d.bookings.reserveSeat(classId, occurrence.start, capacity, u), () => d.bookings.releaseSeat(classId, occurrence.start)), undefined);
    return inUnitOfWork(d.deps.units, undefined, record, { maxAttempts: BOOKING_ATTEMPTS });
  });
}

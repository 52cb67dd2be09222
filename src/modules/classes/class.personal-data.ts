import type { BookingService } from './booking.service.js';
import { everyItem, allItems, jsonOfAll, type ErasureBlocker, type PersonalDataContributor, type PersonalDataDeclaration } from '../personal-data.js';
import { CLASS_BOOKINGS_COLLECTION } from './class-booking.collection.js';
import type { ClassBookingRepository } from './class-booking.repository.js';
import { CLASSES_COLLECTION } from './class.collection.js';
import { BOOKING_STRIKES_COLLECTION, BOOKING_SUSPENSIONS_COLLECTION } from './booking-strike.collection.js';
import type { BookingStrikeRepository, BookingSuspensionRepository } from './booking-strike.repository.js';
import { BOOKING_FEES_COLLECTION } from './booking-fee.collection.js';
import type { BookingFeeRepository } from './booking-fee.repository.js';
import type { ClassRepository } from './class.repository.js';

/** What replaces a class instructor's denormalised name once the instructor is erased. */
export const ERASED_DISPLAY_NAME = 'Erased user';

/** The classes module's user-linked data: the user's bookings and the classes they instruct. */
export const CLASS_PERSONAL_DATA = {
  module: 'classes',
  holds: [
    { store: 'mongo', name: CLASS_BOOKINGS_COLLECTION.name },
    { store: 'mongo', name: CLASS_BOOKINGS_COLLECTION.archiveCollection },
    { store: 'mongo', name: CLASSES_COLLECTION.name },
    { store: 'mongo', name: BOOKING_STRIKES_COLLECTION.name },
    { store: 'mongo', name: BOOKING_SUSPENSIONS_COLLECTION.name },
    { store: 'mongo', name: BOOKING_FEES_COLLECTION.name },
  ],
} as const satisfies PersonalDataDeclaration;

/**
 * The classes module's part in export and erasure. The user's bookings (archived ones too)
 * and the classes they instruct are exported. An erasure is refused while the user instructs an active class.
 * Bookings stay (the facility relies on them), archived ones too, without their notes; a seat in a class still
 * to come goes back to the class and to the first on its waitlist. Inactive classes the user
 * instructed keep the instructor's id under {@link ERASED_DISPLAY_NAME}. The user's booking
 * strikes, suspensions and late-cancellation or no-show fees are exported, and deleted by an
 * erasure (the fees' payments stay, pseudonymised, with the billing records). The guests a
 * member brought (guest bookings) are the member's personal data: exported with the bookings,
 * and an erasure replaces their names by {@link ERASED_DISPLAY_NAME} and drops their emails.
 *
 * @example
 * ```ts
 * const contributor = classPersonalData({ ...classesModule, bookingService: classesModule.bookingService });
 * ```
 */
export function classPersonalData(parts: {
  readonly classes: ClassRepository;
  readonly bookings: ClassBookingRepository;
  readonly bookingService: BookingService;
  readonly strikes: BookingStrikeRepository;
  readonly suspensions: BookingSuspensionRepository;
  readonly fees: BookingFeeRepository;
}): PersonalDataContributor {
  const { classes, bookings, bookingService, strikes, suspensions, fees } = parts;
  return {
    ...CLASS_PERSONAL_DATA,
    async export(userId) {
      return {
        // Archived bookings are the user's too: the hot ones, then the archived ones.
        classBookings: [...(await jsonOfAll((p) => bookings.listByUser(userId, {}, p))), ...(await jsonOfAll((p) => bookings.listArchivedByUser(userId, p)))],
        classesInstructed: await jsonOfAll((p) => classes.listByInstructor(userId, p)),
        bookingStrikes: await jsonOfAll((p) => strikes.listByUser(userId, p)),
        bookingSuspensions: await jsonOfAll((p) => suspensions.listByUser(userId, p)),
        bookingFees: await jsonOfAll((p) => fees.listByUser(userId, p)),
      };
    },
    async erasureBlockers(userId, uow) {
      const blockers: ErasureBlocker[] = [];
      for await (const fitnessClass of everyItem((p) => classes.listByInstructor(userId, p, uow.ctx))) {
        if (fitnessClass.isActive) blockers.push({ reason: 'instructs_active_class', classId: fitnessClass.id });
      }
      return blockers;
    },
    async erase(userId, { uow, now, personalStrings, subjectIds }) {
      const ctx = uow.ctx;
      let classBookings = 0;
      for (const booking of await allItems((p) => bookings.listByUser(userId, {}, p, ctx))) {
        subjectIds.add(booking.id);
        let current = booking;
        // A seat in a class still to come goes back to the class (and to the first on its waitlist).
        if ((current.status === 'booked' || current.status === 'waitlisted') && current.date.getTime() > now.getTime()) {
          current = await bookingService.cancelBooking(current.id, uow);
        }
        if (current.notes) {
          personalStrings.push(current.notes);
          current = await bookings.patch(current.id, { notes: null }, {}, ctx);
        }
        if (current !== booking) classBookings++;
      }
      // Archived bookings are past: they keep their status and lose their notes.
      for (const booking of await allItems((p) => bookings.listArchivedByUser(userId, p, ctx))) subjectIds.add(booking.id);
      const archivedNotes = await bookings.clearArchivedNotesOfUser(userId, ctx);
      personalStrings.push(...archivedNotes);
      classBookings += archivedNotes.length;
      // A guest booking stays a guest booking; the guest's name and email, the host's personal data, go.
      const guests = await bookings.eraseGuestsOfUser(userId, ERASED_DISPLAY_NAME, ctx);
      personalStrings.push(...guests.removed);
      classBookings += guests.bookings;
      let classesInstructed = 0;
      for (const fitnessClass of await allItems((p) => classes.listByInstructor(userId, p, ctx))) {
        // Only inactive classes get here: an active one blocks the erasure.
        await classes.patch(fitnessClass.id, { instructor: { userId: fitnessClass.instructor.userId, name: ERASED_DISPLAY_NAME } }, {}, ctx);
        classesInstructed++;
      }
      // Strikes and suspensions say something about the member only: they go with them.
      const bookingStrikes = await strikes.deleteAllOfUser(userId, ctx);
      const bookingSuspensions = await suspensions.deleteAllOfUser(userId, ctx);
      const bookingFees = await fees.deleteAllOfUser(userId, ctx);
      return { anonymised: { classBookings, classesInstructed }, deleted: { bookingStrikes, bookingSuspensions, bookingFees } };
    },
  };
}

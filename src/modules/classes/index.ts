/**
 * The classes module: its only door. Class and booking schemas, their repositories, the
 * seat counters, recurrence expansion, the {@link ClassService} and the {@link BookingService}.
 * Booking with the membership rules is the `bookClassOccurrence` workflow.
 *
 * @example
 * ```ts
 * const { classService, bookingService } = createClassesModule(db, pg, deps)
 * const week = classService.occurrencesBetween(yoga, 'Europe/Istanbul', monday, nextMonday)
 * ```
 */
import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import { DocumentLocks } from '../../stores/mongo/document-lock.js';
import type { Database } from '../../stores/postgres/database.js';
import type { ServiceDeps } from '../service-deps.js';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import { AuditTrail } from '../audit/audit-trail.js';
import { BookingCounterRepository } from './booking-counter.repository.js';
import { BookingStrikeRepository, BookingSuspensionRepository } from './booking-strike.repository.js';
import { BookingService, type BookingCredits, type BookingFeeCharger, type BookingPolicy } from './booking.service.js';
import { BookingFeeRepository } from './booking-fee.repository.js';
import { ClassBookingRepository } from './class-booking.repository.js';
import { ClassRepository } from './class.repository.js';
import { ClassService } from './class.service.js';

export * from './class.schema.js';
export * from './class-booking.schema.js';
export { ClassRepository } from './class.repository.js';
export { ClassBookingRepository, type CancelBookingOptions, type PromoteBookingOptions, type TimedTransitionOptions } from './class-booking.repository.js';
export { BookingCounterRepository, memberWeekKey, occurrenceSeatKey } from './booking-counter.repository.js';
export { ClassService, MAX_OCCURRENCE_WINDOW_MS, scheduledDurationMs, type TimetableEntry } from './class.service.js';
export { BookingService, DEFAULT_BOOKING_POLICY, type BookingCredits, type BookingFeeCharger, type BookingPolicy, type LiftSuspensionInput, type NewBookingInput, type NewGuestBookingInput, type StrikeStores } from './booking.service.js';
export * from './booking-strike.schema.js';
export { BookingStrikeRepository, BookingSuspensionRepository } from './booking-strike.repository.js';
export * from './booking-fee.schema.js';
export { BookingFeeRepository } from './booking-fee.repository.js';
export { BOOKING_FEES_COLLECTION } from './booking-fee.collection.js';
export { BookingStrikes, memberStrikesKey, type StrikePolicy, type StruckBooking } from './booking-strikes.js';
export { expandOccurrences, isOccurrenceStart, MAX_OCCURRENCES_PER_EXPANSION, OCCURRENCE_DISAMBIGUATION, type ClassOccurrence } from './recurrence.js';

/** The classes module's repositories and services, built on the SDK's stores. */
export interface ClassesModule {
  readonly classes: ClassRepository;
  readonly bookings: ClassBookingRepository;
  readonly counters: BookingCounterRepository;
  readonly strikes: BookingStrikeRepository;
  readonly suspensions: BookingSuspensionRepository;
  readonly fees: BookingFeeRepository;
  readonly classService: ClassService;
  readonly bookingService: BookingService;
}

/**
 * Builds the classes module; `policy` overrides the booking time rules (cut-off, check-in
 * window, booking window, strikes); `credits` pays promoted seats and refunds cancelled ones in
 * class-pack credits; `chargeFee` charges a late-cancellation or no-show fee once it is recorded.
 */
export function createClassesModule(db: Db, pg: Kysely<Database>, deps: ServiceDeps, policy: Partial<BookingPolicy> = {}, credits?: BookingCredits, chargeFee?: BookingFeeCharger): ClassesModule {
  const classes = new ClassRepository(db, deps);
  const strikes = new BookingStrikeRepository(db, deps);
  const suspensions = new BookingSuspensionRepository(db, deps);
  const bookings = new ClassBookingRepository(db, deps);
  const counters = new BookingCounterRepository(db, deps);
  const fees = new BookingFeeRepository(db, deps);
  return {
    classes,
    bookings,
    counters,
    strikes,
    suspensions,
    fees,
    classService: new ClassService(classes, deps),
    bookingService: new BookingService(
      classes,
      bookings,
      counters,
      new DocumentLocks(db, deps),
      deps,
      policy,
      { strikes, suspensions, fees, audit: new AuditTrail(new AuditLogRepository(pg, deps)) },
      credits,
      chargeFee,
    ),
  };
}

import type { Db } from 'mongodb';
import type { ClassId, FacilityId, UserId } from '../../core/ids.js';
import { BoundedCounters } from '../../stores/mongo/bounded-counters.js';
import type { RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import { CLASS_BOOKING_COUNTERS_COLLECTION } from './booking-counter.collection.js';

/** The key of the seat counter of one occurrence of a class. */
export function occurrenceSeatKey(classId: ClassId, occurrenceStart: Date): string {
  return `seats:${classId}:${occurrenceStart.toISOString()}`;
}

/** The key of the waitlist-turn counter of one occurrence of a class. */
export function occurrenceWaitlistKey(classId: ClassId, occurrenceStart: Date): string {
  return `waitlist:${classId}:${occurrenceStart.toISOString()}`;
}

/** The lock key that serialises a member's bookings at a facility in one ISO week (`2026-W10`). */
export function memberWeekKey(userId: UserId, facilityId: FacilityId, isoWeek: string): string {
  return `week:${userId}:${facilityId}:${isoWeek}`;
}

/**
 * Bounded counters for the booking rules (`class_booking_counters`): the seats taken in an
 * occurrence and the turns taken on its waitlist ({@link BoundedCounters}).
 *
 * Claims are meant to run **outside** a multi-document transaction: inside one, every
 * concurrent claim of the same hot document would abort with a write conflict and retry,
 * whereas a single-document update outside waits its turn. The booking workflow therefore
 * claims first and releases the claim as the compensation when its unit of work fails.
 *
 * @example
 * ```ts
 * const counters = new BookingCounterRepository(db, deps)
 * if (!(await counters.claim(occurrenceSeatKey(classId, start), capacity))) throw new ConflictError('class_full', '…')
 * ```
 */
export class BookingCounterRepository extends BoundedCounters {
  constructor(db: Db, deps: RepositoryDeps) {
    super(db, CLASS_BOOKING_COUNTERS_COLLECTION.name, 'booking counter', deps);
  }
}

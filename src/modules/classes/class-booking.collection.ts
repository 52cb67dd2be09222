import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { classBookingDerivedFields, storedClassBookingSchema } from './class-booking.schema.js';

/**
 * The `class_bookings` collection: seats and waitlist turns on class occurrences.
 *
 * @example
 * ```ts
 * CLASS_BOOKINGS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const CLASS_BOOKINGS_COLLECTION = {
  name: 'class_bookings',
  storedSchema: storedClassBookingSchema,
  schemaVersion: 1,
  // `archiveOlderThan({ target: 'class_bookings' })` moves old documents here unchanged.
  archiveCollection: 'class_bookings_archive',
  derive: classBookingDerivedFields,
  hiddenFields: ['holdsSeat'],
  indexes: [
    // One seat per user per occurrence while the booking holds it (booked or attended).
    {
      key: { classId: 1, date: 1, userId: 1 },
      name: 'classId_date_userId_seat_unique',
      unique: true,
      partialFilterExpression: { holdsSeat: { $eq: true } },
    },
    // One turn per user on an occurrence's waitlist.
    {
      key: { classId: 1, date: 1, userId: 1 },
      name: 'classId_date_userId_waitlist_unique',
      unique: true,
      partialFilterExpression: { status: { $eq: 'waitlisted' } },
    },
    // Counting the seats of an occurrence under the capacity rule; its waitlist.
    { key: { classId: 1, date: 1, status: 1 }, name: 'classId_date_status' },
    { key: { userId: 1, date: -1 }, name: 'userId_date' },
  ],
} as const satisfies MongoCollectionDefinition;

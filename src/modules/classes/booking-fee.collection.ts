import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedBookingFeeSchema } from './booking-fee.schema.js';

/**
 * The `booking_fees` collection: one fee per booking (the unique index decides under
 * concurrency), the fees still to collect, and a member's fees.
 *
 * @example
 * ```ts
 * BOOKING_FEES_COLLECTION.indexes.map((index) => index.name) // ['bookingId_unique', 'status_createdAt', 'userId']
 * ```
 */
export const BOOKING_FEES_COLLECTION = {
  name: 'booking_fees',
  storedSchema: storedBookingFeeSchema,
  schemaVersion: 1,
  indexes: [
    { key: { bookingId: 1 }, name: 'bookingId_unique', unique: true },
    { key: { status: 1, createdAt: 1 }, name: 'status_createdAt' },
    { key: { userId: 1 }, name: 'userId' },
  ],
} as const satisfies MongoCollectionDefinition;

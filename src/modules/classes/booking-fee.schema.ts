import { z } from 'zod';
import { entityFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { currencyCodeSchema } from '../../core/money.js';
import { instantSchema, labelSchema, moneyAmountSchema, positiveIntSchema, uuidSchema } from '../../core/schema-primitives.js';

/** What a booking fee is for: a class missed without cancelling, or a cancellation after the cut-off. */
export const BOOKING_FEE_KINDS = ['no_show', 'late_cancellation'] as const;
/** What a booking fee is for. */
export type BookingFeeKind = (typeof BOOKING_FEE_KINDS)[number];

/**
 * Where a fee stands: `pending` until its first charge, `paid`, `unpaid` after a declined or
 * failed charge (the nightly `collectUnpaidFees` retries it), `waived` by staff (voided, or
 * refunded when it had been paid).
 */
export const BOOKING_FEE_STATUSES = ['pending', 'paid', 'unpaid', 'waived'] as const;
/** Where a booking fee stands. */
export type BookingFeeStatus = (typeof BOOKING_FEE_STATUSES)[number];

const feeFields = {
  userId: idSchema('UserId'),
  facilityId: idSchema('FacilityId'),
  /** At most one fee per booking (a unique index): a late cancellation and a no-show of one booking never both cost. */
  bookingId: idSchema('ClassBookingId'),
  kind: z.enum(BOOKING_FEE_KINDS),
  amount: moneyAmountSchema('Fee').min(1),
  currency: currencyCodeSchema,
  status: z.enum(BOOKING_FEE_STATUSES),
  /** Payment intents opened for the fee so far; attempt `n` charges under its own key (see `bookingFeeIntentKey`). */
  attempts: z.number().int().min(0).max(1_000),
  /** The intent of the latest attempt. */
  intentId: uuidSchema.optional(),
  transactionId: uuidSchema.optional(),
  invoiceId: uuidSchema.optional(),
  paidAt: instantSchema.optional(),
  /** Why the latest attempt did not take the money (`declined`, `not_charged`). */
  lastFailure: labelSchema.optional(),
  waivedAt: instantSchema.optional(),
  waivedBy: idSchema('UserId').optional(),
  waiveReason: labelSchema.optional(),
  /** The refund of a paid fee that was waived. */
  refundTransactionId: uuidSchema.optional(),
};

/**
 * A fee charged for a late cancellation or a no-show (Mindbody's `LateCancel` and `Missed`
 * fees, Glofox's automated fees), a flat amount from the `BookingPolicy`.
 *
 * @example
 * ```ts
 * bookingFeeSchema.shape.status.parse('unpaid')
 * ```
 */
export const bookingFeeSchema = z.strictObject({ ...entityFields('BookingFeeId'), ...feeFields });
/** A stored `booking_fees` document. */
export const storedBookingFeeSchema = bookingFeeSchema;
/** Validates a new fee. */
export const createBookingFeeInputSchema = z.strictObject(feeFields);
/** A fee changes as it is charged, paid or waived. */
export const patchBookingFeeInputSchema = z.strictObject({
  status: feeFields.status.optional(),
  attempts: feeFields.attempts.optional(),
  intentId: feeFields.intentId,
  transactionId: feeFields.transactionId,
  invoiceId: feeFields.invoiceId,
  paidAt: feeFields.paidAt,
  lastFailure: feeFields.lastFailure,
  waivedAt: feeFields.waivedAt,
  waivedBy: feeFields.waivedBy,
  waiveReason: feeFields.waiveReason,
  refundTransactionId: feeFields.refundTransactionId,
});

/** A booking fee (see `bookingFeeSchema`). */
export type BookingFee = z.output<typeof bookingFeeSchema>;

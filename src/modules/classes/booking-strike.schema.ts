import { z } from 'zod';
import { entityFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { instantSchema, labelSchema, positiveIntSchema } from '../../core/schema-primitives.js';

/** Why a member got a strike: a booking missed without cancelling, or cancelled late. */
export const BOOKING_STRIKE_KINDS = ['no_show', 'late_cancellation'] as const;
/** Why a member got a strike. */
export type BookingStrikeKind = (typeof BOOKING_STRIKE_KINDS)[number];

const strikeFields = {
  userId: idSchema('UserId'),
  facilityId: idSchema('FacilityId'),
  /** One strike per booking and kind (a unique index). */
  bookingId: idSchema('ClassBookingId'),
  kind: z.enum(BOOKING_STRIKE_KINDS),
  /** How many strikes this one counts for (the policy's `strikesPerNoShow` or `strikesPerLateCancellation`). */
  weight: positiveIntSchema.max(100),
  at: instantSchema,
  /** The suspension this strike led to: it no longer counts toward the next one. */
  suspensionId: idSchema('BookingSuspensionId').optional(),
};

/**
 * A strike against a member at a facility, recorded once per booking when the booking is
 * marked a no-show or cancelled late (see `BookingPolicy`).
 *
 * @example
 * ```ts
 * bookingStrikeSchema.shape.kind.parse('no_show')
 * ```
 */
export const bookingStrikeSchema = z.strictObject({ ...entityFields('BookingStrikeId'), ...strikeFields });
/** A stored `booking_strikes` document. */
export const storedBookingStrikeSchema = bookingStrikeSchema;
/** Validates a new strike. */
export const createBookingStrikeInputSchema = z.strictObject(strikeFields);
/** Strikes only gain the suspension they led to. */
export const patchBookingStrikeInputSchema = z.strictObject({ suspensionId: strikeFields.suspensionId });

const suspensionFields = {
  userId: idSchema('UserId'),
  facilityId: idSchema('FacilityId'),
  from: instantSchema,
  /** Booking is refused (`booking_suspended`) until this instant, exclusive. */
  until: instantSchema,
  /** The strikes that reached the limit. */
  strikes: positiveIntSchema.max(10_000),
  liftedAt: instantSchema.optional(),
  liftedBy: idSchema('UserId').optional(),
  liftReason: labelSchema.optional(),
};

/**
 * A member's booking suspension at a facility: set when their strikes within the policy's
 * `strikeWindowDays` reach `strikeLimit`; staff may lift it early.
 *
 * @example
 * ```ts
 * bookingSuspensionSchema.shape.until.parse('2026-03-09T09:00:00Z')
 * ```
 */
export const bookingSuspensionSchema = z.strictObject({ ...entityFields('BookingSuspensionId'), ...suspensionFields });
/** A stored `booking_suspensions` document. */
export const storedBookingSuspensionSchema = bookingSuspensionSchema;
/** Validates a new suspension. */
export const createBookingSuspensionInputSchema = z.strictObject(suspensionFields);
/** A suspension only changes when it is lifted. */
export const patchBookingSuspensionInputSchema = z.strictObject({
  liftedAt: suspensionFields.liftedAt,
  liftedBy: suspensionFields.liftedBy,
  liftReason: suspensionFields.liftReason,
});

/** A strike against a member (see `bookingStrikeSchema`). */
export type BookingStrike = z.output<typeof bookingStrikeSchema>;
/** A member's booking suspension (see `bookingSuspensionSchema`). */
export type BookingSuspension = z.output<typeof bookingSuspensionSchema>;

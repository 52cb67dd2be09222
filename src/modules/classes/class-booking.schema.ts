import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { emailSchema, instantSchema, longTextSchema, nameSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';

/**
 * A user's place in one occurrence of a class (seed: `class_bookings`). `date` is the
 * occurrence's start instant, so bookings of a recurring class are told apart by it.
 * The stored document adds `holdsSeat` (true while a member's own booking is `booked` or
 * `attended`): the unique partial index on (classId, date, userId) filters on it, because a
 * partial index filter cannot use `$in` (nor `$exists: false`) on every supported MongoDB
 * version. A guest booking (`guest` present) holds a seat for a guest of the member `userId`
 * (the host) and is left out of that index, so a host may bring guests to a class they attend.
 *
 * @example
 * ```ts
 * createClassBookingInputSchema.parse({ classId, userId, date: '2026-03-02T06:00:00Z', bookedAt: new Date() })
 * ```
 */
export const CLASS_BOOKING_STATUSES = ['booked', 'waitlisted', 'attended', 'cancelled', 'no-show'] as const;
/** The state of a class booking. */
export type ClassBookingStatus = (typeof CLASS_BOOKING_STATUSES)[number];

/** The statuses that occupy a seat of the occurrence. */
export const SEAT_HOLDING_BOOKING_STATUSES = ['booked', 'attended'] as const satisfies readonly ClassBookingStatus[];

/**
 * The statuses of a member's *place* in an occurrence: a seat, or a turn on its waitlist. A
 * member has at most one, and each counts toward the membership's weekly booking limit (so a
 * promotion from the waitlist can never exceed it).
 */
export const PLACE_HOLDING_BOOKING_STATUSES = ['booked', 'attended', 'waitlisted'] as const satisfies readonly ClassBookingStatus[];

/** True when a booking in `status` is a member's place in its occurrence (a seat or a waitlist turn). */
export function holdsPlace(status: ClassBookingStatus): boolean {
  return (PLACE_HOLDING_BOOKING_STATUSES as readonly ClassBookingStatus[]).includes(status);
}

/** True when a booking in `status` occupies a seat. */
export function holdsSeat(status: ClassBookingStatus): boolean {
  return (SEAT_HOLDING_BOOKING_STATUSES as readonly ClassBookingStatus[]).includes(status);
}

/** The guest of a guest booking: personal data of the host, exported and erased with the host. */
export const bookingGuestSchema = z.strictObject({
  name: nameSchema,
  email: emailSchema.optional(),
});

const classBookingFields = {
  classId: idSchema('ClassId'),
  userId: idSchema('UserId'),
  date: instantSchema.describe('Start instant of the booked occurrence'),
  status: z.enum(CLASS_BOOKING_STATUSES),
  bookedAt: instantSchema,
  cancelledAt: instantSchema.optional(),
  lateCancellation: z.boolean().optional().describe('Cancelled after the cancellation cut-off'),
  checkedInAt: instantSchema.optional(),
  promotedAt: instantSchema.optional().describe('When a waitlisted booking was given a freed seat'),
  notes: longTextSchema.optional(),
  creditCharge: z
    .strictObject({ memberSubscriptionId: idSchema('MemberSubscriptionId'), credits: z.number().int().min(1).max(10) })
    .optional()
    .describe('The class-pack credits the seat spent, given back by a cancellation before the cut-off'),
  guest: bookingGuestSchema.optional().describe('Present on a guest booking: the guest the member (userId) brings'),
  guestPass: z
    .strictObject({ memberSubscriptionId: idSchema('MemberSubscriptionId') })
    .optional()
    .describe("The host's membership whose guest pass the seat spent, given back by a cancellation before the cut-off"),
};

const cancelledConsistently = (b: { status: ClassBookingStatus; cancelledAt?: Date | undefined }) =>
  (b.status === 'cancelled') === (b.cancelledAt !== undefined);
const cancellationRule = { error: M.cancellation.en, path: ['cancelledAt'] };

/** A class booking as the SDK returns it; its TypeScript type is inferred from this schema. */
export const classBookingSchema = z
  .strictObject({ ...entityFields('ClassBookingId'), ...classBookingFields })
  .refine(cancelledConsistently, cancellationRule);

/** The stored-only fields of a booking document, derived from its status. */
export const classBookingDocumentFields = {
  holdsSeat: z.boolean().describe("Derived: a member's own booking (no guest) whose status is 'booked' or 'attended'"),
};

/** A stored `class_bookings` document: the class booking with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedClassBookingSchema = z
  .strictObject({ ...entityFields('ClassBookingId'), ...classBookingFields, ...classBookingDocumentFields })
  .refine(cancelledConsistently, cancellationRule)
  .refine((b) => b.holdsSeat === memberHoldsSeat(b), { error: M.derivedField.en, path: ['holdsSeat'] });

/** Validates the input that creates a class booking; fills its defaults. */
export const createClassBookingInputSchema = z
  .strictObject({ ...classBookingFields, status: classBookingFields.status.default('booked') })
  .refine(cancelledConsistently, cancellationRule);

/** The class, the occurrence and the user of a booking never change. */
export const patchClassBookingInputSchema = patchSchemaOf(pickFields(classBookingFields, ['status', 'cancelledAt', 'lateCancellation', 'checkedInAt', 'notes']));

/** The host's membership whose guest pass a guest booking spent. */
export type GuestPassCharge = z.output<typeof classBookingSchema>['guestPass'] & {};
/** The guest of a guest booking. */
export type BookingGuest = z.output<typeof bookingGuestSchema>;
/** The class-pack credits a booked seat spent, and of which member subscription. */
export type CreditCharge = z.output<typeof classBookingSchema>['creditCharge'] & {};
/** A class booking as the SDK returns it. */
export type ClassBooking = z.output<typeof classBookingSchema>;
/** A stored `class_bookings` document (see `storedClassBookingSchema`). */
export type StoredClassBooking = z.output<typeof storedClassBookingSchema>;
/** What a caller passes to create a class booking (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateClassBookingInput = z.input<typeof createClassBookingInputSchema>;
/** A parsed create input of a class booking: normalised, branded ids, defaults filled. */
export type CreateClassBookingData = z.output<typeof createClassBookingInputSchema>;
/** What a caller passes to update a class booking: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchClassBookingInput = z.input<typeof patchClassBookingInputSchema>;
/** A parsed update of a class booking. */
export type PatchClassBookingData = z.output<typeof patchClassBookingInputSchema>;

/** True when the booking is the member's own (not a guest's) and occupies a seat: what the unique seat index covers. */
function memberHoldsSeat(booking: { readonly status: ClassBookingStatus; readonly guest?: unknown }): boolean {
  return booking.guest === undefined && holdsSeat(booking.status);
}

/** The stored-only fields of a booking (merged over its encoded document). */
export function classBookingDerivedFields(booking: Pick<ClassBooking, 'status' | 'guest'>): { holdsSeat: boolean } {
  return { holdsSeat: memberHoldsSeat(booking) };
}

/** The stored document of a booking: the entity plus its derived `holdsSeat`. */
export function classBookingToStored(booking: ClassBooking): StoredClassBooking {
  return { ...booking, ...classBookingDerivedFields(booking) };
}

/** The booking entity of a stored document (derived fields dropped). */
export function classBookingFromStored(stored: StoredClassBooking): ClassBooking {
  const { holdsSeat: _derived, ...booking } = stored;
  return booking;
}

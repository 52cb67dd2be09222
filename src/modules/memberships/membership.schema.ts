import { z } from 'zod';
import { currencyCodeSchema } from '../../core/money.js';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import { countSchema, currencyWithDefaultSchema, labelListSchema, longTextSchema, moneyAmountSchema, nameSchema, positiveIntSchema, uniqueArray } from '../../core/schema-primitives.js';

/**
 * Membership plans a facility sells (seed: `memberships`): a duration, a price and the
 * limits the booking and check-in rules enforce.
 *
 * @example
 * ```ts
 * createMembershipInputSchema.parse({ facilityId, name: 'Aylık', duration: { value: 1, unit: 'month' }, price: 1_500_00 })
 * ```
 */
export const DURATION_UNITS = ['day', 'week', 'month', 'year'] as const;
/** The unit of a membership plan's duration. */
export type DurationUnit = (typeof DURATION_UNITS)[number];

/** How long a membership plan runs: a value and a unit. */
export const membershipDurationSchema = z.strictObject({
  value: positiveIntSchema.max(1_000),
  unit: z.enum(DURATION_UNITS),
});

/** Absent weekly maxima mean "unlimited". */
export const membershipLimitationsSchema = z.strictObject({
  maxVisitsPerWeek: countSchema.max(1_000).optional(),
  maxClassBookingsPerWeek: countSchema.max(1_000).optional(),
  classesIncluded: z.boolean(),
  personalTrainingIncluded: z.boolean(),
  ptSessionsIncluded: countSchema.max(10_000),
  earlyBookingDays: countSchema.max(366).optional().describe('Days the plan\'s members may book classes before the booking window opens'),
});

/** When a class pack's validity clock starts: at the purchase, or at the member's first booking. */
export const CREDIT_ACTIVATIONS = ['on_purchase', 'on_first_booking'] as const;
/** When a class pack's validity clock starts. */
export type CreditActivation = (typeof CREDIT_ACTIVATIONS)[number];

/**
 * The sessions a class pack sells (Mindbody pricing options, Glofox credit packs): `count`
 * credits, valid for `validFor` from their activation (absent = until the subscription ends).
 */
export const membershipCreditsSchema = z.strictObject({
  count: positiveIntSchema.max(1_000),
  validFor: membershipDurationSchema.optional(),
  activation: z.enum(CREDIT_ACTIVATIONS),
});

/** At most this many other facilities of the business a multi-location plan is valid at. */
export const MAX_PLAN_FACILITIES = 50;

/**
 * The other facilities of the same business (facilities with the plan facility's `ownerId`)
 * where a multi-location plan is valid too (Mindbody "pricing option valid at locations"):
 * unique, never the plan's own facility. Fixed when the plan is created.
 */
export const validAtFacilityIdsSchema = uniqueArray(idSchema('FacilityId'), MAX_PLAN_FACILITIES);

/**
 * The guest passes a plan includes (Mindbody guest bookings, Glofox guest passes): `perPeriod`
 * guests the member may bring to classes in each membership period.
 */
export const membershipGuestPassesSchema = z.strictObject({
  perPeriod: positiveIntSchema.max(100),
});

const membershipFields = {
  facilityId: idSchema('FacilityId'),
  name: nameSchema,
  description: longTextSchema.optional(),
  duration: membershipDurationSchema,
  price: moneyAmountSchema('Price'),
  currency: currencyCodeSchema,
  features: labelListSchema,
  limitations: membershipLimitationsSchema,
  credits: membershipCreditsSchema.optional().describe('Present on a class pack: the sessions it sells'),
  isActive: z.boolean(),
  validAtFacilityIds: validAtFacilityIdsSchema.optional().describe('Other facilities of the same business where the plan is valid too'),
  guestPasses: membershipGuestPassesSchema.optional().describe('Guests a member may bring to classes in each period'),
};

/** A membership plan as the SDK returns it; its TypeScript type is inferred from this schema. */
export const membershipSchema = z.strictObject({ ...entityFields('MembershipId'), ...membershipFields });
/** A stored `memberships` document: the membership plan with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedMembershipSchema = membershipSchema;

/** Validates the input that creates a membership plan; fills its defaults. */
export const createMembershipInputSchema = z.strictObject({
  ...membershipFields,
  currency: currencyWithDefaultSchema,
  features: membershipFields.features.default([]),
  limitations: z
    .strictObject({
      ...membershipLimitationsSchema.shape,
      classesIncluded: z.boolean().default(false),
      personalTrainingIncluded: z.boolean().default(false),
      ptSessionsIncluded: membershipLimitationsSchema.shape.ptSessionsIncluded.default(0),
    })
    .default({ classesIncluded: false, personalTrainingIncluded: false, ptSessionsIncluded: 0 }),
  credits: z.strictObject({ ...membershipCreditsSchema.shape, activation: membershipCreditsSchema.shape.activation.default('on_purchase') }).optional(),
  isActive: membershipFields.isActive.default(true),
}).refine((p) => !p.validAtFacilityIds?.includes(p.facilityId), { error: M.ownFacilityListed.en, path: ['validAtFacilityIds'] });

/**
 * A plan never moves to another facility, and the facilities it is valid at are fixed when it
 * is created (subscriptions carry the list they were sold with).
 */
export const patchMembershipInputSchema = patchSchemaOf(
  pickFields(membershipFields, ['name', 'description', 'duration', 'price', 'currency', 'features', 'limitations', 'isActive', 'guestPasses']),
);

/** How long a membership plan runs. */
export type MembershipDuration = z.output<typeof membershipDurationSchema>;
/** What a membership plan allows (seed `memberships.limitations`): weekly visits and class bookings, whether classes and personal training are included. */
export type MembershipLimitations = z.output<typeof membershipLimitationsSchema>;
/** The guest passes a plan includes per period. */
export type MembershipGuestPasses = z.output<typeof membershipGuestPassesSchema>;
/** The sessions a class pack sells. */
export type MembershipCredits = z.output<typeof membershipCreditsSchema>;
/** A membership plan as the SDK returns it. */
export type Membership = z.output<typeof membershipSchema>;
/** A stored `memberships` document (see `storedMembershipSchema`). */
export type StoredMembership = Membership;
/** What a caller passes to create a membership plan (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateMembershipInput = z.input<typeof createMembershipInputSchema>;
/** A parsed create input of a membership plan: normalised, branded ids, defaults filled. */
export type CreateMembershipData = z.output<typeof createMembershipInputSchema>;
/** What a caller passes to update a membership plan: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchMembershipInput = z.input<typeof patchMembershipInputSchema>;
/** A parsed update of a membership plan. */
export type PatchMembershipData = z.output<typeof patchMembershipInputSchema>;

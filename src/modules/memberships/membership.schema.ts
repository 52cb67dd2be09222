import { z } from 'zod';
import { currencyCodeSchema } from '../../core/money.js';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { countSchema, currencyWithDefaultSchema, labelListSchema, longTextSchema, moneyAmountSchema, nameSchema, positiveIntSchema } from '../../core/schema-primitives.js';

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
export type DurationUnit = (typeof DURATION_UNITS)[number];

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
  isActive: z.boolean(),
};

export const membershipSchema = z.strictObject({ ...entityFields('MembershipId'), ...membershipFields });
export const storedMembershipSchema = membershipSchema;

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
  isActive: membershipFields.isActive.default(true),
});

/** A plan never moves to another facility. */
export const patchMembershipInputSchema = patchSchemaOf(
  pickFields(membershipFields, ['name', 'description', 'duration', 'price', 'currency', 'features', 'limitations', 'isActive']),
);

export type MembershipDuration = z.output<typeof membershipDurationSchema>;
export type MembershipLimitations = z.output<typeof membershipLimitationsSchema>;
export type Membership = z.output<typeof membershipSchema>;
export type StoredMembership = Membership;
export type CreateMembershipInput = z.input<typeof createMembershipInputSchema>;
export type CreateMembershipData = z.output<typeof createMembershipInputSchema>;
export type PatchMembershipInput = z.input<typeof patchMembershipInputSchema>;
export type PatchMembershipData = z.output<typeof patchMembershipInputSchema>;

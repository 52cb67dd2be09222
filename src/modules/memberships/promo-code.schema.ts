import { z } from 'zod';
import { entityFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { currencyCodeSchema } from '../../core/money.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import { boundedArray, instantSchema, moneyAmountSchema, uuidSchema } from '../../core/schema-primitives.js';

/**
 * How a promo code lowers a price: by a whole percentage (1..100) or by a fixed amount in
 * minor units of one currency.
 *
 * @example
 * ```ts
 * PROMO_CODE_KINDS.includes('percent') // true
 * ```
 */
export const PROMO_CODE_KINDS = ['percent', 'fixed'] as const;
/** How a promo code lowers a price (see {@link PROMO_CODE_KINDS}). */
export type PromoCodeKind = (typeof PROMO_CODE_KINDS)[number];

/** The most plans one promo code may be restricted to. */
export const MAX_PROMO_CODE_PLANS = 50;

/** The most billing cycles a promo code may discount before it lapses (ten years of monthly cycles). */
export const MAX_PROMO_CODE_CYCLES = 120;

/**
 * A promo code as members type it, normalised the way it is stored and looked up: Unicode
 * NFKC (full-width letters become ASCII), surrounding blanks removed, upper case.
 *
 * @example
 * ```ts
 * normalisePromoCode(' ｓｕｍｍｅｒ26 ') // 'SUMMER26'
 * ```
 */
export function normalisePromoCode(code: string): string {
  return code.normalize('NFKC').trim().toUpperCase();
}

/** A stored promo code: 3..32 ASCII letters, digits, `-` or `_`, upper case, starting with a letter or digit. */
export const promoCodeTextSchema = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[A-Z0-9][A-Z0-9_-]*$/, { error: M.promoCode.en });

/**
 * A promo code as a caller passes it (at most 64 characters before normalising), normalised
 * by {@link normalisePromoCode} and then checked as {@link promoCodeTextSchema}.
 *
 * @example
 * ```ts
 * promoCodeInputSchema.parse(' summer26') // 'SUMMER26'
 * ```
 */
export const promoCodeInputSchema = z.string().max(64).transform(normalisePromoCode).pipe(promoCodeTextSchema);

/** How many billing cycles a discount covers: the first `n` (the purchase is the first), or `'all'`. */
export const promoCodeCyclesSchema = z.union([z.number().int().min(1).max(MAX_PROMO_CODE_CYCLES), z.literal('all')]);

const promoCodeFields = {
  facilityId: idSchema('FacilityId'),
  /** Normalised ({@link normalisePromoCode}); unique per facility. */
  code: promoCodeTextSchema,
  kind: z.enum(PROMO_CODE_KINDS),
  /** A percentage 1..100 (`percent`) or an amount in minor units (`fixed`). */
  value: z.number().int().min(1).max(99_999_999_99),
  /** The currency of a `fixed` discount; absent for `percent`. */
  currency: currencyCodeSchema.optional(),
  cycles: promoCodeCyclesSchema,
  validFrom: instantSchema.optional(),
  /** Exclusive: the code is refused from this instant. */
  validUntil: instantSchema.optional(),
  maxRedemptions: z.number().int().min(1).max(10_000_000).optional(),
  maxRedemptionsPerUser: z.number().int().min(1).max(1_000).optional(),
  /** The plans the code applies to; absent: every plan of the facility. */
  planIds: boundedArray(idSchema('MembershipId'), MAX_PROMO_CODE_PLANS).min(1).optional(),
  active: z.boolean(),
  redemptionCount: z.number().int().min(0).max(10_000_000),
  deactivatedAt: instantSchema.optional(),
};

type PromoShape = { kind: PromoCodeKind; value: number; currency?: string | undefined; validFrom?: Date | undefined; validUntil?: Date | undefined };
const percentInRange = (p: PromoShape) => p.kind !== 'percent' || p.value <= 100;
const currencyMatchesKind = (p: PromoShape) => (p.kind === 'fixed') === (p.currency !== undefined);
const untilAfterFrom = (p: PromoShape) => !p.validFrom || !p.validUntil || p.validUntil.getTime() > p.validFrom.getTime();
const PERCENT_RULE = { error: M.promoPercentRange.en, path: ['value'] };
const CURRENCY_RULE = { error: M.promoCurrency.en, path: ['currency'] };
const WINDOW_RULE = { error: M.endAfterStart.en, path: ['validUntil'] };

/**
 * A facility's promo code (Mindbody promo codes, Glofox discounts for N cycles): a percent or
 * fixed discount on membership purchases, for the first `cycles` billing cycles (or all), valid
 * in `[validFrom, validUntil)`, limited to `maxRedemptions` in all and `maxRedemptionsPerUser`
 * per member, optionally to some plans. `redemptionCount` is raised by one conditional update
 * in each purchase's unit of work.
 *
 * @example
 * ```ts
 * promoCodeSchema.shape.kind.parse('percent')
 * ```
 */
export const promoCodeSchema = z
  .strictObject({ ...entityFields('PromoCodeId'), ...promoCodeFields })
  .refine(percentInRange, PERCENT_RULE)
  .refine(currencyMatchesKind, CURRENCY_RULE)
  .refine(untilAfterFrom, WINDOW_RULE);
/** A stored `promo_codes` document; the collection's validator is generated from it. */
export const storedPromoCodeSchema = promoCodeSchema;

const createFields = {
  facilityId: promoCodeFields.facilityId,
  code: promoCodeInputSchema,
  kind: promoCodeFields.kind,
  value: promoCodeFields.value,
  currency: promoCodeFields.currency,
  cycles: promoCodeCyclesSchema.default(1),
  validFrom: promoCodeFields.validFrom,
  validUntil: promoCodeFields.validUntil,
  maxRedemptions: promoCodeFields.maxRedemptions,
  maxRedemptionsPerUser: promoCodeFields.maxRedemptionsPerUser,
  planIds: promoCodeFields.planIds,
};

/**
 * What staff pass to create a promo code (`nexfit.promoCodes.create`): `cycles` defaults to 1
 * (the purchase only); the code is normalised.
 *
 * @example
 * ```ts
 * createPromoCodeInputSchema.parse({ facilityId, code: 'summer26', kind: 'percent', value: 20, cycles: 3 })
 * ```
 */
export const createPromoCodeInputSchema = z
  .strictObject(createFields)
  .refine(percentInRange, PERCENT_RULE)
  .refine(currencyMatchesKind, CURRENCY_RULE)
  .refine(untilAfterFrom, WINDOW_RULE);

/** What the repository stores for a new code: the staff input plus its state. */
export const newPromoCodeSchema = z.strictObject({ ...promoCodeFields, active: z.literal(true), redemptionCount: z.literal(0) });
/** A promo code only changes when it is deactivated (its count moves by conditional updates). */
export const patchPromoCodeInputSchema = z.strictObject({ active: z.literal(false), deactivatedAt: instantSchema });

/** A facility's promo code (see {@link promoCodeSchema}). */
export type PromoCode = z.output<typeof promoCodeSchema>;
/** What staff pass to create a promo code (see {@link createPromoCodeInputSchema}). */
export type CreatePromoCodeInput = z.input<typeof createPromoCodeInputSchema>;

const redemptionFields = {
  promoCodeId: idSchema('PromoCodeId'),
  facilityId: idSchema('FacilityId'),
  userId: idSchema('UserId'),
  memberSubscriptionId: idSchema('MemberSubscriptionId'),
  /** The payment intent of the purchase: one redemption per intent (a unique index). */
  intentId: uuidSchema,
  /** What the discount took off the first charge, in minor units. */
  discount: moneyAmountSchema('Discount'),
  currency: currencyCodeSchema,
  at: instantSchema,
};

/**
 * One use of a promo code: the purchase (its payment intent and member subscription) that
 * redeemed it, and the discount it gave.
 *
 * @example
 * ```ts
 * promoRedemptionSchema.shape.intentId.parse(intentId)
 * ```
 */
export const promoRedemptionSchema = z.strictObject({ ...entityFields('PromoRedemptionId'), ...redemptionFields });
/** A stored `promo_redemptions` document. */
export const storedPromoRedemptionSchema = promoRedemptionSchema;
/** Validates a new redemption. */
export const createPromoRedemptionInputSchema = z.strictObject(redemptionFields);
/** Redemptions never change. */
export const patchPromoRedemptionInputSchema = z.strictObject({});
/** One use of a promo code (see {@link promoRedemptionSchema}). */
export type PromoRedemption = z.output<typeof promoRedemptionSchema>;

/**
 * The discount a member subscription carries for its renewals: what the code takes off each
 * cycle and how many discounted renewals are left (`'all'`: every renewal).
 *
 * @example
 * ```ts
 * subscriptionDiscountSchema.parse({ promoCodeId, kind: 'percent', value: 20, cyclesRemaining: 2 })
 * ```
 */
export const subscriptionDiscountSchema = z.strictObject({
  promoCodeId: idSchema('PromoCodeId'),
  code: promoCodeTextSchema,
  kind: z.enum(PROMO_CODE_KINDS),
  value: promoCodeFields.value,
  currency: currencyCodeSchema.optional(),
  cyclesRemaining: z.union([z.number().int().min(0).max(MAX_PROMO_CODE_CYCLES), z.literal('all')]),
});
/** The discount a member subscription carries for its renewals. */
export type SubscriptionDiscount = z.output<typeof subscriptionDiscountSchema>;

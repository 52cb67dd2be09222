import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedPromoCodeSchema, storedPromoRedemptionSchema } from './promo-code.schema.js';

/**
 * The `promo_codes` collection: a facility's promo codes, one per normalised code and
 * facility (a unique index), listed per facility.
 *
 * @example
 * ```ts
 * PROMO_CODES_COLLECTION.indexes.map((index) => index.name) // ['facilityId_code_unique']
 * ```
 */
export const PROMO_CODES_COLLECTION = {
  name: 'promo_codes',
  storedSchema: storedPromoCodeSchema,
  schemaVersion: 1,
  indexes: [{ key: { facilityId: 1, code: 1 }, name: 'facilityId_code_unique', unique: true }],
} as const satisfies MongoCollectionDefinition;

/**
 * The `promo_redemptions` collection: one redemption per purchase's payment intent (a unique
 * index), counted per code and member for the per-member limit, listed per member.
 *
 * @example
 * ```ts
 * PROMO_REDEMPTIONS_COLLECTION.indexes.map((index) => index.name) // ['intentId_unique', 'promoCodeId_userId', 'userId']
 * ```
 */
export const PROMO_REDEMPTIONS_COLLECTION = {
  name: 'promo_redemptions',
  storedSchema: storedPromoRedemptionSchema,
  schemaVersion: 1,
  indexes: [
    { key: { intentId: 1 }, name: 'intentId_unique', unique: true },
    { key: { promoCodeId: 1, userId: 1 }, name: 'promoCodeId_userId' },
    { key: { userId: 1 }, name: 'userId' },
  ],
} as const satisfies MongoCollectionDefinition;

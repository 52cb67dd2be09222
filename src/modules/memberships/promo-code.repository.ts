import type { Db } from 'mongodb';
import type { FacilityId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, sessionOf, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import { PROMO_CODES_COLLECTION, PROMO_REDEMPTIONS_COLLECTION } from './promo-code.collection.js';
import {
  createPromoRedemptionInputSchema,
  newPromoCodeSchema,
  patchPromoCodeInputSchema,
  patchPromoRedemptionInputSchema,
  promoCodeSchema,
  promoCodeTextSchema,
  promoRedemptionSchema,
  type PromoCode,
  type PromoRedemption,
} from './promo-code.schema.js';

/**
 * The `promo_codes` collection: a facility's codes, the lookup of a normalised code, and the
 * conditional increment of `redemptionCount` that holds `maxRedemptions` under concurrency.
 *
 * @example
 * ```ts
 * const codes = new PromoCodeRepository(db, deps)
 * const code = await codes.findByCode(facilityId, 'SUMMER26')
 * ```
 */
export class PromoCodeRepository extends MongoRepository<PromoCode, typeof newPromoCodeSchema, typeof patchPromoCodeInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    const definition = PROMO_CODES_COLLECTION;
    super(
      db,
      {
        entity: 'promo code',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: promoCodeSchema,
        idSchema: promoCodeSchema.shape.id,
        createSchema: newPromoCodeSchema,
        patchSchema: patchPromoCodeInputSchema,
        codec: createDocumentCodec<PromoCode>(definition.storedSchema),
      },
      deps,
    );
  }

  /** The facility's code `code` (already normalised), or `null` (index `facilityId_code_unique`). */
  async findByCode(facilityId: FacilityId, code: string, ctx?: StoreContext): Promise<PromoCode | null> {
    const filter = { facilityId: this.#facility(facilityId), code: this.parse(promoCodeTextSchema, code) };
    return this.run('findByCode', () => this.findOneWhere(filter, ctx));
  }

  /** The facility's codes, newest last, a page at a time. */
  async listByFacility(facilityId: FacilityId, page?: PageRequest, ctx?: StoreContext): Promise<Page<PromoCode>> {
    return this.pageWhere('listByFacility', { facilityId: this.#facility(facilityId) }, [['_id', 1]], page, ctx);
  }

  /**
   * Counts one redemption if fewer than `maxRedemptions` are counted: one conditional
   * `findOneAndUpdate`, so however many purchases race, at most the limit succeed. `null` when
   * the limit is reached.
   */
  async claimRedemption(code: PromoCode, ctx?: StoreContext): Promise<PromoCode | null> {
    return this.run('claimRedemption', () =>
      this.updateAtomically(code.id, code.maxRedemptions === undefined ? {} : { redemptionCount: { $lt: code.maxRedemptions } }, { $inc: { redemptionCount: 1 } }, {}, ctx),
    );
  }

  #facility(facilityId: unknown) {
    return this.config.codec.toStoredValue('facilityId', this.parse(promoCodeSchema.shape.facilityId, facilityId));
  }
}

/**
 * The `promo_redemptions` collection: one row per purchase that redeemed a code, counted per
 * code and member, listed and erased with the member.
 *
 * @example
 * ```ts
 * const redemptions = new PromoRedemptionRepository(db, deps)
 * await redemptions.countByUser(promoCodeId, userId)
 * ```
 */
export class PromoRedemptionRepository extends MongoRepository<PromoRedemption, typeof createPromoRedemptionInputSchema, typeof patchPromoRedemptionInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    const definition = PROMO_REDEMPTIONS_COLLECTION;
    super(
      db,
      {
        entity: 'promo redemption',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: promoRedemptionSchema,
        idSchema: promoRedemptionSchema.shape.id,
        createSchema: createPromoRedemptionInputSchema,
        patchSchema: patchPromoRedemptionInputSchema,
        codec: createDocumentCodec<PromoRedemption>(definition.storedSchema),
      },
      deps,
    );
  }

  /** How many times the member redeemed the code (index `promoCodeId_userId`). */
  async countByUser(promoCodeId: PromoCode['id'], userId: UserId, ctx?: StoreContext): Promise<number> {
    const filter = {
      promoCodeId: this.config.codec.toStoredValue('promoCodeId', this.parse(promoRedemptionSchema.shape.promoCodeId, promoCodeId)),
      userId: this.#user(userId),
    };
    return this.countWhere(filter, ctx);
  }

  /** Every redemption of the user, oldest first, a page at a time. */
  async listByUser(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<PromoRedemption>> {
    return this.pageWhere('listByUser', { userId: this.#user(userId) }, [['_id', 1]], page, ctx);
  }

  /** Removes every redemption of the user (erasure); returns how many. The codes' counts stay. */
  async deleteAllOfUser(userId: UserId, ctx?: StoreContext): Promise<number> {
    return this.run('deleteAllOfUser', async () => (await this.collection.deleteMany({ userId: this.#user(userId) }, sessionOf(ctx))).deletedCount);
  }

  #user(userId: unknown) {
    return this.config.codec.toStoredValue('userId', this.parse(promoRedemptionSchema.shape.userId, userId));
  }
}

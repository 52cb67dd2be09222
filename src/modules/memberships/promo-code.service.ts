import { z } from 'zod';
import { ConflictError, NotFoundError, ValidationError } from '../../core/errors.js';
import { idSchema, type FacilityId, type UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { instantSchema, uuidSchema } from '../../core/schema-primitives.js';
import { currencyCodeSchema, minorUnitsSchema } from '../../core/money.js';
import { parseOrThrow } from '../../core/validation.js';
import type { DocumentLocks } from '../../stores/mongo/document-lock.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import { auditSnapshot, type AuditTrail } from '../audit/audit-trail.js';
import type { ServiceDeps } from '../service-deps.js';
import type { MemberSubscriptionRepository } from './member-subscription.repository.js';
import type { MemberSubscription } from './member-subscription.schema.js';
import type { MembershipRepository } from './membership.repository.js';
import type { PromoCodeRepository, PromoRedemptionRepository } from './promo-code.repository.js';
import {
  createPromoCodeInputSchema,
  promoCodeInputSchema,
  promoCodeSchema,
  promoRedemptionSchema,
  type CreatePromoCodeInput,
  type PromoCode,
  type PromoRedemption,
  type SubscriptionDiscount,
} from './promo-code.schema.js';
import { discountedPrice, type DiscountedPrice } from './promo-discount.js';

const facilityIdSchema = promoCodeSchema.shape.facilityId;
const promoCodeIdSchema = promoCodeSchema.shape.id;

const quoteSchema = z.strictObject({
  facilityId: facilityIdSchema,
  code: promoCodeInputSchema,
  membershipId: idSchema('MembershipId'),
  userId: promoRedemptionSchema.shape.userId,
  price: minorUnitsSchema,
  currency: currencyCodeSchema,
  at: instantSchema,
});
/**
 * What {@link PromoCodeService.quote} checks a code against: the plan bought, by whom, at which price and when.
 *
 * @useDeclaredType
 */
export type PromoQuoteInput = z.input<typeof quoteSchema>;

/** A code that applies to a purchase, and the price it gives. */
export interface PromoQuote {
  readonly promoCode: PromoCode;
  readonly price: DiscountedPrice;
}

const redeemSchema = z.strictObject({
  promoCodeId: promoCodeIdSchema,
  userId: promoRedemptionSchema.shape.userId,
  memberSubscriptionId: promoRedemptionSchema.shape.memberSubscriptionId,
  intentId: uuidSchema,
  discount: promoRedemptionSchema.shape.discount,
  currency: currencyCodeSchema,
});
/**
 * What {@link PromoCodeService.redeem} records: the purchase that used the code and its discount.
 *
 * @useDeclaredType
 */
export type PromoRedemptionInput = z.input<typeof redeemSchema>;

/** The key of the lock that serialises one member's redemptions of one code (the per-member limit). */
function memberRedemptionsKey(promoCodeId: string, userId: string): string {
  return `promo-redemptions:${promoCodeId}:${userId}`;
}

/**
 * Promo codes and discounts (Mindbody promo codes, Glofox discounts for N cycles): staff with
 * `manage_memberships` create and deactivate a facility's codes (audited); the purchase
 * workflow quotes a code before it charges and redeems it in its unit of work.
 *
 * @example
 * ```ts
 * const code = await nexfit.promoCodes.create({ facilityId, code: 'summer26', kind: 'percent', value: 20, cycles: 3, maxRedemptions: 100 });
 * await nexfit.workflows.purchaseMembership({ userId, membershipId, paymentMethod: 'card', autoRenew: true, idempotencyKey, promoCode: 'SUMMER26' });
 * ```
 */
export class PromoCodeService {
  readonly #codes: PromoCodeRepository;
  readonly #redemptions: PromoRedemptionRepository;
  readonly #plans: MembershipRepository;
  readonly #subscriptions: MemberSubscriptionRepository;
  readonly #locks: DocumentLocks;
  readonly #audit: AuditTrail;
  readonly #deps: ServiceDeps;

  constructor(
    stores: {
      readonly codes: PromoCodeRepository;
      readonly redemptions: PromoRedemptionRepository;
      readonly plans: MembershipRepository;
      readonly subscriptions: MemberSubscriptionRepository;
      readonly locks: DocumentLocks;
    },
    audit: AuditTrail,
    deps: ServiceDeps,
  ) {
    this.#codes = stores.codes;
    this.#redemptions = stores.redemptions;
    this.#plans = stores.plans;
    this.#subscriptions = stores.subscriptions;
    this.#locks = stores.locks;
    this.#audit = audit;
    this.#deps = deps;
  }

  /**
   * Creates a facility's promo code, audited. The code is normalised (NFKC, trimmed, upper
   * case); one already used at the facility is refused with `ConflictError('duplicate')`.
   * `planIds` must be plans of the facility (`ValidationError` otherwise); a fixed discount's
   * currency must be theirs. Nothing is written on bad input.
   *
   * @example
   * ```ts
   * await promoCodes.create({ facilityId, code: 'WELCOME', kind: 'fixed', value: 100_00, currency: 'TRY', maxRedemptionsPerUser: 1 });
   * ```
   */
  async create(input: CreatePromoCodeInput, uow?: UnitOfWork): Promise<PromoCode> {
    const data = this.#parse(createPromoCodeInputSchema, input);
    if (data.planIds) {
      const plans = await this.#plans.findManyByIds(data.planIds, uow?.ctx);
      const foreign = data.planIds.filter((id) => !plans.some((p) => p.id === id && p.facilityId === data.facilityId));
      const otherCurrency = data.currency ? plans.filter((p) => p.currency !== data.currency).map((p) => p.id) : [];
      if (foreign.length > 0 || otherCurrency.length > 0) {
        throw new ValidationError('Invalid promo code', [
          ...foreign.map((id) => ({ path: ['planIds'], code: 'custom', message: `Plan ${id} is not a plan of the facility` })),
          ...otherCurrency.map((id) => ({ path: ['currency'], code: 'custom', message: `Plan ${id} is sold in another currency` })),
        ]);
      }
    }
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const created = await this.#codes.create({ ...data, active: true, redemptionCount: 0 }, u.ctx);
      await this.#audit.record(u, { entityType: 'promo_codes', entityId: created.id, action: 'create', newState: auditSnapshot(created) });
      return created;
    });
  }

  /**
   * Stops a facility's code from being redeemed, audited; purchases already charged with it
   * complete, and subscriptions keep their discount. Deactivating an inactive code changes
   * nothing. A code of another facility is `NotFoundError`.
   */
  async deactivate(facilityId: FacilityId, promoCodeId: PromoCode['id'], uow?: UnitOfWork): Promise<PromoCode> {
    const facility = this.#parse(facilityIdSchema, facilityId);
    const id = this.#parse(promoCodeIdSchema, promoCodeId);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const current = await this.#codes.findById(id, u.ctx);
      if (!current || current.facilityId !== facility) throw new NotFoundError('promo code', id);
      if (!current.active) return current;
      const after = await this.#codes.patch(id, { active: false, deactivatedAt: this.#deps.clock.now() }, { expectedVersion: current.version }, u.ctx);
      await this.#audit.record(u, { entityType: 'promo_codes', entityId: id, action: 'deactivate', previousState: auditSnapshot(current), newState: auditSnapshot(after) });
      return after;
    });
  }

  /** The facility's promo codes, oldest first, a page at a time. */
  async list(facilityId: FacilityId, page?: PageRequest): Promise<Page<PromoCode>> {
    return this.#codes.listByFacility(this.#parse(facilityIdSchema, facilityId), page);
  }

  /**
   * Checks a code against a purchase before anything is charged and prices it. Refusals:
   * `NotFoundError` (no such code at the facility), `ConflictError('promo_code_inactive')`,
   * `'promo_code_expired'` (outside `[validFrom, validUntil)`), `'promo_code_not_applicable'`
   * (a plan outside `planIds`, a fixed discount in another currency, or a price the discount
   * would bring to 0), `'promo_code_exhausted'` (the total or the member's limit is used up).
   */
  async quote(input: PromoQuoteInput): Promise<PromoQuote> {
    const data = this.#parse(quoteSchema, input);
    const promoCode = await this.#codes.findByCode(data.facilityId, data.code);
    if (!promoCode) throw new NotFoundError('promo code', data.code);
    const details = { promoCodeId: promoCode.id, code: promoCode.code };
    if (!promoCode.active) throw new ConflictError('promo_code_inactive', `Promo code ${promoCode.code} was deactivated`, { details });
    if ((promoCode.validFrom && data.at < promoCode.validFrom) || (promoCode.validUntil && data.at >= promoCode.validUntil)) {
      throw new ConflictError('promo_code_expired', `Promo code ${promoCode.code} is not valid at ${data.at.toISOString()}`, {
        details: { ...details, validFrom: promoCode.validFrom?.toISOString() ?? null, validUntil: promoCode.validUntil?.toISOString() ?? null },
      });
    }
    if (promoCode.planIds && !promoCode.planIds.includes(data.membershipId)) {
      throw new ConflictError('promo_code_not_applicable', `Promo code ${promoCode.code} does not apply to plan ${data.membershipId}`, { details });
    }
    if (promoCode.currency && promoCode.currency !== data.currency) {
      throw new ConflictError('promo_code_not_applicable', `Promo code ${promoCode.code} is a ${promoCode.currency} discount; the plan is sold in ${data.currency}`, { details });
    }
    const price = discountedPrice(data.price, promoCode);
    // A purchase records a paid transaction: free memberships are given by staff, not sold with a code.
    if (price.amount === 0) throw new ConflictError('promo_code_not_applicable', `Promo code ${promoCode.code} would make the price 0`, { details });
    if (promoCode.maxRedemptions !== undefined && promoCode.redemptionCount >= promoCode.maxRedemptions) {
      throw new ConflictError('promo_code_exhausted', `Promo code ${promoCode.code} has been redeemed ${promoCode.maxRedemptions} times`, { details: { ...details, limit: 'total' } });
    }
    if (promoCode.maxRedemptionsPerUser !== undefined && (await this.#redemptions.countByUser(promoCode.id, data.userId)) >= promoCode.maxRedemptionsPerUser) {
      throw new ConflictError('promo_code_exhausted', `The member has redeemed promo code ${promoCode.code} ${promoCode.maxRedemptionsPerUser} times`, { details: { ...details, limit: 'per_user' } });
    }
    return { promoCode, price };
  }

  /**
   * Records a purchase's redemption in its unit of work: the member's redemptions of the code
   * are serialised by a lock document and counted against `maxRedemptionsPerUser`, then
   * `redemptionCount` is raised by one conditional update below `maxRedemptions`. A limit that
   * a racing purchase took is `ConflictError('promo_code_exhausted')` (the purchase then
   * refunds its charge). Validity and deactivation are not checked again: they were checked
   * when the purchase's price was fixed, so a recovered purchase redeems as the live one would.
   */
  async redeem(input: PromoRedemptionInput, uow: UnitOfWork): Promise<PromoRedemption> {
    const data = this.#parse(redeemSchema, input);
    const promoCode = await this.#codes.getById(data.promoCodeId, uow.ctx);
    const details = { promoCodeId: promoCode.id, code: promoCode.code };
    if (promoCode.maxRedemptionsPerUser !== undefined) {
      await this.#locks.lock(memberRedemptionsKey(promoCode.id, data.userId), uow.ctx);
      if ((await this.#redemptions.countByUser(promoCode.id, data.userId as UserId, uow.ctx)) >= promoCode.maxRedemptionsPerUser) {
        throw new ConflictError('promo_code_exhausted', `The member has redeemed promo code ${promoCode.code} ${promoCode.maxRedemptionsPerUser} times`, { details: { ...details, limit: 'per_user' } });
      }
    }
    const claimed = await this.#codes.claimRedemption(promoCode, uow.ctx);
    if (!claimed) throw new ConflictError('promo_code_exhausted', `Promo code ${promoCode.code} has been redeemed ${promoCode.maxRedemptions ?? 0} times`, { details: { ...details, limit: 'total' } });
    return this.#redemptions.create({ ...data, facilityId: promoCode.facilityId, at: this.#deps.clock.now() }, uow.ctx);
  }

  /**
   * Counts one discounted renewal off a subscription's discount, in the renewal's unit of work
   * (a conditional decrement, so a replayed renewal cannot use two). Returns the subscription
   * after it, or `null` when there was nothing to count (no discount, or one for every cycle).
   */
  async useRenewalCycle(memberSubscriptionId: MemberSubscription['id'], uow: UnitOfWork): Promise<MemberSubscription | null> {
    const id = this.#parse(promoRedemptionSchema.shape.memberSubscriptionId, memberSubscriptionId);
    return this.#subscriptions.useDiscountCycle(id, uow.ctx);
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { ...(this.#deps.locale ? { locale: this.#deps.locale } : {}), entity: 'promo code' });
  }
}

/**
 * The discount a subscription bought with `promoCode` carries into its renewals, or `undefined`
 * when the code covered the purchase only (`cycles: 1`).
 *
 * @example
 * ```ts
 * subscriptionDiscountOf(code) // { promoCodeId, code: 'SUMMER26', kind: 'percent', value: 20, cyclesRemaining: 2 } for cycles: 3
 * ```
 */
export function subscriptionDiscountOf(promoCode: Pick<PromoCode, 'id' | 'code' | 'kind' | 'value' | 'currency' | 'cycles'>): SubscriptionDiscount | undefined {
  if (promoCode.cycles === 1) return undefined;
  return {
    promoCodeId: promoCode.id,
    code: promoCode.code,
    kind: promoCode.kind,
    value: promoCode.value,
    ...(promoCode.currency ? { currency: promoCode.currency } : {}),
    cyclesRemaining: promoCode.cycles === 'all' ? 'all' : promoCode.cycles - 1,
  };
}

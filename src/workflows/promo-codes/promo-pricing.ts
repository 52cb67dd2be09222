import type { JsonObject } from 'type-fest';
import type { MinorUnits } from '../../core/money.js';
import type { PaymentIntent } from '../../modules/billing/index.js';
import {
  discountedPrice,
  subscriptionDiscountOf,
  type Membership,
  type MemberSubscription,
  type PromoCodeService,
  type SubscriptionDiscount,
} from '../../modules/memberships/index.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';

/** What the promo-code steps of the purchase and renewal workflows work with. */
export interface PromoPricingDeps {
  readonly promoCodes: Pick<PromoCodeService, 'quote' | 'redeem' | 'useRenewalCycle'>;
}

/**
 * The promo code a purchase intent fixes in its terms: the code, its discount, the list price
 * and what the discount took off, and the discount the subscription carries into its renewals.
 * Recovery redeems and stores exactly this, whatever the code says by then.
 */
export interface PromoTerms extends JsonObject {
  readonly promoCodeId: string;
  readonly code: string;
  readonly listPrice: number;
  readonly discount: number;
  /** The discount the member subscription keeps for its renewals (absent: the purchase only). */
  readonly renewals?: JsonObject;
}

/** A purchase priced with a promo code: what is charged and what the intent's terms keep. */
export interface PromoPurchasePrice {
  readonly amount: MinorUnits;
  readonly terms: PromoTerms;
}

/**
 * Checks `code` against a purchase of `plan` and prices it (see `PromoCodeService.quote` for
 * the refusals): nothing is written and nothing charged when it is refused.
 *
 * @example
 * ```ts
 * const { amount, terms } = await pricePurchaseWithPromo(deps, { plan, userId, code: 'SUMMER26', price: plan.price, at: clock.now() });
 * ```
 */
export async function pricePurchaseWithPromo(
  deps: PromoPricingDeps,
  input: { readonly plan: Pick<Membership, 'id' | 'facilityId' | 'currency'>; readonly userId: string; readonly code: string; readonly price: MinorUnits; readonly at: Date },
): Promise<PromoPurchasePrice> {
  const { promoCode, price } = await deps.promoCodes.quote({
    facilityId: input.plan.facilityId,
    code: input.code,
    membershipId: input.plan.id,
    userId: input.userId,
    price: input.price,
    currency: input.plan.currency,
    at: input.at,
  });
  const renewals = subscriptionDiscountOf(promoCode);
  return {
    amount: price.amount,
    terms: { promoCodeId: promoCode.id, code: promoCode.code, listPrice: price.listPrice, discount: price.discount, ...(renewals ? { renewals: { ...renewals } as JsonObject } : {}) },
  };
}

/**
 * Redeems the promo code a purchase intent fixed, in the purchase's unit of work
 * (`ConflictError('promo_code_exhausted')` when a racing purchase took the last redemption;
 * the unit then fails and the charge is refunded). An intent without a promo code does nothing.
 */
export async function redeemPurchasePromo(
  deps: PromoPricingDeps,
  intent: PaymentIntent,
  memberSubscriptionId: string,
  u: UnitOfWork,
): Promise<void> {
  const promo = intent.terms['promo'] as PromoTerms | undefined;
  if (!promo) return;
  await deps.promoCodes.redeem(
    { promoCodeId: promo.promoCodeId, userId: intent.userId, memberSubscriptionId, intentId: intent.intentId, discount: promo.discount, currency: intent.currency },
    u,
  );
}

/** The discount a purchase intent's terms give the new subscription for its renewals, if any. */
export function renewalDiscountOf(terms: JsonObject): SubscriptionDiscount | undefined {
  const promo = terms['promo'] as PromoTerms | undefined;
  return promo?.renewals as SubscriptionDiscount | undefined;
}

/** How an invoice shows a purchase's promo code: the list price and the discount off it. */
export function invoiceDiscountOf(terms: JsonObject): { readonly description: string; readonly listPrice: number; readonly amount: number } | undefined {
  const promo = terms['promo'] as PromoTerms | undefined;
  return promo ? { description: `Promo code ${promo.code}`, listPrice: promo.listPrice, amount: promo.discount } : undefined;
}

/** A renewal's price: what is charged, and the intent terms that record its discount. */
export interface RenewalPrice {
  readonly amount: MinorUnits;
  readonly terms: { readonly renewalDiscount?: JsonObject };
}

/**
 * The price of a subscription's next renewal: the plan's current price, less the promo-code
 * discount the subscription still carries (`cyclesRemaining` above 0, or `'all'`; a fixed
 * discount only in its own currency), by the one rounding of {@link discountedPrice}. Every
 * sale records a paid transaction, so a discount never takes a renewal below one minor unit
 * (only possible when a plan's price was lowered below a fixed discount).
 *
 * @example
 * ```ts
 * renewalPrice({ discount: { promoCodeId, code: 'SUMMER26', kind: 'percent', value: 20, cyclesRemaining: 2 } }, { price: 1_500_00, currency: 'TRY' }).amount // 1_200_00
 * ```
 */
export function renewalPrice(subscription: Pick<MemberSubscription, 'discount'>, plan: Pick<Membership, 'price' | 'currency'>): RenewalPrice {
  const discount = subscription.discount;
  const applies =
    discount !== undefined && (discount.cyclesRemaining === 'all' || discount.cyclesRemaining > 0) && (discount.currency === undefined || discount.currency === plan.currency);
  if (!applies || plan.price <= 1) return { amount: plan.price, terms: {} };
  const price = discountedPrice(plan.price, discount);
  const amount = Math.max(1, price.amount);
  return { amount, terms: { renewalDiscount: { promoCodeId: discount.promoCodeId, code: discount.code, listPrice: plan.price, discount: plan.price - amount } } };
}

/**
 * Counts the discounted renewal off the subscription's remaining cycles, in the renewal's unit
 * of work, when the renewal intent's terms recorded a discount.
 */
export async function useRenewalDiscount(deps: PromoPricingDeps, intent: PaymentIntent, memberSubscriptionId: string, u: UnitOfWork): Promise<void> {
  if (intent.terms['renewalDiscount']) await deps.promoCodes.useRenewalCycle(memberSubscriptionId as MemberSubscription['id'], u);
}

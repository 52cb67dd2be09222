import { mulDivRound, type MinorUnits } from '../../core/money.js';
import type { PromoCodeKind } from './promo-code.schema.js';

/** A discount as a price computation needs it: percent (1..100) or a fixed amount in minor units. */
export interface DiscountTerms {
  readonly kind: PromoCodeKind;
  readonly value: number;
}

/** A price after a discount: what is charged, and what the discount took off. */
export interface DiscountedPrice {
  readonly listPrice: MinorUnits;
  readonly discount: MinorUnits;
  readonly amount: MinorUnits;
}

/**
 * The one rounding of promo-code discounts (docs/modules/memberships.md, "Promo codes and
 * discounts"): a percent discount is `price × percent ÷ 100`, rounded once, half away from
 * zero (`mulDivRound`); a fixed discount is its amount. The discount never exceeds the
 * price, so the charge never goes below 0 (a purchase refuses a code that would make it 0).
 *
 * @example
 * ```ts
 * discountedPrice(999, { kind: 'percent', value: 15 }) // { listPrice: 999, discount: 150, amount: 849 } (149.85 rounds to 150)
 * discountedPrice(500, { kind: 'fixed', value: 800 })  // { listPrice: 500, discount: 500, amount: 0 }
 * ```
 */
export function discountedPrice(price: MinorUnits, terms: DiscountTerms): DiscountedPrice {
  const raw = terms.kind === 'percent' ? mulDivRound(price, terms.value, 100) : terms.value;
  const discount = Math.min(price, Math.max(0, raw));
  return { listPrice: price, discount, amount: price - discount };
}

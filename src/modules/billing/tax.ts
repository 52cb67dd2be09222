import { mulDivRound, type MinorUnits } from '../../core/money.js';
import type { BusinessId } from '../../core/ids.js';

/** Tax rates in basis points (1 % = 100): 20 % is `2000`. */
export type BasisPoints = number;

/** Turkish VAT (KDV) general rate, 20 % since July 2023. */
export const TURKISH_VAT_RATE: BasisPoints = 20_00;

/** The VAT rate of a business; the host injects one to override the default per business. */
export type TaxRatePolicy = (businessId: BusinessId) => BasisPoints;

/** Every business at the Turkish general VAT rate. */
export const defaultTaxRatePolicy: TaxRatePolicy = () => TURKISH_VAT_RATE;

/** A gross amount split into net and tax; `net + tax === gross` always. */
export interface TaxBreakdown {
  readonly gross: MinorUnits;
  readonly net: MinorUnits;
  readonly tax: MinorUnits;
  readonly rate: BasisPoints;
}

/**
 * Splits a tax-inclusive price into net and tax, exactly, in integer minor units. Plan prices
 * are tax-inclusive because Turkish consumer prices must be shown with KDV included (the
 * price a member sees is the price they pay). Rule: `net = round(gross × 10000 / (10000 +
 * rate))`, rounded half away from zero, and `tax = gross − net`, so the invoice's lines
 * always add up to the amount charged.
 *
 * @example
 * ```ts
 * splitInclusiveTax(1_500_00, 20_00) // { gross: 150000, net: 125000, tax: 25000, rate: 2000 }
 * splitInclusiveTax(1_00, 20_00)     // { gross: 100, net: 83, tax: 17, rate: 2000 } (83.33 → 83)
 * ```
 */
export function splitInclusiveTax(gross: MinorUnits, rate: BasisPoints): TaxBreakdown {
  if (!Number.isSafeInteger(rate) || rate < 0 || rate > 100_00) throw new RangeError(`Tax rate must be 0..10000 basis points, got ${rate}`);
  const net = mulDivRound(gross, 100_00, 100_00 + rate);
  return { gross, net, tax: gross - net, rate };
}

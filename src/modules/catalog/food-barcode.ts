import { z } from 'zod';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';

/**
 * True when `code` is a GS1 barcode a food package carries — EAN-8, UPC-A (12 digits) or
 * EAN-13 — and its last digit is the GS1 check digit of the others: digits weighted 3 and 1
 * alternately from the right (the check digit excluded), the check digit bringing the sum
 * to a multiple of 10.
 *
 * @example
 * ```ts
 * isValidFoodBarcode('4006381333931') // true
 * isValidFoodBarcode('4006381333932') // false: wrong check digit
 * ```
 */
export function isValidFoodBarcode(code: string): boolean {
  if (!/^(\d{8}|\d{12}|\d{13})$/.test(code)) return false;
  const digits = [...code].map(Number);
  const check = digits.pop()!;
  let sum = 0;
  for (let i = digits.length - 1, weight = 3; i >= 0; i--, weight = weight === 3 ? 1 : 3) sum += digits[i]! * weight;
  return (10 - (sum % 10)) % 10 === check;
}

/**
 * A food's barcode: EAN-8, UPC-A or EAN-13 digits with a valid check digit (see
 * {@link isValidFoodBarcode}); surrounding spaces are trimmed.
 *
 * @example
 * ```ts
 * foodBarcodeSchema.parse(' 4006381333931 ') // '4006381333931'
 * ```
 */
export const foodBarcodeSchema = z.string().trim().max(13, { error: M.barcode.en }).refine(isValidFoodBarcode, { error: M.barcode.en });

/**
 * Rounds a measured quantity (kg, cm, kcal, grams — never money, which is integer minor
 * units) half away from zero to `digits` decimals. The value is first cut to 12 significant
 * digits, which drops the noise of binary floating point before the half is judged:
 * `72.4 - 70.1` is `2.3000000000000043` and `80 / 1.6 ** 2` is `31.249999999999996`.
 *
 * @example
 * ```ts
 * roundTo(80 / 1.6 ** 2, 1) // 31.3
 * roundTo(72.4 - 70.1, 2)  // 2.3
 * ```
 */
export function roundTo(value: number, digits: number): number {
  const factor = 10 ** digits;
  const result = (Math.sign(value) * Math.round(Number((Math.abs(value) * factor).toPrecision(12)))) / factor;
  return Object.is(result, -0) ? 0 : result;
}

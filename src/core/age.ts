/**
 * Whole years from `dateOfBirth` to `asOf` (a birthday counts from its calendar day, UTC; a
 * 29 February birthday counts from 1 March in a common year). The energy estimate and the
 * guardian links' minor rule both use it.
 *
 * @example
 * ```ts
 * ageInYears(new Date('1990-03-02'), new Date('2026-03-01')) // 35
 * ```
 */
export function ageInYears(dateOfBirth: Date, asOf: Date): number {
  const years = asOf.getUTCFullYear() - dateOfBirth.getUTCFullYear();
  const beforeBirthday =
    asOf.getUTCMonth() < dateOfBirth.getUTCMonth() || (asOf.getUTCMonth() === dateOfBirth.getUTCMonth() && asOf.getUTCDate() < dateOfBirth.getUTCDate());
  return beforeBirthday ? years - 1 : years;
}

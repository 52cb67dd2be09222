import { Temporal } from 'temporal-polyfill';
import { mulDivRound, type MinorUnits } from '../../core/money.js';

/**
 * The share of a cycle's price for `days` of its `cycleDays` calendar days: `price × days /
 * cycleDays`, rounded once, half away from zero, in exact integer arithmetic (the rounding
 * tax uses, `mulDivRound` of `core/money.ts`). Every proration in the SDK goes through this one function.
 *
 * @example
 * ```ts
 * prorateAmount(1_500_00, 17, 31) // 82_258: 2 550 000 / 31 = 82 258.06…
 * prorateAmount(99, 1, 2)         // 50: 49.5 rounds away from zero
 * ```
 */
export function prorateAmount(price: MinorUnits, days: number, cycleDays: number): MinorUnits {
  if (!Number.isSafeInteger(days) || !Number.isSafeInteger(cycleDays) || cycleDays <= 0 || days < 0 || days > cycleDays) {
    throw new RangeError(`Proration takes 0..${cycleDays} days of a positive cycle, got ${days}/${cycleDays}`);
  }
  return mulDivRound(price, days, cycleDays);
}

/** Calendar days from the date of `from` to the date of `to`, both read in `timeZone` (a DST day counts once). */
export function calendarDaysBetween(from: Date, to: Date, timeZone: string): number {
  const a = dateIn(from, timeZone);
  const b = dateIn(to, timeZone);
  return a.until(b, { largestUnit: 'days' }).days;
}

/** A mid-cycle start aligned to a billing day: what the first, partial period costs and when it ends. */
export interface ProratedStart {
  /** What the partial period costs: {@link prorateAmount} of the monthly price. */
  readonly amount: MinorUnits;
  /** The first billing day after the start, at the start's wall-clock time in the zone; full cycles run from here. */
  readonly periodEnd: Date;
  /** Calendar days charged: from the start's date up to (not including) the billing day. */
  readonly days: number;
  /** Calendar days of the month-long cycle that ends on that billing day. */
  readonly cycleDays: number;
}

/**
 * The first period of a monthly membership that starts mid-cycle and bills on `billingDay`
 * (1..28) of each month afterwards (Mindbody's `ProrateDate`, Glofox's pro-rata billing).
 * Days are calendar dates in the facility's zone. A start on the billing day itself is no
 * proration: `null`, the purchase is a full cycle.
 *
 * @example
 * ```ts
 * proratedStart(1_500_00, new Date('2026-01-15T09:00:00Z'), 1, 'Europe/Istanbul')
 * // { amount: 82_258, periodEnd: 2026-02-01T09:00:00Z, days: 17, cycleDays: 31 }
 * ```
 */
export function proratedStart(monthlyPrice: MinorUnits, start: Date, billingDay: number, timeZone: string): ProratedStart | null {
  if (!Number.isSafeInteger(billingDay) || billingDay < 1 || billingDay > 28) throw new RangeError(`A billing day is 1..28, got ${billingDay}`);
  const zoned = Temporal.Instant.fromEpochMilliseconds(start.getTime()).toZonedDateTimeISO(timeZone);
  if (zoned.day === billingDay) return null;
  const thisMonth = zoned.with({ day: billingDay });
  const end = zoned.day < billingDay ? thisMonth : thisMonth.add({ months: 1 });
  const cycleStart = end.subtract({ months: 1 });
  const days = zoned.toPlainDate().until(end.toPlainDate(), { largestUnit: 'days' }).days;
  const cycleDays = cycleStart.toPlainDate().until(end.toPlainDate(), { largestUnit: 'days' }).days;
  return { amount: prorateAmount(monthlyPrice, days, cycleDays), periodEnd: new Date(end.epochMilliseconds), days, cycleDays };
}

/** What a change of plan on `at` is worth within the current period: the credit for the old plan and the charge for the new one. */
export interface PlanChangeQuote {
  /** Calendar days of the current period. */
  readonly cycleDays: number;
  /** Calendar days left, from the date of the change (which counts for the new plan) to the period's end. */
  readonly remainingDays: number;
  /** The unused part of the old plan's price: {@link prorateAmount}(old price, remaining, cycle). */
  readonly credit: MinorUnits;
  /** The new plan's part of the rest of the period: {@link prorateAmount}(new price, remaining, cycle). */
  readonly charge: MinorUnits;
  /** `charge − credit`: positive is due now (upgrade), negative is owed back (downgrade). */
  readonly difference: MinorUnits;
}

/**
 * Prices a plan change on `at` within the period `periodStart`..`periodEnd` (calendar days in
 * the facility's zone). Credit and charge are each rounded once by {@link prorateAmount}; the
 * difference is their exact difference, so the invoices of the two sides add up. A change on
 * the period's first day is a full swap; one on or after its last instant leaves nothing.
 *
 * @example
 * ```ts
 * quotePlanChange({ oldPrice: 1_000_00, newPrice: 1_600_00, periodStart, periodEnd, at, timeZone: 'Europe/Istanbul' })
 * ```
 */
export function quotePlanChange(input: {
  readonly oldPrice: MinorUnits;
  readonly newPrice: MinorUnits;
  readonly periodStart: Date;
  readonly periodEnd: Date;
  readonly at: Date;
  readonly timeZone: string;
}): PlanChangeQuote {
  const cycleDays = calendarDaysBetween(input.periodStart, input.periodEnd, input.timeZone);
  if (cycleDays <= 0) throw new RangeError('A period ends after it starts');
  const from = input.at.getTime() < input.periodStart.getTime() ? input.periodStart : input.at;
  const remainingDays = input.at.getTime() >= input.periodEnd.getTime() ? 0 : Math.min(cycleDays, calendarDaysBetween(from, input.periodEnd, input.timeZone));
  const credit = prorateAmount(input.oldPrice, remainingDays, cycleDays);
  const charge = prorateAmount(input.newPrice, remainingDays, cycleDays);
  return { cycleDays, remainingDays, credit, charge, difference: charge - credit };
}

function dateIn(instant: Date, timeZone: string): Temporal.PlainDate {
  return Temporal.Instant.fromEpochMilliseconds(instant.getTime()).toZonedDateTimeISO(timeZone).toPlainDate();
}

import { describe, expect, it } from 'vitest';
import { prorateAmount, proratedStart, quotePlanChange } from '../../../src/modules/billing/proration.js';

const IST = 'Europe/Istanbul';
const at = (iso: string) => new Date(iso);

describe('prorateAmount', () => {
  it('rounds price × days / cycle once, half away from zero', () => {
    // 1 × 15 / 30 = 0.5 → 1; 3 × 15 / 30 = 1.5 → 2; 5 × 15 / 30 = 2.5 → 3 (not 2: not half-even).
    expect(prorateAmount(1, 15, 30)).toBe(1);
    expect(prorateAmount(3, 15, 30)).toBe(2);
    expect(prorateAmount(5, 15, 30)).toBe(3);
    // 1 500,00 × 17 / 31 = 822,5806… → 822,58.
    expect(prorateAmount(1_500_00, 17, 31)).toBe(82_258);
    expect(prorateAmount(1_500_00, 0, 31)).toBe(0);
    expect(prorateAmount(1_500_00, 31, 31)).toBe(1_500_00);
  });

  it('refuses days outside the cycle', () => {
    expect(() => prorateAmount(100, 32, 31)).toThrow(RangeError);
    expect(() => prorateAmount(100, -1, 31)).toThrow(RangeError);
    expect(() => prorateAmount(100, 1, 0)).toThrow(RangeError);
  });
});

describe('proratedStart (monthly price 1 500,00, Europe/Istanbul, UTC+3)', () => {
  // Every expected value below is computed by hand: days from the start's date to the billing
  // date, the cycle is the month that ends on the billing date, amount = 150 000 × days / cycle.
  const cases = [
    { name: 'mid-month start, billing on the 1st', start: '2026-01-15T09:00:00Z', billingDay: 1, end: '2026-02-01T09:00:00Z', days: 17, cycleDays: 31, amount: 82_258 }, // 2 550 000 / 31 = 82 258.06
    { name: 'start after the billing day: up to next month', start: '2026-12-20T09:00:00Z', billingDay: 10, end: '2027-01-10T09:00:00Z', days: 21, cycleDays: 31, amount: 101_613 }, // 3 150 000 / 31 = 101 612.90
    { name: 'start on the 31st, billing on the 1st', start: '2026-01-31T09:00:00Z', billingDay: 1, end: '2026-02-01T09:00:00Z', days: 1, cycleDays: 31, amount: 4_839 }, // 150 000 / 31 = 4 838.71
    { name: 'start on the 31st, billing on the 15th', start: '2026-03-31T09:00:00Z', billingDay: 15, end: '2026-04-15T09:00:00Z', days: 15, cycleDays: 31, amount: 72_581 }, // 2 250 000 / 31 = 72 580.65
    { name: 'leap year: start on 29 February', start: '2028-02-29T09:00:00Z', billingDay: 1, end: '2028-03-01T09:00:00Z', days: 1, cycleDays: 29, amount: 5_172 }, // 150 000 / 29 = 5 172.41
    { name: 'leap February, 20th to 1 March', start: '2028-02-20T09:00:00Z', billingDay: 1, end: '2028-03-01T09:00:00Z', days: 10, cycleDays: 29, amount: 51_724 }, // 1 500 000 / 29 = 51 724.14
    { name: 'common February, 20th to 1 March', start: '2026-02-20T09:00:00Z', billingDay: 1, end: '2026-03-01T09:00:00Z', days: 9, cycleDays: 28, amount: 48_214 }, // 1 350 000 / 28 = 48 214.29
    { name: 'late evening UTC is the next day in Istanbul', start: '2026-01-30T21:30:00Z', billingDay: 1, end: '2026-01-31T21:30:00Z', days: 1, cycleDays: 31, amount: 4_839 }, // Istanbul 31 Jan 00:30 → 1 Feb 00:30
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(proratedStart(1_500_00, at(c.start), c.billingDay, IST)).toEqual({ amount: c.amount, periodEnd: at(c.end), days: c.days, cycleDays: c.cycleDays });
    });
  }

  it('is no proration when the start falls on the billing day in the zone', () => {
    expect(proratedStart(1_500_00, at('2026-03-01T09:00:00Z'), 1, IST)).toBeNull();
    // 31 January 22:00 UTC is 1 February 01:00 in Istanbul.
    expect(proratedStart(1_500_00, at('2026-01-31T22:00:00Z'), 1, IST)).toBeNull();
  });

  it('takes billing days 1..28 only', () => {
    expect(() => proratedStart(1_500_00, at('2026-01-15T09:00:00Z'), 29, IST)).toThrow(RangeError);
    expect(() => proratedStart(1_500_00, at('2026-01-15T09:00:00Z'), 0, IST)).toThrow(RangeError);
  });
});

describe('quotePlanChange (Europe/Istanbul)', () => {
  // credit = old × remaining / cycle and charge = new × remaining / cycle, each rounded by hand.
  const cases = [
    // 2 March → 2 April: 31 days; 17 March leaves 16. 1 600 000 / 31 = 51 612.90; 2 560 000 / 31 = 82 580.65.
    { name: 'upgrade mid-cycle', oldPrice: 1_000_00, newPrice: 1_600_00, periodStart: '2026-03-02T09:00:00Z', periodEnd: '2026-04-02T09:00:00Z', at: '2026-03-17T09:00:00Z', cycleDays: 31, remainingDays: 16, credit: 51_613, charge: 82_581, difference: 30_968 },
    { name: 'downgrade mid-cycle', oldPrice: 1_600_00, newPrice: 1_000_00, periodStart: '2026-03-02T09:00:00Z', periodEnd: '2026-04-02T09:00:00Z', at: '2026-03-17T09:00:00Z', cycleDays: 31, remainingDays: 16, credit: 82_581, charge: 51_613, difference: -30_968 },
    { name: 'same-day change is a full swap', oldPrice: 1_000_00, newPrice: 1_600_00, periodStart: '2026-03-02T09:00:00Z', periodEnd: '2026-04-02T09:00:00Z', at: '2026-03-02T15:00:00Z', cycleDays: 31, remainingDays: 31, credit: 1_000_00, charge: 1_600_00, difference: 600_00 },
    // 31 January → 28 February 2026: 28 days; 14 February leaves 14. 150 000 / 2 = 75 000; 200 000 / 2 = 100 000.
    { name: 'month end: 31 January to 28 February', oldPrice: 1_500_00, newPrice: 2_000_00, periodStart: '2026-01-31T09:00:00Z', periodEnd: '2026-02-28T09:00:00Z', at: '2026-02-14T09:00:00Z', cycleDays: 28, remainingDays: 14, credit: 75_000, charge: 100_000, difference: 25_000 },
    // 31 January → 29 February 2028: 29 days; 15 February leaves 14. 145 000 × 14 / 29 = 70 000; 290 000 × 14 / 29 = 140 000.
    { name: 'leap year: 31 January to 29 February', oldPrice: 1_450_00, newPrice: 2_900_00, periodStart: '2028-01-31T09:00:00Z', periodEnd: '2028-02-29T09:00:00Z', at: '2028-02-15T09:00:00Z', cycleDays: 29, remainingDays: 14, credit: 70_000, charge: 140_000, difference: 70_000 },
    // The last day of the period is the renewal day: nothing left to credit or charge.
    { name: 'change on the renewal day', oldPrice: 1_000_00, newPrice: 1_600_00, periodStart: '2026-03-02T09:00:00Z', periodEnd: '2026-04-02T09:00:00Z', at: '2026-04-02T06:00:00Z', cycleDays: 31, remainingDays: 0, credit: 0, charge: 0, difference: 0 },
    { name: 'change after the period ended', oldPrice: 1_000_00, newPrice: 1_600_00, periodStart: '2026-03-02T09:00:00Z', periodEnd: '2026-04-02T09:00:00Z', at: '2026-04-10T09:00:00Z', cycleDays: 31, remainingDays: 0, credit: 0, charge: 0, difference: 0 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const quote = quotePlanChange({ oldPrice: c.oldPrice, newPrice: c.newPrice, periodStart: at(c.periodStart), periodEnd: at(c.periodEnd), at: at(c.at), timeZone: IST });
      expect(quote).toEqual({ cycleDays: c.cycleDays, remainingDays: c.remainingDays, credit: c.credit, charge: c.charge, difference: c.difference });
    });
  }
});

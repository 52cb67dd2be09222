import { describe, expect, it } from 'vitest';
import { billingCycleOf, calendarDateIn } from '../../../src/modules/billing/billing.service.js';
import { TestPaymentProvider } from '../../../src/modules/billing/payment-provider.js';
import { splitInclusiveTax, TURKISH_VAT_RATE } from '../../../src/modules/billing/tax.js';

describe('splitInclusiveTax', () => {
  it('splits 20 % VAT out of a tax-inclusive price exactly', () => {
    expect(splitInclusiveTax(1_500_00, TURKISH_VAT_RATE)).toEqual({ gross: 150000, net: 125000, tax: 25000, rate: 2000 });
    expect(splitInclusiveTax(1_00, TURKISH_VAT_RATE)).toEqual({ gross: 100, net: 83, tax: 17, rate: 2000 });
    expect(splitInclusiveTax(0, TURKISH_VAT_RATE)).toEqual({ gross: 0, net: 0, tax: 0, rate: 2000 });
  });

  it('rounds the net half away from zero and always adds up', () => {
    // 3 / 1.2 = 2.5 → 3 net, 0 tax; 9 / 1.2 = 7.5 → 8 net, 1 tax.
    expect(splitInclusiveTax(3, 20_00)).toMatchObject({ net: 3, tax: 0 });
    expect(splitInclusiveTax(9, 20_00)).toMatchObject({ net: 8, tax: 1 });
    for (let gross = 0; gross < 5_000; gross += 7) {
      for (const rate of [0, 1_00, 10_00, 20_00]) {
        const s = splitInclusiveTax(gross, rate);
        expect(s.net + s.tax).toBe(gross);
        expect(Math.abs(s.net * (10_000 + rate) - gross * 10_000)).toBeLessThanOrEqual((10_000 + rate) / 2);
      }
    }
  });

  it('refuses a rate outside 0..100 %', () => {
    expect(() => splitInclusiveTax(100, -1)).toThrow(RangeError);
    expect(() => splitInclusiveTax(100, 10_001)).toThrow(RangeError);
    expect(() => splitInclusiveTax(100, 12.5)).toThrow(RangeError);
  });
});

describe('billing helpers', () => {
  it('maps durations to billing cycles', () => {
    expect(billingCycleOf({ value: 1, unit: 'month' })).toBe('monthly');
    expect(billingCycleOf({ value: 3, unit: 'month' })).toBe('quarterly');
    expect(billingCycleOf({ value: 12, unit: 'month' })).toBe('yearly');
    expect(billingCycleOf({ value: 10, unit: 'day' })).toBe('one_time');
  });

  it('reads calendar days in Istanbul', () => {
    expect(calendarDateIn(new Date('2026-03-01T21:30:00Z'))).toBe('2026-03-02');
    expect(calendarDateIn(new Date('2026-03-01T20:59:00Z'))).toBe('2026-03-01');
  });
});

describe('TestPaymentProvider', () => {
  const request = (key: string, amount = 100_00) => ({ idempotencyKey: key, amount, currency: 'TRY', userId: 'u1', description: 'test' });

  it('returns the first result for a repeated key and charges once', async () => {
    const provider = new TestPaymentProvider();
    const [a, b] = await Promise.all([provider.charge(request('k1')), provider.charge(request('k1'))]);
    expect(a).toEqual(b);
    expect(provider.charges).toHaveLength(1);
    expect(provider.netCharged()).toBe(100_00);
  });

  it('fails or declines the next charge only, and a declined key stays declined', async () => {
    const provider = new TestPaymentProvider();
    provider.failNextCharge();
    await expect(provider.charge(request('k1'))).rejects.toThrow();
    provider.declineNextCharge();
    expect((await provider.charge(request('k2'))).status).toBe('declined');
    expect((await provider.charge(request('k2'))).status).toBe('declined');
    expect((await provider.charge(request('k3'))).status).toBe('succeeded');
    expect((await provider.charge(request('k1'))).status).toBe('succeeded');
    expect(provider.netCharged()).toBe(200_00);
  });

  it('refunds idempotently and never more than was charged', async () => {
    const provider = new TestPaymentProvider();
    const { providerRef } = await provider.charge(request('k1'));
    await provider.refund({ idempotencyKey: 'r1', providerRef, amount: 60_00 });
    await provider.refund({ idempotencyKey: 'r1', providerRef, amount: 60_00 });
    expect(provider.refundedOf(providerRef)).toBe(60_00);
    await expect(provider.refund({ idempotencyKey: 'r2', providerRef, amount: 40_01 })).rejects.toThrow();
    provider.failNextRefund();
    await expect(provider.refund({ idempotencyKey: 'r3', providerRef, amount: 40_00 })).rejects.toThrow();
    await provider.refund({ idempotencyKey: 'r3', providerRef, amount: 40_00 });
    expect(provider.netCharged()).toBe(0);
  });
});

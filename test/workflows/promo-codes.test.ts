import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { fixedClock } from '../../src/core/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import type { UserId } from '../../src/core/ids.js';
import { discountedPrice, type CreatePromoCodeInput, type Membership, type PromoCode } from '../../src/modules/memberships/index.js';
import { purchaseMembership, type PurchaseMembershipInput } from '../../src/workflows/purchase-membership/purchase-membership.workflow.js';
import { renewDueSubscriptions } from '../../src/workflows/renew-memberships/renew-memberships.workflow.js';
import { useTestNexfit } from '../support/nexfit.js';
import { membershipWorld } from './membership-fixtures.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const clock = () => t.deps.clock as ReturnType<typeof fixedClock>;
const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: unknown) => (e instanceof ConflictError ? e.reason : e instanceof NotFoundError ? 'not_found' : e instanceof ValidationError ? 'invalid' : String(e)),
  );

describe('discountedPrice (hand-computed, half away from zero, never below 0)', () => {
  it.each([
    // price, kind, value, discount, charged
    [1_500_00, 'percent', 10, 150_00, 1_350_00],
    [999, 'percent', 15, 150, 849], // 149.85 -> 150
    [1_000, 'percent', 33, 330, 670],
    [2, 'percent', 25, 1, 1], // 0.5 -> 1
    [6, 'percent', 25, 2, 4], // 1.5 -> 2
    [49, 'percent', 1, 0, 49], // 0.49 -> 0
    [50, 'percent', 1, 1, 49], // 0.5 -> 1
    [1_234_56, 'percent', 20, 246_91, 987_65], // 24 691.2 -> 24 691
    [1_500_00, 'percent', 100, 1_500_00, 0],
    [1_500_00, 'fixed', 100_00, 100_00, 1_400_00],
    [500, 'fixed', 500, 500, 0],
    [500, 'fixed', 800, 500, 0], // a fixed discount above the price takes it to 0, never below
  ] as const)('%i less %s %i: %i off, %i charged', (price, kind, value, discount, amount) => {
    expect(discountedPrice(price, { kind, value })).toEqual({ listPrice: price, discount, amount });
  });
});

describe('promo codes on membership purchases and renewals', () => {
  let w: ReturnType<typeof membershipWorld>;
  let plan: Membership;
  let n = 0;

  beforeAll(async () => {
    w = membershipWorld(t);
    plan = await w.plan();
  });

  const promoCodes = () => w.memberships.promoCodeService;
  const code = (overrides: Partial<CreatePromoCodeInput> = {}): Promise<PromoCode> => {
    n += 1;
    return promoCodes().create({ facilityId: plan.facilityId, code: `KOD-${n}`, kind: 'percent', value: 20, ...overrides });
  };
  const buy = (userId: UserId, promoCode: string | undefined, overrides: Partial<PurchaseMembershipInput> = {}) =>
    purchaseMembership(w.deps, { userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: true, idempotencyKey: w.newKey(), ...(promoCode ? { promoCode } : {}), ...overrides });
  const redemptionDocs = (promoCodeId?: string) => t.nexfit.mongo.db.collection('promo_redemptions').countDocuments(promoCodeId ? { promoCodeId: new ObjectId(promoCodeId) } : {});
  const countOf = async (id: string) => (await t.nexfit.mongo.db.collection('promo_codes').findOne({ _id: new ObjectId(id) }))?.['redemptionCount'] as number;

  describe('purchase', () => {
    it('charges the discounted price, records the redemption and shows the discount on the invoice', async () => {
      const promo = await code({ value: 15, cycles: 1 });
      const user = w.newUser();
      const result = await buy(user, ` kod-${promo.code.slice(4).toLowerCase()} `);
      // 1 500.00 less 15 % = 225.00 off
      expect(w.payments.netCharged(user)).toBe(1_275_00);
      expect(result.transaction.amount).toBe(1_275_00);
      expect(result.invoice.totalAmount).toBe(1_275_00);
      expect(result.invoice.invoiceData['discount']).toEqual({ description: `Promo code ${promo.code}`, listPrice: '1500.00', amount: '225.00' });
      expect(result.memberSubscription.discount).toBeUndefined();
      expect(await countOf(promo.id)).toBe(1);
      expect(await redemptionDocs(promo.id)).toBe(1);
    });

    it('replays a retry with the same key without redeeming twice', async () => {
      const promo = await code();
      const user = w.newUser();
      const key = w.newKey();
      const first = await buy(user, promo.code, { idempotencyKey: key });
      const again = await buy(user, promo.code, { idempotencyKey: key });
      expect(again.replayed).toBe(true);
      expect(again.memberSubscription.id).toBe(first.memberSubscription.id);
      expect(await countOf(promo.id)).toBe(1);
      expect(w.payments.netCharged(user)).toBe(1_200_00);
      // The same key without the code is another request.
      expect(await reasonOf(buy(user, undefined, { idempotencyKey: key }))).toBe('idempotency_key_reused');
    });

    const refusals: readonly (readonly [string, () => Promise<string>, string])[] = [
      ['an unknown code', async () => 'YOKBOYLEKOD', 'not_found'],
      ['an expired code', async () => (await code({ validUntil: '2026-03-01T00:00:00Z' })).code, 'promo_code_expired'],
      ['a code not valid yet', async () => (await code({ validFrom: '2026-04-01T00:00:00Z' })).code, 'promo_code_expired'],
      ['another facility’s code', async () => (await promoCodes().create({ facilityId: (await w.facility()).id, code: `BASKA-${++n}`, kind: 'percent', value: 50 })).code, 'not_found'],
      ['a code for other plans', async () => (await code({ planIds: [(await w.plan({ facilityId: plan.facilityId, name: 'Yıllık' })).id] })).code, 'promo_code_not_applicable'],
      ['a deactivated code', async () => { const c = await code(); await promoCodes().deactivate(plan.facilityId, c.id); return c.code; }, 'promo_code_inactive'],
      ['a fixed discount that would make the purchase free', async () => (await code({ kind: 'fixed', value: 2_000_00, currency: 'TRY' })).code, 'promo_code_not_applicable'],
      ['a fixed discount in another currency', async () => (await code({ kind: 'fixed', value: 100, currency: 'EUR' })).code, 'promo_code_not_applicable'],
      ['a malformed code', async () => 'ş', 'invalid'],
    ];
    it.each(refusals)('refuses %s, writing and charging nothing', async (_label, codeOf, reason) => {
      const promoCode = await codeOf();
      const user = w.newUser();
      const charges = w.payments.charges.length;
      const redemptions = await redemptionDocs();
      expect(await reasonOf(buy(user, promoCode))).toBe(reason);
      expect(w.payments.charges.length).toBe(charges);
      expect(await redemptionDocs()).toBe(redemptions);
      expect(await w.pgRowsOf(user)).toEqual({ transactions: 0, invoices: 0, subscriptions: 0 });
      expect((await w.memberships.service.listSubscriptionsByUser(user)).items).toEqual([]);
    });

    it('refuses a member’s second use beyond maxRedemptionsPerUser before charging', async () => {
      const promo = await code({ maxRedemptionsPerUser: 1 });
      const user = w.newUser();
      await buy(user, promo.code);
      const charges = w.payments.charges.length;
      expect(await reasonOf(buy(user, promo.code))).toBe('promo_code_exhausted');
      expect(w.payments.charges.length).toBe(charges);
      expect(await countOf(promo.id)).toBe(1);
    });

    it('with maxRedemptions 3, twelve simultaneous purchases redeem exactly 3 and charge only those', async () => {
      const promo = await code({ value: 10, maxRedemptions: 3 });
      const users = Array.from({ length: 12 }, () => w.newUser());
      const outcomes = await Promise.allSettled(users.map((user) => buy(user, promo.code)));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      expect(won).toHaveLength(3);
      const reasons = await Promise.all(outcomes.filter((o) => o.status === 'rejected').map((o) => reasonOf(Promise.reject((o as PromiseRejectedResult).reason))));
      expect(reasons).toEqual(Array.from({ length: 9 }, () => 'promo_code_exhausted'));
      expect(await countOf(promo.id)).toBe(3);
      expect(await redemptionDocs(promo.id)).toBe(3);
      // A refused promo purchase is refused, not charged full price: the ledger nets 3 × 1 350.00.
      expect(users.reduce((sum, user) => sum + w.payments.netCharged(user), 0)).toBe(3 * 1_350_00);
      const rows = await Promise.all(users.map((user) => w.pgRowsOf(user)));
      expect(rows.reduce((sum, r) => sum + r.transactions, 0)).toBe(3);
      expect(rows.reduce((sum, r) => sum + r.invoices, 0)).toBe(3);
    }, 60_000);

    it('with maxRedemptionsPerUser 1, five simultaneous purchases by one member redeem once', async () => {
      const promo = await code({ maxRedemptionsPerUser: 1 });
      const user = w.newUser();
      const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => buy(user, promo.code)));
      expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
      expect(await countOf(promo.id)).toBe(1);
      expect(await redemptionDocs(promo.id)).toBe(1);
      expect(w.payments.netCharged(user)).toBe(1_200_00);
    }, 60_000);
  });

  describe('renewals', () => {
    it('charges the discounted price for the first 3 cycles, then the full price', async () => {
      clock().set('2026-03-02T09:00:00Z');
      const promo = await code({ kind: 'fixed', value: 300_00, currency: 'TRY', cycles: 3 });
      const user = w.newUser();
      const { memberSubscription } = await buy(user, promo.code);
      expect(memberSubscription.discount).toEqual({ promoCodeId: promo.id, code: promo.code, kind: 'fixed', value: 300_00, currency: 'TRY', cyclesRemaining: 2 });
      const charged: number[] = [w.payments.netCharged(user)];
      for (const asOf of ['2026-04-02T06:00:00Z', '2026-05-02T06:00:00Z', '2026-06-02T06:00:00Z']) {
        clock().set(asOf);
        const report = await renewDueSubscriptions(w.deps, { asOf: new Date(asOf) });
        expect(report.results.find((r) => r.memberSubscriptionId === memberSubscription.id)?.outcome).toBe('renewed');
        charged.push(w.payments.netCharged(user) - charged.reduce((a, b) => a + b, 0));
      }
      expect(charged).toEqual([1_200_00, 1_200_00, 1_200_00, 1_500_00]);
      expect((await w.memberships.service.getSubscription(memberSubscription.id)).discount?.cyclesRemaining).toBe(0);
      // The code was redeemed once, by the purchase.
      expect(await countOf(promo.id)).toBe(1);
    }, 60_000);

    it('keeps a discount for every cycle with cycles: all', async () => {
      clock().set('2026-03-02T09:00:00Z');
      const promo = await code({ value: 50, cycles: 'all' });
      const user = w.newUser();
      const { memberSubscription } = await buy(user, promo.code);
      clock().set('2026-04-02T06:00:00Z');
      await renewDueSubscriptions(w.deps, { asOf: new Date('2026-04-02T06:00:00Z') });
      expect(w.payments.netCharged(user)).toBe(2 * 750_00);
      expect((await w.memberships.service.getSubscription(memberSubscription.id)).discount?.cyclesRemaining).toBe('all');
    }, 60_000);
  });

  describe('staff', () => {
    it('normalises codes and refuses one already used at the facility', async () => {
      const created = await promoCodes().create({ facilityId: plan.facilityId, code: ' ｙａｚ２６ ', kind: 'percent', value: 5 });
      expect(created.code).toBe('YAZ26');
      expect(created).toMatchObject({ active: true, redemptionCount: 0, cycles: 1 });
      expect(await reasonOf(promoCodes().create({ facilityId: plan.facilityId, code: 'yaz26', kind: 'percent', value: 10 }))).toBe('duplicate');
    });

    it.each([
      ['a percent above 100', { kind: 'percent', value: 150 }],
      ['a fixed discount without a currency', { kind: 'fixed', value: 100_00 }],
      ['a percent discount with a currency', { kind: 'percent', value: 10, currency: 'TRY' }],
      ['validUntil before validFrom', { validFrom: '2026-04-01T00:00:00Z', validUntil: '2026-03-01T00:00:00Z' }],
      ['zero cycles', { cycles: 0 }],
      ['a code of one character', { code: 'A' }],
    ] as const)('refuses %s and writes nothing', async (_label, overrides) => {
      const before = await t.nexfit.mongo.db.collection('promo_codes').countDocuments({});
      await expect(code(overrides as Partial<CreatePromoCodeInput>)).rejects.toBeInstanceOf(ValidationError);
      expect(await t.nexfit.mongo.db.collection('promo_codes').countDocuments({})).toBe(before);
    });

    it('refuses plans of another facility', async () => {
      const foreign = await w.plan();
      const before = await t.nexfit.mongo.db.collection('promo_codes').countDocuments({});
      await expect(code({ planIds: [foreign.id] })).rejects.toBeInstanceOf(ValidationError);
      expect(await t.nexfit.mongo.db.collection('promo_codes').countDocuments({})).toBe(before);
    });

    it('deactivates a code of its own facility only, once', async () => {
      const promo = await code();
      await expect(promoCodes().deactivate((await w.facility()).id, promo.id)).rejects.toBeInstanceOf(NotFoundError);
      const off = await promoCodes().deactivate(plan.facilityId, promo.id);
      expect(off.active).toBe(false);
      expect((await promoCodes().deactivate(plan.facilityId, promo.id)).version).toBe(off.version);
      expect((await promoCodes().list(plan.facilityId, { limit: 100 })).items.map((c) => c.id)).toContain(promo.id);
    });
  });
});

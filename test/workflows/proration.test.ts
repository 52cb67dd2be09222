import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../src/core/errors.js';
import type { MemberSubscriptionId, UserId } from '../../src/core/ids.js';
import type { fixedClock } from '../../src/core/clock.js';
import { purchaseMembership } from '../../src/workflows/purchase-membership/purchase-membership.workflow.js';
import { changeMembershipPlan } from '../../src/workflows/change-membership-plan/change-membership-plan.workflow.js';
import { renewDueSubscriptions } from '../../src/workflows/renew-memberships/renew-memberships.workflow.js';
import { useTestNexfit } from '../support/nexfit.js';
import { membershipWorld } from './membership-fixtures.js';

const t = useTestNexfit({ clock: '2026-01-15T09:00:00Z' });
const clock = () => t.deps.clock as ReturnType<typeof fixedClock>;

describe('purchaseMembership with prorateTo', () => {
  let w: ReturnType<typeof membershipWorld>;
  beforeAll(() => {
    w = membershipWorld(t);
  });

  const purchase = (userId: UserId, membershipId: string, overrides: Record<string, unknown> = {}) =>
    purchaseMembership(w.deps, { userId, membershipId, paymentMethod: 'card', autoRenew: true, idempotencyKey: w.newKey(), ...overrides } as never);

  it('charges the days up to the billing day, ends the first period there and renews full cycles from it', async () => {
    clock().set('2026-01-15T09:00:00Z'); // 15 January 12:00 in Istanbul
    const plan = await w.plan({ price: 1_500_00 });
    const user = w.newUser();
    const result = await purchase(user, plan.id, { prorateTo: { billingDay: 1 } });
    // 15 January → 1 February: 17 of the 31 days of January; 150 000 × 17 / 31 = 82 258.06 → 82 258.
    expect(result.transaction.amount).toBe(82_258);
    expect(result.memberSubscription.startDate).toEqual(new Date('2026-01-15T09:00:00Z'));
    expect(result.memberSubscription.endDate).toEqual(new Date('2026-02-01T09:00:00Z'));
    expect(result.memberSubscription.paymentHistory).toEqual([expect.objectContaining({ amount: 82_258 })]);
    expect(result.billingSubscription).toMatchObject({ startDate: '2026-01-15', endDate: '2026-02-01', billingCycle: 'monthly' });
    // 82 258 × 10 000 / 12 000 = 68 548.33 → 68 548 net, 13 710 VAT.
    expect(result.invoice).toMatchObject({ totalAmount: 82_258, taxAmount: 13_710, status: 'paid' });
    expect(result.invoice.invoiceData['lines']).toEqual([
      { description: 'Aylık (1 month), prorated 17/31 days to 2026-02-01', quantity: 1, net: '685.48', tax: '137.10', gross: '822.58' },
    ]);
    expect(w.payments.netCharged(user)).toBe(82_258);

    clock().set('2026-02-01T03:00:00Z');
    const renewal = await renewDueSubscriptions(w.deps, { asOf: clock().now() });
    expect(renewal.results).toContainEqual({ memberSubscriptionId: result.memberSubscription.id, outcome: 'renewed' });
    const renewed = await w.memberships.service.getSubscription(result.memberSubscription.id as MemberSubscriptionId);
    expect(renewed.endDate).toEqual(new Date('2026-03-01T09:00:00Z'));
    expect(w.payments.netCharged(user)).toBe(82_258 + 1_500_00);
  });

  it('charges a full cycle when the start falls on the billing day', async () => {
    clock().set('2026-03-01T09:00:00Z');
    const plan = await w.plan({ price: 1_500_00 });
    const user = w.newUser();
    const result = await purchase(user, plan.id, { prorateTo: { billingDay: 1 } });
    expect(result.transaction.amount).toBe(1_500_00);
    expect(result.memberSubscription.endDate).toEqual(new Date('2026-04-01T09:00:00Z'));
  });

  it('prorates a leap February from a future start date', async () => {
    clock().set('2028-02-01T09:00:00Z');
    const plan = await w.plan({ price: 1_500_00 });
    const user = w.newUser();
    const result = await purchase(user, plan.id, { prorateTo: { billingDay: 1 }, startDate: new Date('2028-02-20T09:00:00Z') });
    // 20 February → 1 March 2028: 10 of 29 days; 1 500 000 / 29 = 51 724.14 → 51 724.
    expect(result.transaction.amount).toBe(51_724);
    expect(result.memberSubscription.endDate).toEqual(new Date('2028-03-01T09:00:00Z'));
  });

  it('refuses a plan that is not monthly, with nothing written and nothing charged', async () => {
    clock().set('2026-01-15T09:00:00Z');
    const plan = await w.plan({ duration: { value: 3, unit: 'month' }, price: 4_000_00 });
    const user = w.newUser();
    const key = w.newKey();
    const refused = await purchase(user, plan.id, { prorateTo: { billingDay: 1 }, idempotencyKey: key }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).reason).toBe('proration_not_monthly');
    expect(await w.pgRowsOf(user)).toEqual({ transactions: 0, invoices: 0, subscriptions: 0 });
    expect(await w.deps.intents.findByKey(`purchase:${key}`)).toBeNull();
    expect(w.payments.netCharged(user)).toBe(0);
    expect((await w.memberships.service.listSubscriptionsByUser(user)).items).toEqual([]);
  });

  it('refuses a billing day past the 28th as invalid input, with nothing written', async () => {
    const plan = await w.plan();
    const user = w.newUser();
    for (const billingDay of [0, 29, 31, 1.5]) {
      const refused = await purchase(user, plan.id, { prorateTo: { billingDay } }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ValidationError);
      expect((refused as ValidationError).code).toBe('VALIDATION_FAILED');
    }
    expect(await w.pgRowsOf(user)).toEqual({ transactions: 0, invoices: 0, subscriptions: 0 });
    expect(w.payments.netCharged(user)).toBe(0);
  });
});

describe('changeMembershipPlan', () => {
  let w: ReturnType<typeof membershipWorld>;
  beforeAll(() => {
    w = membershipWorld(t);
  });

  /** A member on plan `from` bought at `at`, and a second plan `to` of the same facility. */
  async function onPlan(at: string, fromPrice: number, toPrice: number) {
    clock().set(at);
    const from = await w.plan({ name: 'Temel', price: fromPrice });
    const to = await w.plan({ facilityId: from.facilityId, name: 'Premium', price: toPrice });
    const user = w.newUser();
    const bought = await purchaseMembership(w.deps, { userId: user, membershipId: from.id, paymentMethod: 'card', autoRenew: true, idempotencyKey: w.newKey() });
    return { from, to, user, bought, id: bought.memberSubscription.id as MemberSubscriptionId };
  }

  const change = (id: string, membershipId: string, idempotencyKey = w.newKey()) => changeMembershipPlan(w.deps, { memberSubscriptionId: id, membershipId, paymentMethod: 'card', idempotencyKey });

  it('charges an upgrade mid-cycle the new plan\'s rest of the period less the old plan\'s, and renews at the new price', async () => {
    const { to, user, bought, id } = await onPlan('2026-03-02T09:00:00Z', 1_000_00, 1_600_00);
    clock().set('2026-03-17T09:00:00Z');
    const result = await change(id, to.id);
    // 16 of 31 days left: credit 100 000 × 16 / 31 = 51 612.90 → 51 613; charge 160 000 × 16 / 31 = 82 580.65 → 82 581.
    expect(result.quote).toEqual({ cycleDays: 31, remainingDays: 16, credit: 51_613, charge: 82_581, difference: 30_968 });
    expect(result.transaction).toMatchObject({ amount: 30_968, transactionType: 'adjustment', status: 'completed' });
    // 30 968 × 10 000 / 12 000 = 25 806.67 → 25 807 net, 5 161 VAT.
    expect(result.invoice).toMatchObject({ totalAmount: 30_968, taxAmount: 5_161, status: 'paid' });
    expect(result.invoice!.invoiceData['lines']).toEqual([{ description: 'Temel → Premium, 16/31 days to 2026-04-02', quantity: 1, net: '258.07', tax: '51.61', gross: '309.68' }]);
    expect(result.memberSubscription).toMatchObject({ membershipId: to.id, endDate: new Date('2026-04-02T09:00:00Z'), status: 'active' });
    expect((await w.billing.service.getBillingSubscription(bought.billingSubscription!.subscriptionId)).planId).toBe(to.id);
    expect(w.payments.netCharged(user)).toBe(1_000_00 + 30_968);
    expect(await w.pgRowsOf(user)).toEqual({ transactions: 2, invoices: 2, subscriptions: 1 });

    clock().set('2026-04-02T03:00:00Z');
    await renewDueSubscriptions(w.deps, { asOf: clock().now() });
    expect(w.payments.netCharged(user)).toBe(1_000_00 + 30_968 + 1_600_00);
  });

  it('refunds a downgrade\'s difference with a credit note', async () => {
    const { from, to, user, bought, id } = await onPlan('2026-03-02T09:00:00Z', 1_600_00, 1_000_00);
    clock().set('2026-03-17T09:00:00Z');
    const result = await change(id, to.id);
    expect(result.quote).toEqual({ cycleDays: 31, remainingDays: 16, credit: 82_581, charge: 51_613, difference: -30_968 });
    expect(result.transaction).toMatchObject({ amount: 30_968, transactionType: 'refund' });
    // 30 968 × 10 000 / 12 000 = 25 806.67 → 25 807 net, 5 161 VAT credited.
    expect(result.invoice).toMatchObject({ totalAmount: 30_968, taxAmount: 5_161, status: 'credit_note' });
    expect(w.payments.netCharged(user)).toBe(1_600_00 - 30_968);
    const sub = await w.memberships.service.getSubscription(id);
    expect(sub.membershipId).toBe(to.id);
    expect(sub.paymentHistory.map((p) => [p.amount, p.status])).toEqual([[1_600_00, 'partially_refunded'], [30_968, 'refunded']]);
    expect((await w.billing.service.getTransaction(bought.transaction.transactionId)).status).toBe('partially_refunded');
    expect(from.id).not.toBe(to.id);
  });

  it('swaps the whole period on the day it starts, and splits a 31 January period at 28 February', async () => {
    const sameDay = await onPlan('2026-03-02T09:00:00Z', 1_000_00, 1_600_00);
    clock().set('2026-03-02T15:00:00Z');
    const swapped = await change(sameDay.id, sameDay.to.id);
    expect(swapped.quote).toEqual({ cycleDays: 31, remainingDays: 31, credit: 1_000_00, charge: 1_600_00, difference: 600_00 });
    expect(w.payments.netCharged(sameDay.user)).toBe(1_600_00);

    const monthEnd = await onPlan('2026-01-31T09:00:00Z', 1_500_00, 2_000_00);
    expect(monthEnd.bought.memberSubscription.endDate).toEqual(new Date('2026-02-28T09:00:00Z'));
    clock().set('2026-02-14T09:00:00Z');
    // 28 days, 14 left: 150 000 / 2 = 75 000 credit, 200 000 / 2 = 100 000 charge.
    const split = await change(monthEnd.id, monthEnd.to.id);
    expect(split.quote).toEqual({ cycleDays: 28, remainingDays: 14, credit: 75_000, charge: 100_000, difference: 25_000 });
  });

  it('replays a retry with the same key and charges once', async () => {
    const { to, user, id } = await onPlan('2026-03-02T09:00:00Z', 1_000_00, 1_600_00);
    clock().set('2026-03-17T09:00:00Z');
    const key = w.newKey();
    const first = await change(id, to.id, key);
    const again = await change(id, to.id, key);
    expect(again.replayed).toBe(true);
    expect(again.transaction?.transactionId).toBe(first.transaction?.transactionId);
    expect(w.payments.netCharged(user)).toBe(1_000_00 + 30_968);
  });

  it('changes the plan once when many upgrades race; the others are refused and keep nothing of their charge', async () => {
    const { to, user, id } = await onPlan('2026-03-02T09:00:00Z', 1_000_00, 1_600_00);
    clock().set('2026-03-17T09:00:00Z');
    const settled = await Promise.allSettled(Array.from({ length: 6 }, () => change(id, to.id)));
    const changed = settled.filter((s) => s.status === 'fulfilled');
    expect(changed).toHaveLength(1);
    for (const s of settled) {
      if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(ConflictError);
    }
    expect(w.payments.netCharged(user)).toBe(1_000_00 + 30_968);
    expect(await w.pgRowsOf(user)).toEqual({ transactions: 2, invoices: 2, subscriptions: 1 });
    const sub = await w.memberships.service.getSubscription(id);
    expect(sub.membershipId).toBe(to.id);
    expect(sub.paymentHistory).toHaveLength(2);
  });

  it('refuses the same plan, another facility\'s or duration\'s plan, and an inactive one, with nothing written or charged', async () => {
    const { from, to, user, id } = await onPlan('2026-03-02T09:00:00Z', 1_000_00, 1_600_00);
    clock().set('2026-03-17T09:00:00Z');
    const elsewhere = await w.plan({ price: 1_600_00 });
    const quarterly = await w.plan({ facilityId: from.facilityId, duration: { value: 3, unit: 'month' }, price: 4_000_00 });
    await w.memberships.service.updatePlan(to.id as never, { isActive: false });
    const cases: [string, string][] = [
      [from.id, 'same_plan'],
      [elsewhere.id, 'plan_not_interchangeable'],
      [quarterly.id, 'plan_not_interchangeable'],
      [to.id, 'plan_inactive'],
    ];
    for (const [membershipId, reason] of cases) {
      const key = w.newKey();
      const refused = await change(id, membershipId, key).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ConflictError);
      expect((refused as ConflictError).reason).toBe(reason);
      expect(await w.deps.intents.findByKey(`plan-change:${key}`)).toBeNull();
    }
    const bad = await changeMembershipPlan(w.deps, { memberSubscriptionId: id, membershipId: 'not-an-id', paymentMethod: 'card', idempotencyKey: w.newKey() } as never).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ValidationError);
    expect(w.payments.netCharged(user)).toBe(1_000_00);
    expect(await w.pgRowsOf(user)).toEqual({ transactions: 1, invoices: 1, subscriptions: 1 });
    expect((await w.memberships.service.getSubscription(id)).membershipId).toBe(from.id);
  });
});

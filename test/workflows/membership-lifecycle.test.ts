import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/core/errors.js';
import type { MemberSubscriptionId, UserId } from '../../src/core/ids.js';
import type { fixedClock } from '../../src/core/clock.js';
import { cancelMembership, expireEnded, refundMembership } from '../../src/workflows/membership-lifecycle/membership-lifecycle.workflow.js';
import { purchaseMembership } from '../../src/workflows/purchase-membership/purchase-membership.workflow.js';
import { renewDueSubscriptions } from '../../src/workflows/renew-memberships/renew-memberships.workflow.js';
import { useTestNexfit } from '../support/nexfit.js';
import { membershipWorld } from './membership-fixtures.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const clock = () => t.deps.clock as ReturnType<typeof fixedClock>;

describe('membership renewal, cancellation, expiry and refunds', () => {
  let w: ReturnType<typeof membershipWorld>;
  beforeAll(() => {
    w = membershipWorld(t);
  });

  async function bought(options: { autoRenew?: boolean; price?: number; at?: string } = {}) {
    clock().set(options.at ?? '2026-03-02T09:00:00Z');
    const plan = await w.plan({ price: options.price ?? 1_500_00 });
    const user = w.newUser();
    const result = await purchaseMembership(w.deps, { userId: user, membershipId: plan.id, paymentMethod: 'card', autoRenew: options.autoRenew ?? true, idempotencyKey: w.newKey() });
    return { plan, user, ...result };
  }

  /** Renews what other tests left due, so a fault injected next hits the test's own subscription. */
  async function renewEverythingDueBefore(iso: string) {
    clock().set(iso);
    await renewDueSubscriptions(w.deps, { asOf: clock().now() });
  }

  /** The member subscription's payment history matches the PostgreSQL transaction rows. */
  async function expectHistoryMatchesPostgres(user: UserId, id: string) {
    const sub = await w.memberships.service.getSubscription(id as MemberSubscriptionId);
    const rows = await t.nexfit.pg.selectFrom('transactions').selectAll().where('user_id', '=', user).execute();
    expect(sub.paymentHistory.map((p) => p.transactionId).sort()).toEqual(rows.map((r) => r.transaction_id).sort());
    for (const p of sub.paymentHistory) {
      const row = rows.find((r) => r.transaction_id === p.transactionId)!;
      expect(Math.round(Number(row.amount) * 100)).toBe(p.amount);
      expect(p.status).toBe(row.transaction_type === 'refund' ? 'refunded' : row.status);
    }
  }

  describe('renewDueSubscriptions', () => {
    it('charges, extends and invoices a subscription due on the day, once even when run twice', async () => {
      const { user, memberSubscription, plan, billingSubscription } = await bought();
      clock().set('2026-04-02T03:00:00Z');
      const first = await renewDueSubscriptions(w.deps, { asOf: clock().now() });
      expect(first.results).toContainEqual({ memberSubscriptionId: memberSubscription.id, outcome: 'renewed' });
      const second = await renewDueSubscriptions(w.deps, { asOf: clock().now() });
      expect(second.results.find((r) => r.memberSubscriptionId === memberSubscription.id)).toBeUndefined();
      const renewed = await w.memberships.service.getSubscription(memberSubscription.id as MemberSubscriptionId);
      expect(renewed.endDate).toEqual(new Date('2026-05-02T09:00:00Z'));
      expect(renewed.paymentHistory).toHaveLength(2);
      expect(w.payments.netCharged(user)).toBe(2 * plan.price);
      expect(await w.pgRowsOf(user)).toEqual({ transactions: 2, invoices: 2, subscriptions: 1 });
      expect((await w.billing.service.getBillingSubscription(billingSubscription!.subscriptionId)).endDate).toBe('2026-05-02');
      await expectHistoryMatchesPostgres(user, memberSubscription.id);
    });

    it('renews once when two runs race for the same day', async () => {
      const { user, memberSubscription, plan } = await bought();
      clock().set('2026-04-02T03:00:00Z');
      const [a, b] = await Promise.all([renewDueSubscriptions(w.deps, { asOf: clock().now() }), renewDueSubscriptions(w.deps, { asOf: clock().now() })]);
      const outcomes = [a, b].map((r) => r.results.find((x) => x.memberSubscriptionId === memberSubscription.id)?.outcome);
      expect(outcomes.filter((o) => o === 'renewed')).toHaveLength(1);
      expect(w.payments.netCharged(user)).toBe(2 * plan.price);
      expect(await w.pgRowsOf(user)).toEqual({ transactions: 2, invoices: 2, subscriptions: 1 });
      expect((await w.memberships.service.getSubscription(memberSubscription.id as MemberSubscriptionId)).endDate).toEqual(new Date('2026-05-02T09:00:00Z'));
    });

    it('leaves subscriptions ending after the day and non-renewing ones alone', async () => {
      const renewing = await bought();
      const oneOff = await bought({ autoRenew: false });
      clock().set('2026-03-31T12:00:00Z');
      const report = await renewDueSubscriptions(w.deps, { asOf: clock().now() });
      const ids = report.results.map((r) => r.memberSubscriptionId);
      expect(ids).not.toContain(renewing.memberSubscription.id);
      expect(ids).not.toContain(oneOff.memberSubscription.id);
    });

    it('puts the membership into dunning and marks the billing row past due when the card is declined', async () => {
      const { user, memberSubscription, billingSubscription, plan } = await bought({ at: '2026-03-10T09:00:00Z' });
      await renewEverythingDueBefore('2026-04-09T12:00:00Z'); // the provider's next charge is then ours
      clock().set('2026-04-10T03:00:00Z');
      w.payments.declineNextCharge();
      const report = await renewDueSubscriptions(w.deps, { asOf: clock().now() });
      expect(report.results).toContainEqual({ memberSubscriptionId: memberSubscription.id, outcome: 'declined' });
      const after = await w.memberships.service.getSubscription(memberSubscription.id as MemberSubscriptionId);
      expect(after).toMatchObject({ autoRenew: true, status: 'active', endDate: new Date('2026-04-10T09:00:00Z') });
      expect(after.dunning).toMatchObject({ periodEnd: new Date('2026-04-10T09:00:00Z'), attempts: [{ at: new Date('2026-04-10T03:00:00Z'), outcome: 'declined' }] });
      expect((await w.billing.service.getBillingSubscription(billingSubscription!.subscriptionId)).status).toBe('past_due');
      expect(w.payments.netCharged(user)).toBe(plan.price);
      expect(await w.pgRowsOf(user)).toEqual({ transactions: 1, invoices: 1, subscriptions: 1 });
    });

    it('leaves a membership cancelled while its renewal charge was being declined as cancelled, in both stores', async () => {
      const { memberSubscription, billingSubscription } = await bought({ at: '2026-03-12T09:00:00Z' });
      await renewEverythingDueBefore('2026-04-11T12:00:00Z');
      clock().set('2026-04-12T03:00:00Z');
      w.payments.declineNextCharge();
      const charge = w.payments.charge.bind(w.payments);
      // The member cancels while the provider is still deciding on the renewal charge.
      w.payments.charge = async (request) => {
        const result = await charge(request);
        await cancelMembership(w.deps, { memberSubscriptionId: memberSubscription.id, when: 'immediately', reason: 'moving away' });
        return result;
      };
      try {
        const report = await renewDueSubscriptions(w.deps, { asOf: clock().now() });
        expect(report.results).toContainEqual({ memberSubscriptionId: memberSubscription.id, outcome: 'declined' });
      } finally {
        w.payments.charge = charge;
      }
      const after = await w.memberships.service.getSubscription(memberSubscription.id as MemberSubscriptionId);
      expect(after.status).toBe('cancelled');
      expect((await w.billing.service.getBillingSubscription(billingSubscription!.subscriptionId)).status).toBe('cancelled');
    });

    it('retries after a provider outage on the next run without charging twice', async () => {
      const { user, memberSubscription, plan } = await bought({ at: '2026-03-11T09:00:00Z' });
      await renewEverythingDueBefore('2026-04-10T12:00:00Z');
      clock().set('2026-04-11T03:00:00Z');
      w.payments.failNextCharge();
      const failed = await renewDueSubscriptions(w.deps, { asOf: clock().now() });
      expect(failed.results.find((r) => r.memberSubscriptionId === memberSubscription.id)?.outcome).toBe('failed');
      const retried = await renewDueSubscriptions(w.deps, { asOf: clock().now() });
      expect(retried.results).toContainEqual({ memberSubscriptionId: memberSubscription.id, outcome: 'renewed' });
      expect(w.payments.netCharged(user)).toBe(2 * plan.price);
    });

    it('does not renew a plan that is no longer sold', async () => {
      const { memberSubscription, plan } = await bought();
      await w.memberships.service.deactivatePlan(plan.id);
      clock().set('2026-04-02T03:00:00Z');
      const report = await renewDueSubscriptions(w.deps, { asOf: clock().now() });
      expect(report.results).toContainEqual({ memberSubscriptionId: memberSubscription.id, outcome: 'plan_inactive' });
      expect((await w.memberships.service.getSubscription(memberSubscription.id as MemberSubscriptionId)).autoRenew).toBe(false);
    });
  });

  describe('cancel and expire', () => {
    it('cancels immediately in both stores with the reason', async () => {
      const { memberSubscription, billingSubscription } = await bought();
      const cancelled = await cancelMembership(w.deps, { memberSubscriptionId: memberSubscription.id, when: 'immediately', reason: 'moving away' });
      expect(cancelled).toMatchObject({ status: 'cancelled', cancellationReason: 'moving away', autoRenew: false });
      expect(cancelled.cancelledAt).toEqual(clock().now());
      expect((await w.billing.service.getBillingSubscription(billingSubscription!.subscriptionId)).status).toBe('cancelled');
      await expect(cancelMembership(w.deps, { memberSubscriptionId: memberSubscription.id, when: 'immediately' })).rejects.toMatchObject({ reason: 'subscription_not_active' });
    });

    it('cancels at period end: no renewal, then the expiry run ends it', async () => {
      const { memberSubscription, billingSubscription } = await bought();
      const pending = await cancelMembership(w.deps, { memberSubscriptionId: memberSubscription.id, when: 'at_period_end', reason: 'too expensive' });
      expect(pending).toMatchObject({ status: 'active', autoRenew: false });
      clock().set('2026-04-02T03:00:00Z');
      const renewals = await renewDueSubscriptions(w.deps, { asOf: clock().now() });
      expect(renewals.results.map((r) => r.memberSubscriptionId)).not.toContain(memberSubscription.id);
      expect(await expireEnded(w.deps, new Date('2026-04-02T08:59:59Z'))).not.toContain(memberSubscription.id);
      expect(await expireEnded(w.deps, new Date('2026-04-02T09:00:00Z'))).toContain(memberSubscription.id);
      expect((await w.memberships.service.getSubscription(memberSubscription.id as MemberSubscriptionId)).status).toBe('expired');
      expect((await w.billing.service.getBillingSubscription(billingSubscription!.subscriptionId)).status).toBe('expired');
      expect(await expireEnded(w.deps, new Date('2026-04-02T09:00:00Z'))).not.toContain(memberSubscription.id);
    });
  });

  describe('refunds', () => {
    it('refunds a purchase in full: refund row, credit note, history in step, membership cancelled', async () => {
      const { user, memberSubscription, transaction, invoice, plan } = await bought();
      const result = await refundMembership(w.deps, { memberSubscriptionId: memberSubscription.id, idempotencyKey: w.newKey(), reason: 'changed mind' });
      expect(result.refund).toMatchObject({ transactionType: 'refund', amount: plan.price, status: 'completed' });
      expect((await w.billing.service.getTransaction(transaction.transactionId)).status).toBe('refunded');
      expect(result.creditNote).toMatchObject({ status: 'credit_note', totalAmount: 1_500_00, taxAmount: 250_00, transactionId: result.refund.transactionId });
      expect(result.creditNote.invoiceData['creditFor']).toBe(invoice.invoiceNumber);
      expect(result.creditNote.invoiceNumber).not.toBe(invoice.invoiceNumber);
      expect(result.memberSubscription.status).toBe('cancelled');
      expect(w.payments.netCharged(user)).toBe(0);
      await expectHistoryMatchesPostgres(user, memberSubscription.id);
    });

    it('refunds part of a payment, then refuses more than is left, and replays a retried key', async () => {
      const { user, memberSubscription, transaction } = await bought();
      const idempotencyKey = w.newKey();
      const partial = await refundMembership(w.deps, { memberSubscriptionId: memberSubscription.id, idempotencyKey, amount: 500_00 });
      expect(partial.memberSubscription.status).toBe('active');
      expect((await w.billing.service.getTransaction(transaction.transactionId)).status).toBe('partially_refunded');
      const again = await refundMembership(w.deps, { memberSubscriptionId: memberSubscription.id, idempotencyKey, amount: 500_00 });
      expect(again).toMatchObject({ replayed: true, refund: { transactionId: partial.refund.transactionId } });
      await expect(refundMembership(w.deps, { memberSubscriptionId: memberSubscription.id, idempotencyKey: w.newKey(), amount: 1_000_01 })).rejects.toBeInstanceOf(ConflictError);
      expect(w.payments.netCharged(user)).toBe(1_000_00);
      await expectHistoryMatchesPostgres(user, memberSubscription.id);
    });

    it('records nothing when the provider refund fails', async () => {
      const { user, memberSubscription } = await bought();
      w.payments.failNextRefund();
      await expect(refundMembership(w.deps, { memberSubscriptionId: memberSubscription.id, idempotencyKey: w.newKey() })).rejects.toMatchObject({ code: 'PAYMENT_FAILED' });
      expect(await w.pgRowsOf(user)).toEqual({ transactions: 1, invoices: 1, subscriptions: 1 });
      const rows = await t.nexfit.pg.selectFrom('transactions').select(sql<string>`count(*)`.as('n')).where('user_id', '=', user).where('transaction_type', '=', 'refund').executeTakeFirstOrThrow();
      expect(Number(rows.n)).toBe(0);
    });
  });
});

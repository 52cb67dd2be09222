import { sql } from 'kysely';
import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FacilityId } from '../../src/core/ids.js';
import { TestPaymentProvider } from '../../src/modules/billing/payment-provider.js';
import type { ReconcileFinding } from '../../src/ops/reconcile/reconcile.js';
import { useTestNexfit } from '../support/nexfit.js';

const payments = new TestPaymentProvider();
const t = useTestNexfit({ nexfit: { payments } });
let n = 0;

async function purchase(autoRenew = true) {
  n += 1;
  const facility = await t.nexfit.facilities.create({
    name: `Reconcile ${n}`,
    type: 'gym',
    ownerId: t.nexfit.ids.newObjectId(),
    address: { street: 'Moda 1', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.98, longitude: 29.02 } },
  });
  const plan = await t.nexfit.memberships.createPlan({ facilityId: facility.id as FacilityId, name: 'Aylık', duration: { value: 1, unit: 'month' }, price: 800_00 });
  const user = await t.nexfit.users.register({ email: `reconcile${n}@example.com`, password: 'correct horse battery', firstName: 'R', lastName: 'C', role: ['client'] });
  return t.nexfit.workflows.purchaseMembership({ userId: user.id, membershipId: plan.id, paymentMethod: 'card', autoRenew, idempotencyKey: `reconcile-${t.nexfit.ids.newUuid()}` });
}

const kinds = (findings: readonly ReconcileFinding[]) => findings.map((f) => f.kind).sort();
/** Today in the platform's zone (Europe/Istanbul), where the analytics days are cut. */
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Istanbul' }).format(new Date());

describe('reconcile', () => {
  beforeAll(async () => {
    await purchase();
    await purchase(false);
  });

  it('finds nothing when the stores agree', async () => {
    const report = await t.nexfit.reconcile({ graceMs: 0, analyticsDays: [today()] });
    // Today has activity and no roll-up yet: that is the one thing it reports.
    expect(kinds(report.findings).filter((k) => k !== 'analytics_mismatch')).toEqual([]);
    expect(report.checks.payments.scanned).toBeGreaterThanOrEqual(2);
    expect(report.checks.billing.scanned).toBeGreaterThanOrEqual(1);
  });

  it('repairs analytics_daily by rolling the day up again, and then agrees', async () => {
    const first = await t.nexfit.reconcile({ checks: ['analytics'], analyticsDays: [today()], repair: true });
    expect(first.findings.every((f) => f.kind === 'analytics_mismatch' && f.repaired)).toBe(true);
    expect(first.repaired).toBe(first.findings.length);
    await t.nexfit.pg.updateTable('analytics_daily').set({ new_members: 999 }).where('date', '=', today()).execute();
    const tampered = await t.nexfit.reconcile({ checks: ['analytics'], analyticsDays: [today()] });
    expect(tampered.findings[0]).toMatchObject({ kind: 'analytics_mismatch', repairable: true, detail: expect.stringContaining('newMembers: stored 999') });
    await t.nexfit.reconcile({ checks: ['analytics'], analyticsDays: [today()], repair: true });
    expect((await t.nexfit.reconcile({ checks: ['analytics'], analyticsDays: [today()] })).ok).toBe(true);
  });

  it('reports money the stores disagree on, with the ids on both sides', async () => {
    const bought = await purchase();
    const { transactionId } = bought.transaction;
    // A hand edit: the payment history says 1 kuruş more than PostgreSQL.
    await t.nexfit.mongo.db.collection('member_subscriptions').updateOne({ _id: new ObjectId(bought.memberSubscription.id) }, { $inc: { 'paymentHistory.0.amount': 1 } });
    // A foreign transaction of a membership that no payment history records, and a paid one without invoice.
    const foreign = t.nexfit.ids.newUuid();
    await sql`INSERT INTO transactions (transaction_id, user_id, amount, currency, payment_method, transaction_type, status, metadata)
      VALUES (${foreign}, ${t.nexfit.ids.newObjectId()}, 10.00, 'TRY', 'card', 'purchase', 'completed', ${JSON.stringify({ membershipId: t.nexfit.ids.newObjectId() })}::jsonb)`.execute(t.nexfit.pg);
    const report = await t.nexfit.reconcile({ checks: ['payments', 'invoices'] });
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'payment_mismatch', ids: { memberSubscriptionId: bought.memberSubscription.id, transactionId }, repairable: false }),
        expect.objectContaining({ kind: 'transaction_without_payment', ids: expect.objectContaining({ transactionId: foreign }) }),
        expect.objectContaining({ kind: 'transaction_without_invoice', ids: { transactionId: foreign } }),
      ]),
    );
    await t.nexfit.mongo.db.collection('member_subscriptions').updateOne({ _id: new ObjectId(bought.memberSubscription.id) }, { $inc: { 'paymentHistory.0.amount': -1 } });
    await sql`DELETE FROM transactions WHERE transaction_id = ${foreign}`.execute(t.nexfit.pg);
  });

  it('reads corrupted and foreign rows as findings, never crashing or deleting them', async () => {
    const corrupted = new ObjectId();
    const raw = t.nexfit.mongo.db.collection('member_subscriptions');
    // Written past the validator, as a restore or a hand edit might.
    await t.nexfit.mongo.db.command({ collMod: 'member_subscriptions', validationLevel: 'off' });
    try {
      await raw.insertOne({ _id: corrupted, paymentHistory: 'not a list' });
    } finally {
      await t.nexfit.mongo.db.command({ collMod: 'member_subscriptions', validationLevel: 'strict' });
    }
    const orphan = t.nexfit.ids.newUuid();
    await sql`INSERT INTO subscriptions (subscription_id, user_id, plan_id, status, start_date, end_date, billing_cycle, billing_day, amount, currency, payment_method, auto_renew, metadata)
      VALUES (${orphan}, ${t.nexfit.ids.newObjectId()}, ${t.nexfit.ids.newObjectId()}, 'active', '2026-01-01', '2026-02-01', 'monthly', 1, 5.00, 'TRY', 'card', true, ${JSON.stringify({ memberSubscriptionId: 'not-an-id' })}::jsonb)`.execute(t.nexfit.pg);
    const report = await t.nexfit.reconcile({ checks: ['payments', 'billing'], repair: true });
    expect(report.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'unreadable_row', ids: { collection: 'member_subscriptions', id: corrupted.toHexString() } }),
        expect.objectContaining({ kind: 'unreadable_row', ids: { table: 'subscriptions', subscriptionId: orphan } }),
      ]),
    );
    expect(await raw.countDocuments({ _id: corrupted })).toBe(1);
    expect(await t.nexfit.pg.selectFrom('subscriptions').select('subscription_id').where('subscription_id', '=', orphan).execute()).toHaveLength(1);
    await raw.deleteOne({ _id: corrupted });
    await sql`DELETE FROM subscriptions WHERE subscription_id = ${orphan}`.execute(t.nexfit.pg);
  });

  it('reports a hole in an invoice series by its number', async () => {
    const bought = await purchase(false);
    const again = await t.nexfit.workflows.purchaseMembership({
      userId: bought.memberSubscription.userId,
      membershipId: bought.memberSubscription.membershipId,
      paymentMethod: 'card',
      autoRenew: false,
      idempotencyKey: `reconcile-${t.nexfit.ids.newUuid()}`,
    });
    const removed = bought.invoice.invoiceNumber;
    const saved = await t.nexfit.pg.selectFrom('invoices').selectAll().where('invoice_number', '=', removed).executeTakeFirstOrThrow();
    await sql`DELETE FROM invoices WHERE invoice_number = ${removed}`.execute(t.nexfit.pg);
    const report = await t.nexfit.reconcile({ checks: ['invoiceSeries'] });
    expect(report.findings).toEqual([
      expect.objectContaining({ kind: 'invoice_number_gap', ids: { businessId: again.invoice.businessId, year: removed.slice(0, 4), sequence: String(Number(removed.split('-')[2])) }, repairable: false }),
    ]);
    const { id: _id, ...row } = saved;
    await t.nexfit.pg.insertInto('invoices').values({ ...row, invoice_data: JSON.stringify(row.invoice_data) } as never).execute();
    expect((await t.nexfit.reconcile({ checks: ['invoiceSeries'] })).ok).toBe(true);
  });

  it('reports undelivered events and open intents past the grace period, and repairs them', async () => {
    await sql`INSERT INTO nexfit_outbox (type, payload, created_at) VALUES ('membership.cancelled', '{"memberSubscriptionId":"x","reason":null}'::jsonb, now() - interval '1 hour')`.execute(t.nexfit.pg);
    const found = await t.nexfit.reconcile({ checks: ['outbox'] });
    expect(kinds(found.findings)).toEqual(['undelivered_event']);
    const repaired = await t.nexfit.reconcile({ checks: ['outbox'], repair: true });
    expect(repaired.findings[0]).toMatchObject({ kind: 'undelivered_event', repaired: true });
    expect((await t.nexfit.reconcile({ checks: ['outbox'] })).ok).toBe(true);
  });
});

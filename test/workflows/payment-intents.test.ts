import { sql } from 'kysely';
import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createNexfit } from '../../src/create-nexfit.js';
import { ConflictError } from '../../src/core/errors.js';
import { createKeyring, createTestKeyring } from '../../src/core/keyring.js';
import type { FacilityId, MembershipId, MemberSubscriptionId } from '../../src/core/ids.js';
import { TestPaymentProvider } from '../../src/modules/billing/payment-provider.js';
import { SimulatedCrash, type UowProtocolStep } from '../../src/uow/protocol-steps.js';
import { useTestNexfit } from '../support/nexfit.js';

/** The steps at which the next unit of work "dies"; each entry is used once. */
const crashes: UowProtocolStep[] = [];
const payments = new TestPaymentProvider();
const t = useTestNexfit({
  nexfit: {
    payments,
    unitOfWork: {
      faults: (step) => {
        if (crashes[0] === step) {
          crashes.shift();
          throw new SimulatedCrash(step);
        }
      },
    },
  },
});

let n = 0;
const key = () => `intent-${t.nexfit.ids.newUuid()}`;

async function facilityPlan(price = 1_200_00, duration: { value: number; unit: 'day' | 'month' } = { value: 1, unit: 'month' }) {
  n += 1;
  const facility = await t.nexfit.facilities.create({
    name: `Studio ${n}`,
    type: 'studio',
    ownerId: t.nexfit.ids.newObjectId(),
    address: { street: 'Bağdat Cd. 5', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.96, longitude: 29.07 } },
  });
  return t.nexfit.memberships.createPlan({ facilityId: facility.id as FacilityId, name: `Plan ${n}`, duration, price });
}

async function member(): Promise<string> {
  n += 1;
  return (await t.nexfit.users.register({ email: `intent${n}@example.com`, password: 'correct horse battery', firstName: 'Deniz', lastName: 'Kaya', role: ['client'], phoneNumber: '+905551112233' })).id;
}

/** A purchase whose process dies inside its unit of work, after the provider took the money. */
async function purchaseThatDies(userId: string, membershipId: string, idempotencyKey = key(), step: UowProtocolStep = 'before-prepare') {
  crashes.push(step);
  await expect(t.nexfit.workflows.purchaseMembership({ userId, membershipId, paymentMethod: 'card', autoRenew: true, idempotencyKey })).rejects.toBeInstanceOf(SimulatedCrash);
  return idempotencyKey;
}

const intentOf = (idempotencyKey: string) => t.nexfit.pg.selectFrom('nexfit_payment_intents').selectAll().where('idempotency_key', '=', idempotencyKey).executeTakeFirstOrThrow();
const chargesOf = (userId: string) => payments.charges.filter((c) => c.userId === userId && c.status === 'succeeded');
const subscriptionsOf = async (userId: string) => (await t.nexfit.memberships.listSubscriptionsByUser(userId as never)).items;
const recover = () => t.nexfit.recoverInDoubt({ olderThanMs: 0 });

describe('payment intents', () => {
  it('commits an intent before the charge and closes it in the purchase unit', async () => {
    const plan = await facilityPlan();
    const userId = await member();
    const idempotencyKey = key();
    const result = await t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: false, idempotencyKey });
    const intent = await intentOf(`purchase:${idempotencyKey}`);
    expect(intent).toMatchObject({ kind: 'purchase', status: 'completed', user_id: userId, amount_minor: String(plan.price), provider_ref: chargesOf(userId)[0]!.providerRef });
    expect(intent.outcome).toMatchObject({ memberSubscriptionId: result.memberSubscription.id, invoiceId: result.invoice.invoiceId });
    expect(result.transaction.metadata).toMatchObject({ intentId: intent.intent_id });
  });

  it('refuses a key reused with another payment method, auto-renewal or start date', async () => {
    const plan = await facilityPlan();
    const userId = await member();
    const idempotencyKey = key();
    await t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: false, idempotencyKey });
    for (const change of [{ paymentMethod: 'cash' as const }, { autoRenew: true }, { startDate: new Date('2030-01-01T00:00:00Z') }]) {
      await expect(t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: false, idempotencyKey, ...change })).rejects.toMatchObject({
        code: 'CONFLICT',
        reason: 'idempotency_key_reused',
      });
    }
    expect(chargesOf(userId)).toHaveLength(1);
  });

  it('completes a purchase whose process died after the charge, and the retry replays it', async () => {
    const plan = await facilityPlan();
    const userId = await member();
    const idempotencyKey = await purchaseThatDies(userId, plan.id);
    expect(await subscriptionsOf(userId)).toEqual([]);
    expect((await intentOf(`purchase:${idempotencyKey}`)).status).toBe('open');

    const report = await recover();
    expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `purchase:${idempotencyKey}`, outcome: 'completed' }));
    const [subscription] = await subscriptionsOf(userId);
    expect(subscription?.paymentHistory[0]?.amount).toBe(plan.price);
    const retry = await t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: true, idempotencyKey });
    expect(retry).toMatchObject({ replayed: true, memberSubscription: { id: subscription!.id } });
    expect(chargesOf(userId)).toHaveLength(1);
    expect(payments.refundedOf(chargesOf(userId)[0]!.providerRef)).toBe(0);
  });

  it('refunds the charge of a buyer who no longer exists', async () => {
    const plan = await facilityPlan();
    const stranger = t.nexfit.ids.newObjectId();
    const idempotencyKey = await purchaseThatDies(stranger, plan.id);
    const report = await recover();
    expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `purchase:${idempotencyKey}`, outcome: 'refunded', reason: 'user_missing' }));
    expect(payments.netCharged(stranger)).toBe(0);
    expect(await subscriptionsOf(stranger)).toEqual([]);
    await expect(t.nexfit.workflows.purchaseMembership({ userId: stranger, membershipId: plan.id, paymentMethod: 'card', autoRenew: true, idempotencyKey })).rejects.toMatchObject({ reason: 'payment_refunded' });
  });

  it('leaves an intent stuck when its plan was deleted, changing nothing', async () => {
    const plan = await facilityPlan();
    const userId = await member();
    const idempotencyKey = await purchaseThatDies(userId, plan.id);
    await t.nexfit.mongo.db.collection('memberships').deleteOne({ _id: new ObjectId(plan.id) });
    const report = await recover();
    expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `purchase:${idempotencyKey}`, outcome: 'stuck', reason: 'plan_missing' }));
    expect(await intentOf(`purchase:${idempotencyKey}`)).toMatchObject({ status: 'open', last_error: 'plan_missing', recovery_attempts: 1 });
    expect(payments.netCharged(userId)).toBe(plan.price);
    expect(await subscriptionsOf(userId)).toEqual([]);
  });

  it('keeps an intent open while the provider is down and finishes it on the next pass', async () => {
    const plan = await facilityPlan();
    const userId = await member();
    const idempotencyKey = await purchaseThatDies(userId, plan.id);
    payments.setOutage(true);
    try {
      const down = await recover();
      expect(down.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `purchase:${idempotencyKey}`, outcome: 'stuck', reason: expect.stringMatching(/^provider_unavailable/) }));
      expect((await intentOf(`purchase:${idempotencyKey}`)).status).toBe('open');
    } finally {
      payments.setOutage(false);
    }
    const up = await recover();
    expect(up.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `purchase:${idempotencyKey}`, outcome: 'completed' }));
    expect(await subscriptionsOf(userId)).toHaveLength(1);
  });

  it('closes an intent the provider never charged', async () => {
    const plan = await facilityPlan();
    const userId = await member();
    const idempotencyKey = key();
    payments.setOutage(true);
    try {
      await expect(t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: false, idempotencyKey })).rejects.toMatchObject({ reason: 'provider_error' });
    } finally {
      payments.setOutage(false);
    }
    expect((await intentOf(`purchase:${idempotencyKey}`)).status).toBe('open');
    const report = await recover();
    expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `purchase:${idempotencyKey}`, outcome: 'failed', reason: 'not_charged' }));
    expect(chargesOf(userId)).toEqual([]);
    // The member's retry tries again under the same key.
    const retry = await t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: false, idempotencyKey });
    expect(retry.replayed).toBe(false);
    expect(chargesOf(userId)).toHaveLength(1);
  });

  it('finishes an intent once when two recoveries run at once', async () => {
    const plan = await facilityPlan();
    const userId = await member();
    const idempotencyKey = await purchaseThatDies(userId, plan.id);
    const other = await createNexfit({ mongo: { uri: t.mongo.uri, dbName: t.mongo.dbName }, postgres: { connectionString: t.pg.url }, keyring: createTestKeyring(), payments });
    try {
      await Promise.all([recover(), other.recoverInDoubt({ olderThanMs: 0 })]);
    } finally {
      await other.close();
    }
    expect(await subscriptionsOf(userId)).toHaveLength(1);
    expect(payments.netCharged(userId)).toBe(plan.price);
    expect(await t.nexfit.pg.selectFrom('transactions').select('transaction_id').where('user_id', '=', userId).execute()).toHaveLength(1);
  });

  it('ends in one purchase when recovery races the member retrying the same key', async () => {
    const plan = await facilityPlan();
    const userId = await member();
    const idempotencyKey = await purchaseThatDies(userId, plan.id);
    const [, retry] = await Promise.all([recover(), t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: true, idempotencyKey })]);
    const subscriptions = await subscriptionsOf(userId);
    expect(subscriptions).toHaveLength(1);
    expect(retry.memberSubscription.id).toBe(subscriptions[0]!.id);
    expect(chargesOf(userId)).toHaveLength(1);
    expect(payments.refundedOf(chargesOf(userId)[0]!.providerRef)).toBe(0);
  });

  it('reports an intent stuck when the keyring cannot read the buyer, and changes nothing', async () => {
    const plan = await facilityPlan();
    const userId = await member();
    const idempotencyKey = await purchaseThatDies(userId, plan.id);
    const wrongKeys = createKeyring({ keys: { k9: Buffer.alloc(32, 9).toString('base64') }, activeKeyId: 'k9', blindIndexKey: Buffer.alloc(32, 8).toString('base64') });
    const wrong = await createNexfit({ mongo: { uri: t.mongo.uri, dbName: t.mongo.dbName }, postgres: { connectionString: t.pg.url }, keyring: wrongKeys, payments });
    try {
      const report = await wrong.recoverInDoubt({ olderThanMs: 0 });
      expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `purchase:${idempotencyKey}`, outcome: 'stuck' }));
    } finally {
      await wrong.close();
    }
    expect((await intentOf(`purchase:${idempotencyKey}`)).status).toBe('open');
    expect(await subscriptionsOf(userId)).toEqual([]);
    expect(payments.netCharged(userId)).toBe(plan.price);
    await recover();
    expect(await subscriptionsOf(userId)).toHaveLength(1);
  });

  it('completes a renewal whose process died, and refunds one whose subscription was cancelled meanwhile', async () => {
    const plan = await facilityPlan(90_00, { value: 1, unit: 'day' });
    const [kept, cancelled] = [await member(), await member()];
    for (const userId of [kept, cancelled]) {
      await t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: true, idempotencyKey: key() });
    }
    crashes.push('before-prepare', 'before-prepare');
    const run = await t.nexfit.workflows.renewDueSubscriptions({ asOf: new Date(Date.now() + 3 * 86_400_000) });
    const mine = run.results.filter((r) => r.outcome === 'failed' && r.error instanceof SimulatedCrash);
    expect(mine.length).toBeGreaterThanOrEqual(2);
    const cancelledSubscription = (await subscriptionsOf(cancelled))[0]!;
    await t.nexfit.workflows.cancelMembership({ memberSubscriptionId: cancelledSubscription.id, when: 'immediately' });

    const report = await recover();
    const renewals = report.paymentIntents.results.filter((r) => r.kind === 'renewal');
    expect(renewals.map((r) => r.outcome).sort()).toEqual(['completed', 'refunded']);
    expect((await subscriptionsOf(kept))[0]!.paymentHistory).toHaveLength(2);
    expect((await subscriptionsOf(cancelled))[0]!.paymentHistory).toHaveLength(1);
    expect(payments.netCharged(cancelled)).toBe(plan.price);
  });

  it('records a refund the provider made when its process died before storing it', async () => {
    const plan = await facilityPlan();
    const userId = await member();
    const bought = await t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: false, idempotencyKey: key() });
    const idempotencyKey = key();
    crashes.push('before-prepare');
    await expect(t.nexfit.workflows.refundMembership({ memberSubscriptionId: bought.memberSubscription.id, idempotencyKey, amount: 200_00 })).rejects.toBeInstanceOf(SimulatedCrash);
    expect(payments.refundedOf(bought.transaction.metadata?.['providerRef'] as string)).toBe(200_00);
    const report = await recover();
    expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `refund:${idempotencyKey}`, outcome: 'completed' }));
    const subscription = await t.nexfit.memberships.getSubscription(bought.memberSubscription.id as MemberSubscriptionId);
    expect(subscription.paymentHistory.map((p) => p.status)).toEqual(['partially_refunded', 'refunded']);
    const refunds = await t.nexfit.pg.selectFrom('transactions').select('amount').where('user_id', '=', userId).where('transaction_type', '=', 'refund').execute();
    expect(refunds).toEqual([{ amount: '200.00' }]);
  });

  it('refuses the second of two refunds racing for more than is left together, before the provider is asked', async () => {
    const plan = await facilityPlan();
    const userId = await member();
    const bought = await t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: false, idempotencyKey: key() });
    const keys = [key(), key()];
    const results = await Promise.allSettled(keys.map((idempotencyKey) => t.nexfit.workflows.refundMembership({ memberSubscriptionId: bought.memberSubscription.id, idempotencyKey, amount: 700_00 })));
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason as unknown;
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused).toMatchObject({ reason: 'refund_exceeds_payment' });
    expect(payments.refundedOf(bought.transaction.metadata?.['providerRef'] as string)).toBe(700_00);
    // The refused refund opened no intent: nothing is left for recovery to find.
    const intents = await t.nexfit.pg.selectFrom('nexfit_payment_intents').select('status').where('idempotency_key', 'in', keys.map((k) => `refund:${k}`)).execute();
    expect(intents).toEqual([{ status: 'completed' }]);
  });

  it('lets racing partial refunds through while together they fit in the payment', async () => {
    const plan = await facilityPlan();
    const userId = await member();
    const bought = await t.nexfit.workflows.purchaseMembership({ userId, membershipId: plan.id, paymentMethod: 'card', autoRenew: false, idempotencyKey: key() });
    const results = await Promise.all([300_00, 400_00, 500_00].map((amount) => t.nexfit.workflows.refundMembership({ memberSubscriptionId: bought.memberSubscription.id, idempotencyKey: key(), amount, cancel: false })));
    expect(results).toHaveLength(3);
    expect(payments.refundedOf(bought.transaction.metadata?.['providerRef'] as string)).toBe(1_200_00);
    const refunds = await t.nexfit.pg.selectFrom('transactions').select('amount').where('user_id', '=', userId).where('transaction_type', '=', 'refund').orderBy('amount').execute();
    expect(refunds).toEqual([{ amount: '300.00' }, { amount: '400.00' }, { amount: '500.00' }]);
  });
});

describe('the invoice series in ordered mode', () => {
  it('voids the invoice of a unit compensated after PostgreSQL committed, and recovery buys again under the next number', async () => {
    const ordered = await createNexfit({
      mongo: { uri: t.mongo.uri, dbName: t.mongo.dbName },
      postgres: { connectionString: t.pg.url },
      keyring: createTestKeyring(),
      payments,
      unitOfWork: { mode: 'ordered', faults: (step) => { if (crashes[0] === step) { crashes.shift(); throw new SimulatedCrash(step); } } },
    });
    try {
      const plan = await facilityPlan();
      const userId = await member();
      const first = await ordered.workflows.purchaseMembership({ userId: await member(), membershipId: plan.id, paymentMethod: 'card', autoRenew: false, idempotencyKey: key() });
      crashes.push('before-decision');
      const idempotencyKey = key();
      await expect(ordered.workflows.purchaseMembership({ userId, membershipId: plan.id as MembershipId, paymentMethod: 'card', autoRenew: false, idempotencyKey })).rejects.toBeInstanceOf(SimulatedCrash);
      const report = await ordered.recoverInDoubt({ olderThanMs: 0 });
      expect(report.rolledBack).toHaveLength(1);
      expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `purchase:${idempotencyKey}`, outcome: 'completed' }));

      const invoices = await ordered.pg.selectFrom('invoices').select(['invoice_number', 'status', 'invoice_data']).where('business_id', '=', plan.facilityId).orderBy('invoice_number').execute();
      const sequence = (number: string) => Number(number.split('-')[2]);
      const base = sequence(first.invoice.invoiceNumber);
      expect(invoices.map((i) => [sequence(i.invoice_number) - base, i.status])).toEqual([[0, 'paid'], [1, 'void'], [2, 'paid']]);
      expect(invoices[1]!.invoice_data).toMatchObject({ voided: { reason: 'unit_rolled_back' } });
      const voidAudit = await sql<{ n: string }>`SELECT count(*) AS n FROM audit_logs WHERE entity_type = 'invoices' AND action = 'void'`.execute(ordered.pg);
      expect(Number(voidAudit.rows[0]!.n)).toBeGreaterThanOrEqual(1);
      const reconciled = await ordered.reconcile({ checks: ['invoiceSeries', 'invoices'], graceMs: 0 });
      expect(reconciled.findings).toEqual([]);
      expect(payments.netCharged(userId)).toBe(plan.price);
    } finally {
      await ordered.close();
    }
  });
});

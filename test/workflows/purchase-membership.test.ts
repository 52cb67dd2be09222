import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../src/core/errors.js';
import { businessIdOfFacility, type FacilityId, type UserId } from '../../src/core/ids.js';
import { InvoiceNumberSequence, PaymentFailedError, TestPaymentProvider, type ChargeRequest, type ChargeResult } from '../../src/modules/billing/index.js';
import { detectPreparedTransactions } from '../../src/stores/postgres/capabilities.js';
import { AuditLogRepository } from '../../src/modules/audit/audit-log.repository.js';
import { purchaseMembership } from '../../src/workflows/purchase-membership/purchase-membership.workflow.js';
import { createNexfit } from '../../src/create-nexfit.js';
import { createTestKeyring } from '../../src/core/keyring.js';
import { useTestNexfit } from '../support/nexfit.js';
import { membershipWorld } from './membership-fixtures.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

/**
 * A test provider whose charges wait until `size` of them are in flight at once (then all
 * proceed), so a test sees purchases overlap without measuring time. `release()` lets every
 * later charge through at once.
 */
class ChargeBarrier extends TestPaymentProvider {
  mostInFlight = 0;
  #inFlight = 0;
  #open = false;
  #waiting: (() => void)[] = [];
  constructor(readonly size: number) {
    super();
  }

  override async charge(request: ChargeRequest): Promise<ChargeResult> {
    this.#inFlight += 1;
    this.mostInFlight = Math.max(this.mostInFlight, this.#inFlight);
    try {
      if (!this.#open) {
        if (this.#inFlight >= this.size) this.release();
        else await new Promise<void>((resolve) => this.#waiting.push(resolve));
      }
      return await super.charge(request);
    } finally {
      this.#inFlight -= 1;
    }
  }

  release(): void {
    this.#open = true;
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}

describe('purchaseMembership', () => {
  let w: ReturnType<typeof membershipWorld>;
  let audit: AuditLogRepository;
  beforeAll(() => {
    w = membershipWorld(t);
    audit = new AuditLogRepository(t.nexfit.pg, t.deps);
  });

  const purchase = (userId: UserId, membershipId: string, overrides: Record<string, unknown> = {}) =>
    purchaseMembership(w.deps, { userId, membershipId, paymentMethod: 'card', autoRenew: true, idempotencyKey: w.newKey(), ...overrides } as never);

  it('writes the member subscription, transaction, billing row, invoice and audit rows, and charges once', async () => {
    const plan = await w.plan({ price: 1_500_00 });
    const user = w.newUser();
    const result = await purchase(user, plan.id);
    const sub = result.memberSubscription;
    expect(sub).toMatchObject({ userId: user, membershipId: plan.id, facilityId: plan.facilityId, status: 'active', autoRenew: true });
    expect(sub.startDate).toEqual(new Date('2026-03-02T09:00:00Z'));
    expect(sub.endDate).toEqual(new Date('2026-04-02T09:00:00Z'));
    expect(sub.paymentHistory).toEqual([expect.objectContaining({ amount: 1_500_00, status: 'completed', transactionId: result.transaction.transactionId })]);
    expect(result.transaction).toMatchObject({ userId: user, amount: 1_500_00, status: 'completed', transactionType: 'purchase' });
    expect(result.billingSubscription).toMatchObject({ planId: plan.id, billingCycle: 'monthly', startDate: '2026-03-02', endDate: '2026-04-02', status: 'active' });
    // Tax-inclusive price: 1 500,00 = 1 250,00 net + 250,00 VAT (20 %).
    expect(result.invoice).toMatchObject({ businessId: plan.facilityId, totalAmount: 1_500_00, taxAmount: 250_00, status: 'paid', transactionId: result.transaction.transactionId });
    expect(await w.pgRowsOf(user)).toEqual({ transactions: 1, invoices: 1, subscriptions: 1 });
    expect(w.payments.netCharged(user)).toBe(1_500_00);
    expect((await audit.listByEntity('invoices', result.invoice.invoiceId)).items).toHaveLength(1);
    expect((await audit.listByEntity('member_subscriptions', sub.id)).items).toHaveLength(1);
    const events = await t.nexfit.pg.selectFrom('nexfit_outbox').select('payload').where('type', '=', 'membership.purchased').execute();
    expect(events.map((e) => e.payload)).toContainEqual({ memberSubscriptionId: sub.id, userId: user, facilityId: plan.facilityId, invoiceId: result.invoice.invoiceId });
  });

  it('rounds VAT on an odd price exactly so net plus tax equals the price', async () => {
    const plan = await w.plan({ price: 999_99 });
    const { invoice } = await purchase(w.newUser(), plan.id);
    // 999,99 / 1,2 = 833,325 → net 833,33 (half away from zero), VAT 166,66.
    expect(invoice.taxAmount).toBe(166_66);
    expect(invoice.invoiceData['lines']).toEqual([expect.objectContaining({ net: '833.33', tax: '166.66', gross: '999.99' })]);
  });

  it('opens no billing row without auto-renewal', async () => {
    const plan = await w.plan();
    const user = w.newUser();
    const result = await purchase(user, plan.id, { autoRenew: false });
    expect(result.billingSubscription).toBeNull();
    expect(result.invoice.subscriptionId).toBeNull();
    expect(await w.pgRowsOf(user)).toEqual({ transactions: 1, invoices: 1, subscriptions: 0 });
  });

  it('returns the first result for a retried key and never charges twice', async () => {
    const plan = await w.plan();
    const user = w.newUser();
    const idempotencyKey = w.newKey();
    const first = await purchase(user, plan.id, { idempotencyKey });
    const again = await purchase(user, plan.id, { idempotencyKey });
    expect(again.replayed).toBe(true);
    expect(again.memberSubscription.id).toBe(first.memberSubscription.id);
    expect(again.invoice.invoiceNumber).toBe(first.invoice.invoiceNumber);
    expect(w.payments.charges.filter((c) => c.userId === user)).toHaveLength(1);
    expect(await w.pgRowsOf(user)).toEqual({ transactions: 1, invoices: 1, subscriptions: 1 });
  });

  it('charges once when retries with one key race each other', async () => {
    const plan = await w.plan();
    const user = w.newUser();
    const idempotencyKey = w.newKey();
    const results = await Promise.all(Array.from({ length: 5 }, () => purchase(user, plan.id, { idempotencyKey })));
    expect(new Set(results.map((r) => r.memberSubscription.id)).size).toBe(1);
    expect(results.filter((r) => !r.replayed)).toHaveLength(1);
    expect(w.payments.netCharged(user)).toBe(plan.price);
    expect(w.payments.refunds.filter((r) => r.idempotencyKey.includes(idempotencyKey))).toEqual([]);
    expect(await w.pgRowsOf(user)).toEqual({ transactions: 1, invoices: 1, subscriptions: 1 });
  });

  it('refuses a key reused for another purchase', async () => {
    const plan = await w.plan();
    const idempotencyKey = w.newKey();
    await purchase(w.newUser(), plan.id, { idempotencyKey });
    await expect(purchase(w.newUser(), plan.id, { idempotencyKey })).rejects.toMatchObject({ reason: 'idempotency_key_reused' });
  });

  it('writes nothing when the provider fails or declines', async () => {
    const plan = await w.plan();
    const user = w.newUser();
    w.payments.failNextCharge();
    await expect(purchase(user, plan.id)).rejects.toMatchObject({ reason: 'provider_error' });
    w.payments.declineNextCharge();
    await expect(purchase(user, plan.id)).rejects.toBeInstanceOf(PaymentFailedError);
    expect((await w.memberships.service.listSubscriptionsByUser(user)).items).toEqual([]);
    expect(await w.pgRowsOf(user)).toEqual({ transactions: 0, invoices: 0, subscriptions: 0 });
    expect(w.payments.netCharged(user)).toBe(0);
  });

  it('refunds the charge and leaves nothing behind when PostgreSQL fails late in the unit', async () => {
    const plan = await w.plan();
    const user = w.newUser();
    const numbers = new InvoiceNumberSequence(t.nexfit.pg, t.deps);
    const business = businessIdOfFacility(plan.facilityId as FacilityId);
    await purchase(w.newUser(), plan.id); // the business's series exists
    const lastBefore = await numbers.lastIssued(business, 2026);
    // A real PostgreSQL error on the invoice insert, after MongoDB and the transaction row were written.
    await sql
      .raw(
        `CREATE OR REPLACE FUNCTION test_refuse_invoice() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected invoice failure'; END $$ LANGUAGE plpgsql;
         CREATE TRIGGER test_refuse_invoice BEFORE INSERT ON invoices FOR EACH ROW WHEN (NEW.user_id = '${user}') EXECUTE FUNCTION test_refuse_invoice();`,
      )
      .execute(t.nexfit.pg);
    try {
      await expect(purchase(user, plan.id)).rejects.toThrow();
    } finally {
      await sql.raw('DROP TRIGGER test_refuse_invoice ON invoices').execute(t.nexfit.pg);
    }
    expect((await w.memberships.service.listSubscriptionsByUser(user)).items).toEqual([]);
    expect(await w.pgRowsOf(user)).toEqual({ transactions: 0, invoices: 0, subscriptions: 0 });
    const charge = w.payments.charges.find((c) => c.userId === user);
    expect(charge?.status).toBe('succeeded');
    expect(w.payments.refundedOf(charge!.providerRef)).toBe(plan.price);
    expect(w.payments.netCharged(user)).toBe(0);
    expect(await numbers.lastIssued(business, 2026)).toBe(lastBefore);
  });

  it('refunds the charge when MongoDB refuses the member subscription (a period ending before it starts)', async () => {
    const plan = await w.plan();
    const user = w.newUser();
    // Startdate at the end of the allowed range: the period end lies past MAX_DATE and fails validation in the unit.
    await expect(purchase(user, plan.id, { startDate: '2200-12-31T00:00:00Z' })).rejects.toBeInstanceOf(ValidationError);
    expect(await w.pgRowsOf(user)).toEqual({ transactions: 0, invoices: 0, subscriptions: 0 });
    const charge = w.payments.charges.find((c) => c.userId === user);
    expect(charge?.status).toBe('succeeded');
    expect(w.payments.refundedOf(charge!.providerRef)).toBe(plan.price);
    expect(w.payments.netCharged(user)).toBe(0);
  });

  it('refuses an inactive plan and hostile input before charging', async () => {
    const plan = await w.plan();
    await w.memberships.service.deactivatePlan(plan.id);
    const user = w.newUser();
    await expect(purchase(user, plan.id)).rejects.toBeInstanceOf(ConflictError);
    await expect(purchase(user, plan.id, { idempotencyKey: { $ne: '' } })).rejects.toBeInstanceOf(ValidationError);
    await expect(purchase(user, plan.id, { paymentMethod: 'barter' })).rejects.toBeInstanceOf(ValidationError);
    expect(w.payments.charges.filter((c) => c.userId === user)).toEqual([]);
  });

  describe.each(['two-phase', 'ordered'] as const)('at one business in %s mode', (mode) => {
    it('lets 16 purchases run at once and gives them the invoice numbers 1..16, then 50 more 17..66', async ({ skip }) => {
      if (mode === 'two-phase' && !(await detectPreparedTransactions(t.nexfit.pg)).enabled) skip('max_prepared_transactions = 0 on this PostgreSQL');
      // The default pool of 10 connections: a unit keeps its connection until COMMIT PREPARED, so
      // units queued on the series' row lock cannot starve the lock holder of a connection.
      const wide = await createNexfit({
        mongo: { uri: t.mongo.uri, dbName: t.mongo.dbName },
        postgres: { connectionString: t.pg.url },
        keyring: createTestKeyring(),
        clock: t.deps.clock,
        unitOfWork: { mode },
      });
      try {
        const world = membershipWorld({ ...t, nexfit: wide, deps: { ...t.deps, units: { run: (work, o) => wide.unitOfWork(work, o) } } });
        const payments = new ChargeBarrier(16);
        const deps = { ...world.deps, payments };
        const plan = await world.plan();
        const buy = () => purchaseMembership(deps, { userId: world.newUser(), membershipId: plan.id, paymentMethod: 'card', autoRenew: true, idempotencyKey: world.newKey() });
        const sequenceOf = (r: { invoice: { invoiceNumber: string } }) => Number(r.invoice.invoiceNumber.split('-')[2]);

        // No charge returns before all 16 are in flight: purchases that queued behind one another never get there.
        const first = await Promise.all(Array.from({ length: 16 }, buy));
        expect(payments.mostInFlight).toBe(16);
        expect(first.map(sequenceOf).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));

        payments.release();
        const more = await Promise.all(Array.from({ length: 50 }, buy));
        expect(more.map(sequenceOf).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 17));
        const all = [...first, ...more];
        expect(new Set(all.map((r) => r.invoice.invoiceNumber)).size).toBe(66);
        expect(payments.charges).toHaveLength(66);
        // The stores agree with the results: one invoice per purchase, the series' counter at 66.
        const stored = await wide.pg.selectFrom('invoices').select('invoice_number').where('business_id', '=', plan.facilityId).execute();
        expect(stored.map((r) => r.invoice_number).sort()).toEqual(all.map((r) => r.invoice.invoiceNumber).sort());
        const year = Number(all[0]!.invoice.invoiceNumber.slice(0, 4));
        expect(await new InvoiceNumberSequence(wide.pg, t.deps).lastIssued(businessIdOfFacility(plan.facilityId as FacilityId), year)).toBe(66);
      } finally {
        await wide.close();
      }
    }, 120_000);
  });
});

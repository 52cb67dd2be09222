import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { MembershipId, UserId } from '../../src/core/ids.js';
import { TestPaymentProvider } from '../../src/modules/billing/payment-provider.js';
import { archiveOlderThan, purgeBillingArchive } from '../../src/ops/archive/index.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

/**
 * The growth path of `transactions` and `invoices`: settled payments move to the archive
 * tables with their invoices, stay readable (repositories, export, erasure, reconciliation),
 * are never lost or doubled — also across an interrupted run — at volume, and leave the
 * hot tables' plans as they were. The archive is purged only after the legal retention.
 */

const payments = new TestPaymentProvider();
const t = useTestNexfit({ nexfit: { payments } });
const YEAR_MS = 365 * 86_400_000;

async function count(table: string, where = sql`TRUE`): Promise<number> {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)} WHERE ${where}`.execute(t.nexfit.pg);
  return Number(rows[0]!.n);
}

describe('archiving billing records', () => {
  it('moves a settled purchase with its invoice; it stays readable, exported, reconciled and erasable', async () => {
    const owner = (await t.nexfit.users.register({ ...createInputs.users({ email: 'archive-owner@example.com', role: ['gym_owner'], roleSpecificData: { gym_owner: { businessName: 'Moda' } } }), password: 'gizli-şifre-1' } as never)).id;
    const facility = await t.nexfit.facilities.create(createInputs.facilities({ ownerId: owner, staff: [] }) as never);
    const plan: MembershipId = (await t.nexfit.memberships.createPlan({ facilityId: facility.id, name: 'Aylık', duration: { value: 1, unit: 'month' }, price: 1_500_00 })).id;
    const member: UserId = (await t.nexfit.users.register({ ...createInputs.users({ email: 'arsivlenen@example.com', firstName: 'Zeynep', lastName: 'Arşivci', role: ['client'], roleSpecificData: {} }), password: 'gizli-şifre-1' } as never)).id;
    const bought = await t.nexfit.workflows.purchaseMembership({ userId: member, membershipId: plan, paymentMethod: 'card', autoRenew: false, idempotencyKey: `archive-${t.nexfit.ids.newUuid()}` });
    const transactionBefore = await t.nexfit.repositories.transactions.getByTransactionId(bought.transaction.transactionId);
    const invoiceBefore = await t.nexfit.repositories.invoices.getByInvoiceId(bought.invoice.invoiceId);
    // Three years ago.
    await sql`UPDATE invoices SET created_at = created_at - interval '3 years' WHERE invoice_id = ${invoiceBefore.invoiceId}`.execute(t.nexfit.pg);
    await sql`UPDATE transactions SET created_at = created_at - interval '3 years' WHERE transaction_id = ${transactionBefore.transactionId}`.execute(t.nexfit.pg);
    const transactionOld = await t.nexfit.repositories.transactions.getByTransactionId(transactionBefore.transactionId);
    const invoiceOld = await t.nexfit.repositories.invoices.getByInvoiceId(invoiceBefore.invoiceId);

    const result = await archiveOlderThan({ db: t.nexfit.mongo.db, pg: t.nexfit.pg }, { target: 'billing', before: new Date(Date.now() - YEAR_MS) });
    expect(result).toMatchObject({ target: 'billing', moved: 2, total: 2, complete: true });
    expect(await t.nexfit.repositories.transactions.findByTransactionId(transactionOld.transactionId)).toBeNull();
    expect(await t.nexfit.repositories.transactions.findArchived(transactionOld.transactionId)).toEqual(transactionOld);
    expect(await t.nexfit.repositories.invoices.findArchived(invoiceOld.invoiceId)).toEqual(invoiceOld);
    expect((await t.nexfit.repositories.invoices.listArchivedByUser(member)).items).toEqual([invoiceOld]);
    expect((await t.nexfit.repositories.transactions.listArchivedByUser(member)).items).toEqual([transactionOld]);

    // The payment history still finds its transaction, and the invoice series has no gap.
    expect((await t.nexfit.reconcile({ checks: ['payments', 'invoices', 'invoiceSeries'], graceMs: 0 })).findings).toEqual([]);
    const exported = await t.nexfit.privacy.exportUserData(member);
    expect(exported.transactions.map((x) => x['transactionId'])).toEqual([transactionOld.transactionId]);
    expect(exported.invoices.map((x) => x['invoiceNumber'])).toEqual([invoiceOld.invoiceNumber]);

    await t.nexfit.privacy.eraseUser(member, { reason: 'KVKK request 2026-301' });
    const archivedInvoice = await t.nexfit.repositories.invoices.findArchived(invoiceOld.invoiceId);
    // Amounts and numbers stay for the tax office; the member's name leaves the archived invoice too.
    expect(archivedInvoice).toMatchObject({ invoiceNumber: invoiceOld.invoiceNumber, totalAmount: invoiceOld.totalAmount });
    expect(JSON.stringify(archivedInvoice)).not.toMatch(/Zeynep|Arşivci|arsivlenen/);
  });

  it('keeps a pending payment and one with an open invoice hot', async () => {
    const old = new Date(Date.now() - 3 * YEAR_MS);
    const user = t.nexfit.ids.newObjectId();
    await sql`
      INSERT INTO transactions (transaction_id, user_id, amount, currency, payment_method, transaction_type, status, created_at)
      VALUES (${'aaaaaaaa-0000-4000-8000-000000000001'}, ${user}, 100, 'TRY', 'card', 'purchase', 'pending', ${old}),
             (${'aaaaaaaa-0000-4000-8000-000000000002'}, ${user}, 100, 'TRY', 'card', 'purchase', 'completed', ${old})`.execute(t.nexfit.pg);
    await sql`
      INSERT INTO invoices (invoice_id, transaction_id, user_id, business_id, total_amount, tax_amount, currency, status, due_date, invoice_number, invoice_data, created_at)
      VALUES (${'bbbbbbbb-0000-4000-8000-000000000002'}, ${'aaaaaaaa-0000-4000-8000-000000000002'}, ${user}, ${user}, 100, 0, 'TRY', 'issued', '2023-01-31', 'OPEN-1', '{}', ${old})`.execute(t.nexfit.pg);
    await archiveOlderThan({ db: t.nexfit.mongo.db, pg: t.nexfit.pg }, { target: 'billing', before: new Date() });
    expect(await count('transactions', sql`user_id = ${user}`)).toBe(2);
    expect(await count('invoices', sql`user_id = ${user}`)).toBe(1);
    expect(await count('transactions_archive', sql`user_id = ${user}`)).toBe(0);
  });

  it('moves a million transactions and their invoices without losing or doubling one, across an interrupted run, and keeps the hot plans', async () => {
    // A million in the suite; NEXFIT_ARCHIVE_ROWS scales it.
    const ROWS = Number(process.env['NEXFIT_ARCHIVE_ROWS'] ?? 1_000_000);
    // Spread over three years whatever the count.
    const SPREAD = (3 * YEAR_MS) / 1000 / ROWS;
    const started = Date.now();
    // Three years of payments, oldest first, from 50,000 members; 1% still pending. Every fourth has an invoice, one in a thousand of them still open.
    await sql`
      INSERT INTO transactions (transaction_id, user_id, amount, currency, payment_method, transaction_type, status, created_at, updated_at)
      SELECT md5('tx' || n)::uuid::text, lpad(to_hex(n % 50000), 24, '0'), 100 + (n % 5000), 'TRY', 'card', 'purchase',
             CASE WHEN n % 100 = 0 THEN 'pending' ELSE 'completed' END,
             now() - make_interval(secs => (${ROWS} - n) * ${SPREAD}::float8), now() - make_interval(secs => (${ROWS} - n) * ${SPREAD}::float8)
      FROM generate_series(1, ${ROWS}) AS n`.execute(t.nexfit.pg);
    await sql`
      INSERT INTO invoices (invoice_id, transaction_id, user_id, business_id, total_amount, tax_amount, currency, status, due_date, invoice_number, invoice_data, created_at, updated_at)
      SELECT md5('inv' || n)::uuid::text, md5('tx' || n)::uuid::text, lpad(to_hex(n % 50000), 24, '0'), lpad('b', 24, '0'), 100 + (n % 5000), 0, 'TRY',
             CASE WHEN n % 4000 = 0 THEN 'issued' ELSE 'paid' END, current_date, 'ARC-' || n, '{}', now() - make_interval(secs => (${ROWS} - n) * ${SPREAD}::float8), now()
      FROM generate_series(4, ${ROWS}, 4) AS n`.execute(t.nexfit.pg);
    await sql`ANALYZE transactions`.execute(t.nexfit.pg);
    await sql`ANALYZE invoices`.execute(t.nexfit.pg);
    const loadedMs = Date.now() - started;
    const totals = async () => {
      const { rows } = await sql<{ n: string; amount: string; invoices: string }>`
        SELECT (SELECT count(*) FROM transactions) + (SELECT count(*) FROM transactions_archive) AS n,
               (SELECT coalesce(sum(amount), 0) FROM transactions) + (SELECT coalesce(sum(amount), 0) FROM transactions_archive) AS amount,
               (SELECT count(*) FROM invoices) + (SELECT count(*) FROM invoices_archive) AS invoices`.execute(t.nexfit.pg);
      return rows[0]!;
    };
    const before = await totals();

    const cutoff = new Date(Date.now() - YEAR_MS);
    const stores = { db: t.nexfit.mongo.db, pg: t.nexfit.pg };
    // A run stopped after a few batches — as a process stopped by a deploy would be — then resumed.
    const stop = new AbortController();
    const first = await archiveOlderThan(stores, { target: 'billing', before: cutoff, batchSize: 20_000, signal: stop.signal, onProgress: (moved) => moved > ROWS / 10 && stop.abort() });
    expect(first.complete).toBe(false);
    expect(await totals()).toEqual(before);
    const second = await archiveOlderThan(stores, { target: 'billing', before: cutoff, batchSize: 20_000 });
    expect(second.complete).toBe(true);
    const archivedMs = Date.now() - started - loadedMs;
    // A second run finds nothing left to move.
    expect((await archiveOlderThan(stores, { target: 'billing', before: cutoff, batchSize: 20_000 })).moved).toBe(0);

    expect(await totals()).toEqual(before);
    // Nothing in both places; nothing archived that was not due; nothing due left behind.
    expect(Number((await sql<{ n: string }>`SELECT count(*) AS n FROM transactions t JOIN transactions_archive a USING (transaction_id)`.execute(t.nexfit.pg)).rows[0]!.n)).toBe(0);
    expect(await count('transactions_archive', sql`created_at >= ${cutoff} OR status = 'pending'`)).toBe(0);
    expect(await count('transactions', sql`created_at < ${cutoff} AND status <> 'pending' AND NOT EXISTS (SELECT 1 FROM invoices i WHERE i.transaction_id = transactions.transaction_id AND i.status = 'issued')`)).toBe(0);
    // Every archived invoice went with its transaction; every open invoice stayed with its own.
    expect(await count('invoices_archive', sql`NOT EXISTS (SELECT 1 FROM transactions_archive a WHERE a.transaction_id = invoices_archive.transaction_id)`)).toBe(0);
    expect(await count('invoices', sql`status = 'issued' AND NOT EXISTS (SELECT 1 FROM transactions h WHERE h.transaction_id = invoices.transaction_id)`)).toBe(0);
    const archived = await count('transactions_archive');
    expect(archived).toBeGreaterThan(ROWS * 0.6);
    expect(first.moved + second.moved).toBe(archived + (await count('invoices_archive')) - 1 /* the earlier test's purchase */ - 1);

    // The hot tables' reads keep their indexes.
    await sql`ANALYZE transactions`.execute(t.nexfit.pg);
    await sql`ANALYZE transactions_archive`.execute(t.nexfit.pg);
    const plan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT * FROM transactions WHERE user_id = ${'0'.repeat(20) + '1f40'} ORDER BY created_at DESC LIMIT 50`.execute(t.nexfit.pg);
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('idx_transactions_user_id');
    const archivePlan = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT * FROM transactions_archive WHERE user_id = ${'0'.repeat(20) + '1f40'} ORDER BY created_at DESC LIMIT 50`.execute(t.nexfit.pg);
    expect(archivePlan.rows.map((r) => r['QUERY PLAN']).join('\n')).toContain('idx_transactions_archive_user_id');
    console.log(`[billing archive] ${ROWS} transactions + ${ROWS / 4} invoices loaded in ${loadedMs} ms; ${first.moved + second.moved} rows archived in ${archivedMs} ms (${first.batches + second.batches} batches)`);

    // Retention: nothing younger than the legal minimum can be purged; older rows go for good.
    await expect(purgeBillingArchive(t.nexfit.pg, { retentionYears: 2 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const purged = await purgeBillingArchive(t.nexfit.pg, { retentionYears: 10, now: new Date(Date.now() + 8 * YEAR_MS), batchSize: 50_000 });
    expect(purged.transactions).toBeGreaterThan(0);
    expect(await count('transactions_archive', sql`created_at < ${purged.before}`)).toBe(0);
    expect(await count('invoices_archive', sql`created_at < ${purged.before}`)).toBe(0);
    expect(await count('transactions_archive')).toBe(archived - purged.transactions);
  }, 600_000);
});

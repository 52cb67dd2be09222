import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { AuditLogRepository } from '../../../src/modules/audit/audit-log.repository.js';
import { InvoiceRepository } from '../../../src/modules/billing/invoice.repository.js';
import { SubscriptionRepository } from '../../../src/modules/billing/subscription.repository.js';
import { TransactionRepository } from '../../../src/modules/billing/transaction.repository.js';
import { explain, expectIndexScan, lastQuery, planNodes, scannedIndexes, useRepositoryDb } from '../../modules/support/postgres-repositories.js';

const test = useRepositoryDb();
let transactions: TransactionRepository;
let invoices: InvoiceRepository;
let subscriptions: SubscriptionRepository;
let audit: AuditLogRepository;

const TRANSACTIONS = 200_000;
const INVOICES = 100_000;
const SUBSCRIPTIONS = 50_000;
const AUDIT_ROWS = 100_000;

/**
 * A realistic volume, made set-based and in time order (these tables are appended to as time
 * goes by, so the heap follows created_at): a year of payments (1 % still pending), invoices
 * over 500 plans (1 % open: most are paid at purchase), two years of subscriptions (30 %
 * active, half of those renewing), and audit rows over most of last month (0.05 %
 * cancellations).
 */
beforeAll(async () => {
  const db = test.db;
  transactions = new TransactionRepository(db, test.deps);
  invoices = new InvoiceRepository(db, test.deps);
  subscriptions = new SubscriptionRepository(db, test.deps);
  audit = new AuditLogRepository(db, test.deps);
  await sql`
    INSERT INTO transactions (transaction_id, user_id, amount, payment_method, transaction_type, status, metadata, created_at)
    SELECT 'tx-' || i, lpad(to_hex(i % 5000), 24, '0'), 1500.00, 'card', 'purchase',
           CASE WHEN i % 100 = 0 THEN 'pending' ELSE 'completed' END,
           jsonb_build_object('providerRef', 'pr_' || i, 'businessId', lpad(to_hex(i % 40), 24, '0')),
           timestamptz '2025-03-01' + i * interval '157 seconds'
    FROM generate_series(1, ${TRANSACTIONS}) AS i`.execute(db);
  await sql`
    INSERT INTO invoices (invoice_id, user_id, business_id, total_amount, tax_amount, status, due_date, invoice_number, invoice_data, created_at)
    SELECT 'inv-' || i, lpad(to_hex(i % 5000), 24, '0'), lpad(to_hex(i % 40), 24, '0'), 1800.00, 300.00,
           CASE WHEN i % 200 = 0 THEN 'issued' WHEN i % 200 = 1 THEN 'overdue' ELSE 'paid' END,
           date '2025-03-15' + i / 274, 'NXF' || lpad(i::text, 9, '0'),
           jsonb_build_object('lines', jsonb_build_array(jsonb_build_object('description', 'Plan ' || (i % 500), 'quantity', 1, 'gross', '1800.00')), 'pricesIncludeTax', true),
           timestamptz '2025-03-01' + i * interval '315 seconds'
    FROM generate_series(1, ${INVOICES}) AS i`.execute(db);
  await sql`
    INSERT INTO subscriptions (subscription_id, user_id, plan_id, status, start_date, end_date, billing_cycle, amount, payment_method, auto_renew)
    SELECT 'sub-' || i, lpad(to_hex(i), 24, '0'), 'plan-' || (i % 50),
           CASE WHEN i % 10 < 3 THEN 'active' WHEN i % 10 < 5 THEN 'cancelled' ELSE 'expired' END,
           date '2023-03-01' + i / 50,
           -- live memberships end in the coming year; ended ones ended a year after they started
           CASE WHEN i % 10 < 3 THEN date '2026-03-01' + i % 365 ELSE date '2024-03-01' + i / 50 END,
           CASE WHEN i % 2 = 0 THEN 'yearly' ELSE 'one_time' END, 1500.00, 'card', i % 2 = 0
    FROM generate_series(1, ${SUBSCRIPTIONS}) AS i`.execute(db);
  await sql`
    INSERT INTO audit_logs (entity_type, entity_id, user_id, action, user_agent, ip_address, new_state, created_at)
    SELECT CASE WHEN i % 2 = 0 THEN 'member_subscriptions' ELSE 'invoices' END, 'e-' || i, lpad(to_hex(i % 5000), 24, '0'), 'update',
           'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1 NexFit/4.2.' || (i % 50), '203.0.113.' || (i % 250),
           jsonb_build_object('status', CASE WHEN i % 2000 = 0 THEN 'cancelled' ELSE 'active' END, 'n', i, 'plan', 'Plan ' || (i % 500), 'endDate', '2027-01-01', 'autoRenew', true, 'updatedBy', lpad(to_hex(i % 5000), 24, '0')),
           date_trunc('month', now()) - interval '1 month' + interval '1 day' + i * interval '20 seconds'
    FROM generate_series(1, ${AUDIT_ROWS}) AS i`.execute(db);
  await sql`ANALYZE transactions, invoices, subscriptions, audit_logs`.execute(db);
}, 180_000);

describe('GIN indexes on the JSONB columns, with the queries behind them', () => {
  it('finds a payment by the provider\'s reference through idx_transactions_metadata', async () => {
    const found = await transactions.findByProviderRef('pr_123457');
    expect(found.map((t) => [t.transactionId, t.metadata?.['providerRef']])).toEqual([['tx-123457', 'pr_123457']]);
    expect(await transactions.findByProviderRef('pr_unknown')).toEqual([]);
    const plan = await explain(test, lastQuery(test.queries, /from "transactions" where metadata @>/));
    expectIndexScan(plan, 'idx_transactions_metadata', 'transactions');
  });

  it('lists the invoices with a line of one plan through idx_invoices_invoice_data', async () => {
    const page = await invoices.listByLineItem({ description: 'Plan 42' }, { limit: 50 });
    expect(page.items.length).toBe(50);
    expect(page.items.every((i) => (i.invoiceData['lines'] as { description: string }[])[0]!.description === 'Plan 42')).toBe(true);
    const next = await invoices.listByLineItem({ description: 'Plan 42' }, { limit: 200, after: page.nextCursor! });
    expect(page.items.length + next.items.length).toBe(INVOICES / 500);
    const plan = await explain(test, lastQuery(test.queries, /from "invoices" where invoice_data @>/));
    expectIndexScan(plan, 'idx_invoices_invoice_data', 'invoices');
  });

  it('lists the changes that cancelled a membership through the GIN index of every audit_logs partition', async () => {
    const page = await audit.listByNewState({ status: 'cancelled' }, { entityType: 'member_subscriptions' }, { limit: 20 });
    expect(page.items.length).toBe(20);
    expect(page.items.every((row) => row.newState?.['status'] === 'cancelled' && row.entityType === 'member_subscriptions')).toBe(true);
    const plan = await explain(test, lastQuery(test.queries, /new_state @>/));
    // The partitions holding rows are read through their GIN index; only near-empty ones (a month just begun, months ahead) are scanned.
    const scans = planNodes(plan).filter((n) => n['Relation Name']?.startsWith('audit_logs') || /Index Scan/.test(n['Node Type']));
    expect(scannedIndexes(plan).filter((name) => /new_state/.test(name)).length, JSON.stringify(plan)).toBeGreaterThan(0);
    expect(scannedIndexes(plan).every((name) => /new_state/.test(name))).toBe(true);
    for (const node of scans.filter((n) => n['Node Type'] === 'Seq Scan')) expect((node as unknown as { 'Total Cost': number })['Total Cost'], node['Relation Name']).toBeLessThan(100);
  });

  it('refuses an empty or non-object match with a ValidationError', async () => {
    await expect(invoices.listByLineItem({})).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(audit.listByNewState([] as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(transactions.findByProviderRef('')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(transactions.findByProviderRef({ $ne: null } as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('partial indexes on the hot subsets', () => {
  it('reads subscriptions due for renewal through idx_subscriptions_due_for_renewal', async () => {
    const page = await subscriptions.listDueForRenewal('2026-03-10', { limit: 100 });
    expect(page.items.length).toBeGreaterThan(50);
    expect(page.items.every((s) => s.status === 'active' && s.autoRenew && s.endDate! <= '2026-03-10')).toBe(true);
    const plan = await explain(test, lastQuery(test.queries, /from "subscriptions" where "status"/));
    expectIndexScan(plan, 'idx_subscriptions_due_for_renewal', 'subscriptions');
  });

  it('reads open invoices by due date through idx_invoices_open', async () => {
    const page = await invoices.listOpen({ dueBefore: '2025-09-01' }, { limit: 20 });
    expect(page.items.length).toBe(20);
    expect(page.items.every((i) => (i.status === 'issued' || i.status === 'overdue') && i.dueDate < '2025-09-01')).toBe(true);
    const plan = await explain(test, lastQuery(test.queries, /from "invoices" where status IN/));
    expectIndexScan(plan, 'idx_invoices_open', 'invoices');
    // One business's open invoices: the business index (business_id, status, due_date) is the narrower one.
    await invoices.listOpen({ businessId: '000000000000000000000007' as never }, { limit: 20 });
    expectIndexScan(await explain(test, lastQuery(test.queries, /from "invoices" where status IN/)), 'idx_invoices_business_id', 'invoices');
  });

  it('reads pending transactions oldest first through idx_transactions_pending', async () => {
    const page = await transactions.listPending({ createdBefore: '2025-12-01T00:00:00Z' }, { limit: 50 });
    expect(page.items.length).toBe(50);
    expect(page.items.every((t) => t.status === 'pending')).toBe(true);
    const times = page.items.map((t) => t.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    const plan = await explain(test, lastQuery(test.queries, /from "transactions" where status = 'pending'/));
    expectIndexScan(plan, 'idx_transactions_pending', 'transactions');
  });

  it('keeps the partial indexes a small fraction of their tables', async () => {
    const { rows } = await sql<{ name: string; bytes: string; table_bytes: string }>`
      SELECT c.relname AS name, pg_relation_size(c.oid)::text AS bytes, pg_relation_size(i.indrelid)::text AS table_bytes
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
      WHERE c.relname IN ('idx_transactions_pending', 'idx_invoices_open', 'idx_transactions_created_at', 'idx_invoices_due_date')`.execute(test.db);
    const size = Object.fromEntries(rows.map((r) => [r.name, Number(r.bytes)]));
    expect(size['idx_transactions_pending']!).toBeLessThan(size['idx_transactions_created_at']! / 20);
    expect(size['idx_invoices_open']!).toBeLessThan(size['idx_invoices_due_date']! / 10);
  });
});


import { sql, type Kysely } from 'kysely';

/**
 * The design document's index strategy for the financial tables: GIN indexes on the JSONB
 * columns the repositories search, and partial indexes on the hot subsets the nightly jobs
 * and sweeps read (a small fraction of each table, so the index stays small and in memory).
 *
 * - `transactions.metadata` — `findByProviderRef` (reconciliation matches the provider's
 *   ledger to rows by the provider's reference);
 * - `invoices.invoice_data` — `listByLineItem` (invoices with a line of a given plan or text);
 * - `audit_logs.new_state` — `listByNewState` (changes that set a field to a value), on every
 *   partition;
 * - `subscriptions` due for renewal (`active`, `auto_renew`) by end date — `listDueForRenewal`;
 * - open invoices (`issued`, `overdue`) by due date — `listOpen`;
 * - `pending` transactions by age — `listPending`.
 *
 * `jsonb_path_ops` GIN indexes answer containment (`@>`) only, at about a third of the size
 * of the default operator class; every query above is a containment. Plain `CREATE INDEX`
 * (not `CONCURRENTLY`, which cannot run inside the migration's transaction): on a large live
 * table, create them by hand with `CONCURRENTLY` first and this migration finds them
 * (`IF NOT EXISTS`).
 */
const upStatements: readonly string[] = [
  'CREATE INDEX IF NOT EXISTS idx_transactions_metadata ON transactions USING GIN (metadata jsonb_path_ops)',
  'CREATE INDEX IF NOT EXISTS idx_invoices_invoice_data ON invoices USING GIN (invoice_data jsonb_path_ops)',
  'CREATE INDEX IF NOT EXISTS idx_audit_logs_new_state ON audit_logs USING GIN (new_state jsonb_path_ops)',
  "CREATE INDEX IF NOT EXISTS idx_subscriptions_due_for_renewal ON subscriptions (end_date, id) WHERE status = 'active' AND auto_renew",
  "CREATE INDEX IF NOT EXISTS idx_invoices_open ON invoices (due_date, id) WHERE status IN ('issued', 'overdue')",
  "CREATE INDEX IF NOT EXISTS idx_transactions_pending ON transactions (created_at, id) WHERE status = 'pending'",
];

const INDEX_NAMES = [
  'idx_transactions_metadata',
  'idx_invoices_invoice_data',
  'idx_audit_logs_new_state',
  'idx_subscriptions_due_for_renewal',
  'idx_invoices_open',
  'idx_transactions_pending',
] as const;

/** Creates the GIN and partial indexes. */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

/** Drops exactly what {@link up} created. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const name of INDEX_NAMES) await sql`DROP INDEX IF EXISTS ${sql.id(name)}`.execute(db);
}

import { sql, type Kysely } from 'kysely';
import { jsonObjectCheck } from './check-constraints.js';

/**
 * The growth path of the financial tables: `transactions_archive` and `invoices_archive`, where
 * `archiveOlderThan({ target: 'billing' })` moves settled payments with their final invoices
 * once they leave the hot window. Plain tables with the columns of the hot ones (ids kept as
 * they were, hence plain BIGINTs) plus `archived_at`; unique business keys, so a row is never
 * archived twice; the indexes of the reads the archive serves — one user's records (export,
 * erasure, "all my invoices"), one payment by id, a business's invoice series by number. No
 * foreign keys: an archived invoice keeps the transaction id it had, and its transaction is
 * archived in the same statement.
 */
const upStatements: readonly string[] = [
  `CREATE TABLE transactions_archive (
  id BIGINT NOT NULL,
  transaction_id VARCHAR(36) NOT NULL,
  user_id VARCHAR(24) NOT NULL,
  amount DECIMAL(10, 2) NOT NULL,
  currency VARCHAR(3) NOT NULL,
  payment_method VARCHAR(20) NOT NULL,
  transaction_type VARCHAR(20) NOT NULL,
  status VARCHAR(20) NOT NULL,
  description TEXT,
  metadata JSONB,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  archived_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT transactions_archive_pkey PRIMARY KEY (transaction_id),
  ${jsonObjectCheck('transactions_archive', 'metadata')}
)`,
  'CREATE INDEX idx_transactions_archive_user_id ON transactions_archive (user_id, created_at DESC)',
  'CREATE INDEX idx_transactions_archive_created_at ON transactions_archive (created_at)',
  `CREATE TABLE invoices_archive (
  id BIGINT NOT NULL,
  invoice_id VARCHAR(36) NOT NULL,
  transaction_id VARCHAR(36),
  subscription_id VARCHAR(36),
  user_id VARCHAR(24) NOT NULL,
  business_id VARCHAR(24) NOT NULL,
  total_amount DECIMAL(10, 2) NOT NULL,
  tax_amount DECIMAL(10, 2) NOT NULL,
  currency VARCHAR(3) NOT NULL,
  status VARCHAR(20) NOT NULL,
  due_date DATE NOT NULL,
  payment_date DATE,
  invoice_number VARCHAR(20) NOT NULL,
  invoice_data JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL,
  archived_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT invoices_archive_pkey PRIMARY KEY (invoice_id),
  CONSTRAINT invoices_archive_invoice_number_key UNIQUE (invoice_number),
  ${jsonObjectCheck('invoices_archive', 'invoice_data')}
)`,
  'CREATE INDEX idx_invoices_archive_user_id ON invoices_archive (user_id, created_at DESC)',
  'CREATE INDEX idx_invoices_archive_transaction_id ON invoices_archive (transaction_id)',
  'CREATE INDEX idx_invoices_archive_business_id ON invoices_archive (business_id, created_at)',
];

/** Creates the two archive tables. */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

/** Drops them, archived rows included: run `archiveOlderThan` backwards first if they must be kept (see operations.md). */
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TABLE invoices_archive').execute(db);
  await sql.raw('DROP TABLE transactions_archive').execute(db);
}

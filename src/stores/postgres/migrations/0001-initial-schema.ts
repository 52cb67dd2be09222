import { sql, type Kysely } from 'kysely';
import {
  BILLING_CYCLES,
  INVOICE_STATUSES,
  PAYMENT_METHODS,
  SUBSCRIPTION_STATUSES,
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
} from '../enums.js';
import { ensureRollingPartitions } from '../partitions.js';
import { currencyCheck, enumCheck, jsonObjectCheck, nonNegativeCheck } from './check-constraints.js';

/**
 * The five tables of the design document with the SDK's decisions applied: TIMESTAMPTZ
 * instead of TIMESTAMP, identity ids, CHECK constraints for enumerations, amounts and
 * currencies, an `updated_at` trigger, partitioned `analytics_daily` (yearly) and
 * `audit_logs` (monthly). Each seed index keeps its seed name; where a repository query
 * needs more columns the seed index is widened instead of duplicated, since a B-tree on
 * (a, b) answers every query one on (a) does.
 */
const upStatements: readonly string[] = [
  // now() rather than clock_timestamp(): every row touched by one transaction gets the
  // same instant, matching the created_at default.
  `CREATE FUNCTION nexfit_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$`,

  `CREATE TABLE transactions (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  transaction_id VARCHAR(36) NOT NULL,
  user_id VARCHAR(24) NOT NULL,
  amount DECIMAL(10, 2) NOT NULL,
  currency VARCHAR(3) NOT NULL DEFAULT 'TRY',
  payment_method VARCHAR(20) NOT NULL,
  transaction_type VARCHAR(20) NOT NULL,
  status VARCHAR(20) NOT NULL,
  description TEXT,
  metadata JSONB,
  created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT transactions_transaction_id_key UNIQUE (transaction_id),
  ${nonNegativeCheck('transactions', 'amount')},
  ${currencyCheck('transactions')},
  ${enumCheck('transactions', 'payment_method', PAYMENT_METHODS)},
  ${enumCheck('transactions', 'transaction_type', TRANSACTION_TYPES)},
  ${enumCheck('transactions', 'status', TRANSACTION_STATUSES)},
  ${jsonObjectCheck('transactions', 'metadata')}
)`,
  'CREATE INDEX idx_transactions_user_id ON transactions (user_id, created_at DESC)',
  'CREATE INDEX idx_transactions_created_at ON transactions (created_at)',
  'CREATE INDEX idx_transactions_status ON transactions (status, created_at)',
  `CREATE TRIGGER transactions_touch_updated_at BEFORE UPDATE ON transactions
  FOR EACH ROW EXECUTE FUNCTION nexfit_touch_updated_at()`,

  `CREATE TABLE subscriptions (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subscription_id VARCHAR(36) NOT NULL,
  user_id VARCHAR(24) NOT NULL,
  plan_id VARCHAR(36) NOT NULL,
  status VARCHAR(20) NOT NULL,
  start_date DATE NOT NULL,
  end_date DATE,
  billing_cycle VARCHAR(20) NOT NULL,
  billing_day INTEGER,
  amount DECIMAL(10, 2) NOT NULL,
  currency VARCHAR(3) NOT NULL DEFAULT 'TRY',
  payment_method VARCHAR(20) NOT NULL,
  auto_renew BOOLEAN NOT NULL DEFAULT TRUE,
  metadata JSONB,
  created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT subscriptions_subscription_id_key UNIQUE (subscription_id),
  ${nonNegativeCheck('subscriptions', 'amount')},
  ${currencyCheck('subscriptions')},
  ${enumCheck('subscriptions', 'status', SUBSCRIPTION_STATUSES)},
  ${enumCheck('subscriptions', 'billing_cycle', BILLING_CYCLES)},
  ${enumCheck('subscriptions', 'payment_method', PAYMENT_METHODS)},
  CONSTRAINT subscriptions_billing_day_check CHECK (billing_day BETWEEN 1 AND 31),
  CONSTRAINT subscriptions_end_date_check CHECK (end_date >= start_date),
  ${jsonObjectCheck('subscriptions', 'metadata')}
)`,
  'CREATE INDEX idx_subscriptions_user_id ON subscriptions (user_id)',
  // Renewal runs select by status and due end date.
  'CREATE INDEX idx_subscriptions_status ON subscriptions (status, end_date)',
  'CREATE INDEX idx_subscriptions_end_date ON subscriptions (end_date)',
  `CREATE TRIGGER subscriptions_touch_updated_at BEFORE UPDATE ON subscriptions
  FOR EACH ROW EXECUTE FUNCTION nexfit_touch_updated_at()`,

  `CREATE TABLE invoices (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  invoice_id VARCHAR(36) NOT NULL,
  transaction_id VARCHAR(36),
  subscription_id VARCHAR(36),
  user_id VARCHAR(24) NOT NULL,
  business_id VARCHAR(24) NOT NULL,
  total_amount DECIMAL(10, 2) NOT NULL,
  tax_amount DECIMAL(10, 2) NOT NULL,
  currency VARCHAR(3) NOT NULL DEFAULT 'TRY',
  status VARCHAR(20) NOT NULL,
  due_date DATE NOT NULL,
  payment_date DATE,
  invoice_number VARCHAR(20) NOT NULL,
  invoice_data JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT invoices_invoice_id_key UNIQUE (invoice_id),
  CONSTRAINT invoices_invoice_number_key UNIQUE (invoice_number),
  CONSTRAINT invoices_transaction_id_fkey FOREIGN KEY (transaction_id)
    REFERENCES transactions (transaction_id) ON DELETE SET NULL,
  CONSTRAINT invoices_subscription_id_fkey FOREIGN KEY (subscription_id)
    REFERENCES subscriptions (subscription_id) ON DELETE SET NULL,
  ${nonNegativeCheck('invoices', 'total_amount')},
  CONSTRAINT invoices_tax_amount_check CHECK (tax_amount >= 0 AND tax_amount <= total_amount),
  ${currencyCheck('invoices')},
  ${enumCheck('invoices', 'status', INVOICE_STATUSES)},
  ${jsonObjectCheck('invoices', 'invoice_data')}
)`,
  'CREATE INDEX idx_invoices_user_id ON invoices (user_id, created_at)',
  'CREATE INDEX idx_invoices_business_id ON invoices (business_id, status, due_date)',
  'CREATE INDEX idx_invoices_status ON invoices (status)',
  'CREATE INDEX idx_invoices_due_date ON invoices (due_date)',
  // The foreign-key columns are indexed so ON DELETE SET NULL does not scan invoices.
  'CREATE INDEX idx_invoices_transaction_id ON invoices (transaction_id)',
  'CREATE INDEX idx_invoices_subscription_id ON invoices (subscription_id)',
  `CREATE TRIGGER invoices_touch_updated_at BEFORE UPDATE ON invoices
  FOR EACH ROW EXECUTE FUNCTION nexfit_touch_updated_at()`,

  // Unique constraints of a partitioned table must contain the partition key, hence the
  // (id, date) primary key of the design document.
  `CREATE TABLE analytics_daily (
  id BIGINT GENERATED ALWAYS AS IDENTITY,
  business_id VARCHAR(24) NOT NULL,
  date DATE NOT NULL,
  new_members INTEGER NOT NULL DEFAULT 0,
  active_members INTEGER NOT NULL DEFAULT 0,
  total_revenue DECIMAL(12, 2) NOT NULL DEFAULT 0,
  class_attendance INTEGER NOT NULL DEFAULT 0,
  subscription_renewals INTEGER NOT NULL DEFAULT 0,
  subscription_cancellations INTEGER NOT NULL DEFAULT 0,
  metrics JSONB,
  created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT analytics_daily_pkey PRIMARY KEY (id, date),
  ${nonNegativeCheck('analytics_daily', 'new_members')},
  ${nonNegativeCheck('analytics_daily', 'active_members')},
  ${nonNegativeCheck('analytics_daily', 'total_revenue')},
  ${nonNegativeCheck('analytics_daily', 'class_attendance')},
  ${nonNegativeCheck('analytics_daily', 'subscription_renewals')},
  ${nonNegativeCheck('analytics_daily', 'subscription_cancellations')},
  ${jsonObjectCheck('analytics_daily', 'metrics')}
) PARTITION BY RANGE (date)`,
  'CREATE UNIQUE INDEX idx_analytics_daily_business_date ON analytics_daily (business_id, date)',
  `CREATE TRIGGER analytics_daily_touch_updated_at BEFORE UPDATE ON analytics_daily
  FOR EACH ROW EXECUTE FUNCTION nexfit_touch_updated_at()`,
  // Rows outside every created partition land here instead of failing the write;
  // ensurePartitions() moves them out when it creates their partition.
  'CREATE TABLE analytics_daily_default PARTITION OF analytics_daily DEFAULT',

  `CREATE TABLE audit_logs (
  id BIGINT GENERATED ALWAYS AS IDENTITY,
  entity_type VARCHAR(50) NOT NULL,
  entity_id VARCHAR(36) NOT NULL,
  user_id VARCHAR(24),
  action VARCHAR(50) NOT NULL,
  previous_state JSONB,
  new_state JSONB,
  ip_address VARCHAR(45),
  user_agent TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT audit_logs_pkey PRIMARY KEY (id, created_at),
  ${jsonObjectCheck('audit_logs', 'previous_state')},
  ${jsonObjectCheck('audit_logs', 'new_state')}
) PARTITION BY RANGE (created_at)`,
  'CREATE INDEX idx_audit_logs_entity ON audit_logs (entity_type, entity_id, created_at)',
  'CREATE INDEX idx_audit_logs_user_id ON audit_logs (user_id, created_at)',
  'CREATE INDEX idx_audit_logs_created_at ON audit_logs (created_at)',
  'CREATE TABLE audit_logs_default PARTITION OF audit_logs DEFAULT',
];

/** Creates the design document's tables and the partitions around the database's current date. */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
  // Migrations take no arguments: the window is centred on the database's now().
  await ensureRollingPartitions(db);
}

/** Drops everything {@link up} created; partitions go with their parent table. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['invoices', 'transactions', 'subscriptions', 'analytics_daily', 'audit_logs']) {
    await sql.raw(`DROP TABLE ${table}`).execute(db);
  }
  await sql.raw('DROP FUNCTION nexfit_touch_updated_at()').execute(db);
}

import type { ColumnType, Generated, GeneratedAlways, Insertable, Selectable, Updateable } from 'kysely';
import type { JsonArray, JsonObject, JsonValue } from 'type-fest';
import type {
  BillingCycle,
  InvoiceStatus,
  PaymentMethod,
  SubscriptionStatus,
  TransactionStatus,
  TransactionType,
} from './enums.js';

/**
 * `DECIMAL(p, s)`: an exact decimal string such as `'149.90'` in both directions. The
 * SDK's pool returns NUMERIC as text; never convert it to a JavaScript number.
 */
export type Decimal = ColumnType<string, string, string>;

/** A `DECIMAL` column with a database default. */
export type DecimalWithDefault = ColumnType<string, string | undefined, string>;

/**
 * A `JSONB` column holding a JSON object (a `CHECK (jsonb_typeof(...) = 'object')` makes
 * sure). Reads give the parsed object; writes take the JSON **text**
 * (`JSON.stringify(value)`). That is the one convention of the SDK: `pg` would send a
 * JavaScript array as a PostgreSQL array literal, not as JSON, so the caller serialises.
 */
export type JsonObjectColumn = ColumnType<JsonObject, string, string>;

/** A nullable `JSONB` object column; see {@link JsonObjectColumn}. */
export type NullableJsonObjectColumn = ColumnType<JsonObject | null, string | null | undefined, string | null>;

/** A nullable `JSONB` column with any JSON value; written as JSON text like {@link JsonObjectColumn}. */
export type NullableJsonColumn = ColumnType<JsonValue | null, string | null | undefined, string | null>;

/** `TIMESTAMPTZ ... DEFAULT CURRENT_TIMESTAMP` that is never updated after insert. */
export type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

/** `updated_at`: set by the `nexfit_touch_updated_at()` trigger on every UPDATE, so not writable. */
export type UpdatedAt = ColumnType<Date, Date | string | undefined, never>;

/** A `TIMESTAMPTZ` column without a default. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** A nullable `TIMESTAMPTZ` column. */
export type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/**
 * `BIGINT GENERATED ALWAYS AS IDENTITY`: `pg` returns int8 as a string (it may exceed
 * `Number.MAX_SAFE_INTEGER`), and the database alone assigns it.
 */
export type IdentityId = GeneratedAlways<string>;

/** `DATE` as `'YYYY-MM-DD'` (the SDK's pool does not turn it into a local-midnight Date). */
export type DateString = string;

/** `transactions`: every financial movement. Refunds are rows of type `refund` with a non-negative amount. */
export interface TransactionsTable {
  id: IdentityId;
  transaction_id: string;
  user_id: string;
  amount: Decimal;
  currency: Generated<string>;
  payment_method: PaymentMethod;
  transaction_type: TransactionType;
  status: TransactionStatus;
  description: string | null;
  metadata: NullableJsonObjectColumn;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** `transactions_archive`: settled payments moved out of `transactions` with their id and dates (migration 0009). */
export interface TransactionsArchiveTable {
  id: string;
  transaction_id: string;
  user_id: string;
  amount: Decimal;
  currency: string;
  payment_method: PaymentMethod;
  transaction_type: TransactionType;
  status: TransactionStatus;
  description: string | null;
  metadata: NullableJsonObjectColumn;
  created_at: Timestamp;
  updated_at: Timestamp;
  archived_at: CreatedAt;
}

/** `invoices_archive`: final invoices moved out of `invoices`, with their transaction (migration 0009). */
export interface InvoicesArchiveTable {
  id: string;
  invoice_id: string;
  transaction_id: string | null;
  subscription_id: string | null;
  user_id: string;
  business_id: string;
  total_amount: Decimal;
  tax_amount: Decimal;
  currency: string;
  status: InvoiceStatus;
  due_date: DateString;
  payment_date: DateString | null;
  invoice_number: string;
  invoice_data: JsonObjectColumn;
  created_at: Timestamp;
  updated_at: Timestamp;
  archived_at: CreatedAt;
}

/** `subscriptions`: recurring billing of a user's plan. */
export interface SubscriptionsTable {
  id: IdentityId;
  subscription_id: string;
  user_id: string;
  plan_id: string;
  status: SubscriptionStatus;
  start_date: DateString;
  end_date: DateString | null;
  billing_cycle: BillingCycle;
  billing_day: number | null;
  amount: Decimal;
  currency: Generated<string>;
  payment_method: PaymentMethod;
  auto_renew: Generated<boolean>;
  metadata: NullableJsonObjectColumn;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** `invoices`: issued invoices; `total_amount` includes `tax_amount`. */
export interface InvoicesTable {
  id: IdentityId;
  invoice_id: string;
  transaction_id: string | null;
  subscription_id: string | null;
  user_id: string;
  business_id: string;
  total_amount: Decimal;
  tax_amount: Decimal;
  currency: Generated<string>;
  status: InvoiceStatus;
  due_date: DateString;
  payment_date: DateString | null;
  invoice_number: string;
  invoice_data: JsonObjectColumn;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** `analytics_daily`: one roll-up row per business and day; partitioned by year on `date`. */
export interface AnalyticsDailyTable {
  id: IdentityId;
  business_id: string;
  date: DateString;
  new_members: Generated<number>;
  active_members: Generated<number>;
  total_revenue: DecimalWithDefault;
  class_attendance: Generated<number>;
  subscription_renewals: Generated<number>;
  subscription_cancellations: Generated<number>;
  metrics: NullableJsonObjectColumn;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** `audit_logs`: append-only change history; partitioned by month on `created_at`. */
export interface AuditLogsTable {
  id: IdentityId;
  entity_type: string;
  entity_id: string;
  user_id: string | null;
  action: string;
  previous_state: NullableJsonObjectColumn;
  new_state: NullableJsonObjectColumn;
  ip_address: string | null;
  user_agent: string | null;
  /** The host's request id (migration 0008). */
  request_id: string | null;
  created_at: CreatedAt;
}

/**
 * `audit_logs_archive`: audit rows older than the retention window, moved by
 * `archiveOlderThan` with their original id and `created_at`.
 */
export interface AuditLogsArchiveTable {
  id: string;
  entity_type: string;
  entity_id: string;
  user_id: string | null;
  action: string;
  previous_state: NullableJsonObjectColumn;
  new_state: NullableJsonObjectColumn;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  created_at: Timestamp;
  archived_at: CreatedAt;
}

/** Gap-free invoice numbering: one counter per business and calendar year, advanced under a row lock. */
export interface InvoiceSequencesTable {
  business_id: string;
  year: number;
  last_value: number;
}

/** Results of idempotent operations, replayed for a repeated key until `expires_at`. */
export interface IdempotencyKeysTable {
  key: string;
  scope: string;
  response: NullableJsonColumn;
  created_at: CreatedAt;
  expires_at: Timestamp;
}

/** Transactional outbox: events written with the business change, published afterwards. */
export interface OutboxTable {
  id: IdentityId;
  event_id: Generated<string>;
  type: string;
  payload: JsonObjectColumn;
  created_at: CreatedAt;
  published_at: NullableTimestamp;
}

/** `nexfit_webhook_endpoints` (migration 0011): where a facility's webhooks go, the secret sealed. */
export interface WebhookEndpointsTable {
  endpoint_id: string;
  facility_id: string | null;
  url: string;
  description: string | null;
  events: string[];
  active: Generated<boolean>;
  secret_key_id: string;
  secret_sealed: Buffer;
  created_at: CreatedAt;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

/** `nexfit_webhook_deliveries` (migration 0011): one event for one endpoint, written by the outbox trigger. */
export interface WebhookDeliveriesTable {
  id: IdentityId;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  payload: JsonObjectColumn;
  occurred_at: Date;
  status: Generated<'pending' | 'succeeded' | 'dead'>;
  attempts: Generated<number>;
  next_attempt_at: ColumnType<Date, Date | string, Date | string>;
  lease_token: string | null;
  lease_until: NullableTimestamp;
  last_status_code: number | null;
  last_error: string | null;
  finished_at: NullableTimestamp;
  created_at: CreatedAt;
}

/** `nexfit_webhook_attempts` (migration 0011): the log of every attempt of a delivery. */
export interface WebhookAttemptsTable {
  id: IdentityId;
  /** BIGINT: `pg` returns int8 as text. */
  delivery_id: ColumnType<string, string | number, never>;
  attempt: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  attempted_at: ColumnType<Date, Date | string, never>;
}

/**
 * The Kysely schema of the SDK's PostgreSQL tables: the five tables of the design
 * document plus the SDK's own `nexfit_*` tables.
 *
 * @example
 * ```ts
 * const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: createNexfitPgPool(cfg) }) });
 * const rows = await db.selectFrom('transactions').selectAll().where('user_id', '=', userId).execute();
 * ```
 */
/** `nexfit_uow_intents`: ordered-mode units of work and the SQL that compensates each. */
export interface UowIntentsTable {
  unit_id: string;
  status: 'pending' | 'committed' | 'compensated';
  /** JSON text of `{ sql, parameters }[]` on insert; parsed on read. */
  compensation: ColumnType<JsonArray, string, string>;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/** `nexfit_payment_intents`: what a money workflow is about to do at the payment provider. */
export interface PaymentIntentsTable {
  intent_id: string;
  idempotency_key: string;
  kind: 'purchase' | 'renewal' | 'refund' | 'plan_change' | 'fee';
  user_id: string;
  /** BIGINT minor units: `pg` returns int8 as text. */
  amount_minor: ColumnType<string, number | string, number | string>;
  currency: string;
  request: JsonObjectColumn;
  terms: JsonObjectColumn;
  status: 'open' | 'refunding' | 'completed' | 'refunded' | 'failed';
  provider_ref: string | null;
  outcome: NullableJsonObjectColumn;
  failure_reason: string | null;
  last_error: string | null;
  recovery_attempts: Generated<number>;
  /** The actor and origin of the request that opened the intent (migration 0008). */
  request_context: NullableJsonObjectColumn;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
  closed_at: NullableTimestamp;
}

/** `nexfit_size_snapshots`: table and collection sizes over time, for growth rates. */
export interface SizeSnapshotsTable {
  taken_at: Date;
  store: 'mongo' | 'postgres';
  target: string;
  /** BIGINT: `pg` returns it as a string. */
  row_count: ColumnType<string | null, number | null, number | null>;
  total_bytes: ColumnType<string | null, number | null, number | null>;
}

/**
 * The PostgreSQL tables of the SDK as Kysely sees them (`nexfit.pg` is a `Kysely<Database>`), for
 * reads the repositories do not cover.
 *
 * @example
 * ```ts
 * const open = await nexfit.pg.selectFrom('invoices').select('invoice_id').where('status', '=', 'issued').execute();
 * ```
 */
export interface Database {
  transactions: TransactionsTable;
  subscriptions: SubscriptionsTable;
  invoices: InvoicesTable;
  analytics_daily: AnalyticsDailyTable;
  audit_logs: AuditLogsTable;
  audit_logs_archive: AuditLogsArchiveTable;
  transactions_archive: TransactionsArchiveTable;
  invoices_archive: InvoicesArchiveTable;
  nexfit_invoice_sequences: InvoiceSequencesTable;
  nexfit_idempotency_keys: IdempotencyKeysTable;
  nexfit_outbox: OutboxTable;
  nexfit_uow_intents: UowIntentsTable;
  nexfit_payment_intents: PaymentIntentsTable;
  nexfit_size_snapshots: SizeSnapshotsTable;
  nexfit_webhook_endpoints: WebhookEndpointsTable;
  nexfit_webhook_deliveries: WebhookDeliveriesTable;
  nexfit_webhook_attempts: WebhookAttemptsTable;
}

export type TransactionRow = Selectable<TransactionsTable>;
export type NewTransactionRow = Insertable<TransactionsTable>;
export type TransactionRowUpdate = Updateable<TransactionsTable>;

export type SubscriptionRow = Selectable<SubscriptionsTable>;
export type NewSubscriptionRow = Insertable<SubscriptionsTable>;
export type SubscriptionRowUpdate = Updateable<SubscriptionsTable>;

export type InvoiceRow = Selectable<InvoicesTable>;
export type NewInvoiceRow = Insertable<InvoicesTable>;
export type InvoiceRowUpdate = Updateable<InvoicesTable>;

export type AnalyticsDailyRow = Selectable<AnalyticsDailyTable>;
export type NewAnalyticsDailyRow = Insertable<AnalyticsDailyTable>;
export type AnalyticsDailyRowUpdate = Updateable<AnalyticsDailyTable>;

export type AuditLogRow = Selectable<AuditLogsTable>;
export type NewAuditLogRow = Insertable<AuditLogsTable>;

export type AuditLogArchiveRow = Selectable<AuditLogsArchiveTable>;

export type InvoiceSequenceRow = Selectable<InvoiceSequencesTable>;
export type NewInvoiceSequenceRow = Insertable<InvoiceSequencesTable>;
export type InvoiceSequenceRowUpdate = Updateable<InvoiceSequencesTable>;

export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
export type NewIdempotencyKeyRow = Insertable<IdempotencyKeysTable>;
export type IdempotencyKeyRowUpdate = Updateable<IdempotencyKeysTable>;

export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxRow = Insertable<OutboxTable>;
export type OutboxRowUpdate = Updateable<OutboxTable>;

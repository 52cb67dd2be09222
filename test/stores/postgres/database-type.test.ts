import { sql, type SelectType } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/stores/postgres/database.js';
import { migratePostgresToLatest } from '../../../src/stores/postgres/migrator.js';
import { useTestPostgres } from '../../support/stores.js';

const pg = useTestPostgres();

type PgDataType =
  | 'bigint'
  | 'boolean'
  | 'character varying'
  | 'date'
  | 'integer'
  | 'jsonb'
  | 'numeric'
  | 'text'
  | 'timestamp with time zone'
  | 'uuid'
  | 'ARRAY'
  | 'bytea';

/** The nullability must agree with the column's select type, checked by the compiler. */
interface ColumnSpec<Select> {
  readonly type: PgDataType;
  readonly nullable: null extends Select ? true : false;
}

type ColumnMap = {
  readonly [T in keyof Database]: { readonly [C in keyof Database[T]]-?: ColumnSpec<SelectType<Database[T][C]>> };
};

type Equal<A, B> = (<G>() => G extends A ? 1 : 2) extends <G>() => G extends B ? 1 : 2 ? true : false;

const notNull = <T extends PgDataType>(type: T) => ({ type, nullable: false }) as const;
const nullable = <T extends PgDataType>(type: T) => ({ type, nullable: true }) as const;

/**
 * Every column of the `Database` type, written out. `satisfies` rejects a missing column
 * and the object literal rejects an extra one; the run-time test compares it with the
 * live catalog.
 */
const expectedColumns = {
  transactions: {
    id: notNull('bigint'),
    transaction_id: notNull('character varying'),
    user_id: notNull('character varying'),
    amount: notNull('numeric'),
    currency: notNull('character varying'),
    payment_method: notNull('character varying'),
    transaction_type: notNull('character varying'),
    status: notNull('character varying'),
    description: nullable('text'),
    metadata: nullable('jsonb'),
    created_at: notNull('timestamp with time zone'),
    updated_at: notNull('timestamp with time zone'),
  },
  subscriptions: {
    id: notNull('bigint'),
    subscription_id: notNull('character varying'),
    user_id: notNull('character varying'),
    plan_id: notNull('character varying'),
    status: notNull('character varying'),
    start_date: notNull('date'),
    end_date: nullable('date'),
    billing_cycle: notNull('character varying'),
    billing_day: nullable('integer'),
    amount: notNull('numeric'),
    currency: notNull('character varying'),
    payment_method: notNull('character varying'),
    auto_renew: notNull('boolean'),
    metadata: nullable('jsonb'),
    created_at: notNull('timestamp with time zone'),
    updated_at: notNull('timestamp with time zone'),
  },
  invoices: {
    id: notNull('bigint'),
    invoice_id: notNull('character varying'),
    transaction_id: nullable('character varying'),
    subscription_id: nullable('character varying'),
    user_id: notNull('character varying'),
    business_id: notNull('character varying'),
    total_amount: notNull('numeric'),
    tax_amount: notNull('numeric'),
    currency: notNull('character varying'),
    status: notNull('character varying'),
    due_date: notNull('date'),
    payment_date: nullable('date'),
    invoice_number: notNull('character varying'),
    invoice_data: notNull('jsonb'),
    created_at: notNull('timestamp with time zone'),
    updated_at: notNull('timestamp with time zone'),
  },
  analytics_daily: {
    id: notNull('bigint'),
    business_id: notNull('character varying'),
    date: notNull('date'),
    new_members: notNull('integer'),
    active_members: notNull('integer'),
    total_revenue: notNull('numeric'),
    class_attendance: notNull('integer'),
    subscription_renewals: notNull('integer'),
    subscription_cancellations: notNull('integer'),
    metrics: nullable('jsonb'),
    created_at: notNull('timestamp with time zone'),
    updated_at: notNull('timestamp with time zone'),
  },
  audit_logs: {
    id: notNull('bigint'),
    entity_type: notNull('character varying'),
    entity_id: notNull('character varying'),
    user_id: nullable('character varying'),
    action: notNull('character varying'),
    previous_state: nullable('jsonb'),
    new_state: nullable('jsonb'),
    ip_address: nullable('character varying'),
    user_agent: nullable('text'),
    request_id: nullable('character varying'),
    created_at: notNull('timestamp with time zone'),
  },
  audit_logs_archive: {
    id: notNull('bigint'),
    entity_type: notNull('character varying'),
    entity_id: notNull('character varying'),
    user_id: nullable('character varying'),
    action: notNull('character varying'),
    previous_state: nullable('jsonb'),
    new_state: nullable('jsonb'),
    ip_address: nullable('character varying'),
    user_agent: nullable('text'),
    request_id: nullable('character varying'),
    created_at: notNull('timestamp with time zone'),
    archived_at: notNull('timestamp with time zone'),
  },
  transactions_archive: {
    id: notNull('bigint'),
    transaction_id: notNull('character varying'),
    user_id: notNull('character varying'),
    amount: notNull('numeric'),
    currency: notNull('character varying'),
    payment_method: notNull('character varying'),
    transaction_type: notNull('character varying'),
    status: notNull('character varying'),
    description: nullable('text'),
    metadata: nullable('jsonb'),
    created_at: notNull('timestamp with time zone'),
    updated_at: notNull('timestamp with time zone'),
    archived_at: notNull('timestamp with time zone'),
  },
  invoices_archive: {
    id: notNull('bigint'),
    invoice_id: notNull('character varying'),
    transaction_id: nullable('character varying'),
    subscription_id: nullable('character varying'),
    user_id: notNull('character varying'),
    business_id: notNull('character varying'),
    total_amount: notNull('numeric'),
    tax_amount: notNull('numeric'),
    currency: notNull('character varying'),
    status: notNull('character varying'),
    due_date: notNull('date'),
    payment_date: nullable('date'),
    invoice_number: notNull('character varying'),
    invoice_data: notNull('jsonb'),
    created_at: notNull('timestamp with time zone'),
    updated_at: notNull('timestamp with time zone'),
    archived_at: notNull('timestamp with time zone'),
  },
  nexfit_invoice_sequences: {
    business_id: notNull('character varying'),
    year: notNull('integer'),
    last_value: notNull('integer'),
  },
  nexfit_idempotency_keys: {
    key: notNull('character varying'),
    scope: notNull('character varying'),
    response: nullable('jsonb'),
    created_at: notNull('timestamp with time zone'),
    expires_at: notNull('timestamp with time zone'),
  },
  nexfit_outbox: {
    id: notNull('bigint'),
    event_id: notNull('uuid'),
    type: notNull('character varying'),
    payload: notNull('jsonb'),
    created_at: notNull('timestamp with time zone'),
    published_at: nullable('timestamp with time zone'),
  },
  nexfit_uow_intents: {
    unit_id: notNull('character varying'),
    status: notNull('character varying'),
    compensation: notNull('jsonb'),
    created_at: notNull('timestamp with time zone'),
    updated_at: notNull('timestamp with time zone'),
  },
  nexfit_payment_intents: {
    intent_id: notNull('uuid'),
    idempotency_key: notNull('character varying'),
    kind: notNull('character varying'),
    user_id: notNull('character varying'),
    amount_minor: notNull('bigint'),
    currency: notNull('character varying'),
    request: notNull('jsonb'),
    terms: notNull('jsonb'),
    status: notNull('character varying'),
    provider_ref: nullable('character varying'),
    outcome: nullable('jsonb'),
    failure_reason: nullable('character varying'),
    last_error: nullable('text'),
    recovery_attempts: notNull('integer'),
    request_context: nullable('jsonb'),
    created_at: notNull('timestamp with time zone'),
    updated_at: notNull('timestamp with time zone'),
    closed_at: nullable('timestamp with time zone'),
  },
  nexfit_size_snapshots: {
    taken_at: notNull('timestamp with time zone'),
    store: notNull('character varying'),
    target: notNull('character varying'),
    row_count: nullable('bigint'),
    total_bytes: nullable('bigint'),
  },
  nexfit_webhook_endpoints: {
    endpoint_id: notNull('character varying'),
    facility_id: nullable('character varying'),
    url: notNull('character varying'),
    description: nullable('character varying'),
    events: notNull('ARRAY'),
    active: notNull('boolean'),
    secret_key_id: notNull('character varying'),
    secret_sealed: notNull('bytea'),
    created_at: notNull('timestamp with time zone'),
    updated_at: notNull('timestamp with time zone'),
  },
  nexfit_webhook_deliveries: {
    id: notNull('bigint'),
    endpoint_id: notNull('character varying'),
    event_id: notNull('uuid'),
    event_type: notNull('character varying'),
    payload: notNull('jsonb'),
    occurred_at: notNull('timestamp with time zone'),
    status: notNull('character varying'),
    attempts: notNull('integer'),
    next_attempt_at: notNull('timestamp with time zone'),
    lease_token: nullable('uuid'),
    lease_until: nullable('timestamp with time zone'),
    last_status_code: nullable('integer'),
    last_error: nullable('text'),
    finished_at: nullable('timestamp with time zone'),
    created_at: notNull('timestamp with time zone'),
  },
  nexfit_webhook_attempts: {
    id: notNull('bigint'),
    delivery_id: notNull('bigint'),
    attempt: notNull('integer'),
    status_code: nullable('integer'),
    duration_ms: notNull('integer'),
    error: nullable('text'),
    attempted_at: notNull('timestamp with time zone'),
  },
} satisfies ColumnMap;

// The map's keys are exactly the type's, table by table.
type KeysMatch = { [T in keyof Database]: Equal<keyof (typeof expectedColumns)[T], keyof Database[T]> };
const tablesMatch: Equal<keyof typeof expectedColumns, keyof Database> = true;
const columnsMatch: KeysMatch[keyof Database] = true;

describe('the Database type', () => {
  beforeAll(async () => {
    await migratePostgresToLatest(pg.kysely);
  });

  it('is checked against the map exhaustively at compile time', () => {
    expect([tablesMatch, columnsMatch]).toEqual([true, true]);
  });

  it('names exactly the tables the migrations create', async () => {
    const { rows } = await sql<{ table_name: string }>`
      SELECT c.relname AS table_name FROM pg_class c
      WHERE c.relnamespace = current_schema()::regnamespace
        AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND c.relname NOT IN ('nexfit_migrations', 'nexfit_migrations_lock')
      ORDER BY 1`.execute(pg.kysely);
    expect(rows.map((r) => r.table_name)).toEqual(Object.keys(expectedColumns).sort());
  });

  it.each(Object.keys(expectedColumns) as (keyof Database)[])('matches the columns of %s', async (table) => {
    const { rows } = await sql<{ column_name: string; data_type: string; is_nullable: 'YES' | 'NO' }>`
      SELECT column_name, data_type, is_nullable FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = ${table}`.execute(pg.kysely);
    const actual = Object.fromEntries(
      rows.map((r) => [r.column_name, { type: r.data_type, nullable: r.is_nullable === 'YES' }]),
    );
    expect(actual).toEqual(expectedColumns[table]);
  });
});

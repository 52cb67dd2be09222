import { sql, type Kysely } from 'kysely';
import { jsonObjectCheck } from './check-constraints.js';

/**
 * The SDK's own bookkeeping tables: invoice number counters, idempotency records and
 * the transactional outbox.
 */
const upStatements: readonly string[] = [
  // A row per business and year, incremented with UPDATE ... RETURNING inside the
  // invoice's transaction: the row lock serialises issuers, and a rollback returns the
  // number, so the sequence has no gaps (a PostgreSQL SEQUENCE would leave gaps).
  `CREATE TABLE nexfit_invoice_sequences (
  business_id VARCHAR(24) NOT NULL,
  year INTEGER NOT NULL,
  last_value INTEGER NOT NULL,
  CONSTRAINT nexfit_invoice_sequences_pkey PRIMARY KEY (business_id, year),
  CONSTRAINT nexfit_invoice_sequences_last_value_check CHECK (last_value >= 0)
)`,

  `CREATE TABLE nexfit_idempotency_keys (
  key VARCHAR(100) NOT NULL,
  scope VARCHAR(50) NOT NULL,
  response JSONB,
  created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  expires_at TIMESTAMPTZ NOT NULL,
  CONSTRAINT nexfit_idempotency_keys_pkey PRIMARY KEY (key)
)`,
  // PostgreSQL has no TTL index: expired records are deleted by range on this index.
  'CREATE INDEX nexfit_idempotency_keys_expires_at_idx ON nexfit_idempotency_keys (expires_at)',

  `CREATE TABLE nexfit_outbox (
  id BIGINT GENERATED ALWAYS AS IDENTITY,
  event_id UUID NOT NULL DEFAULT gen_random_uuid(),
  type VARCHAR(100) NOT NULL,
  payload JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  published_at TIMESTAMPTZ,
  CONSTRAINT nexfit_outbox_pkey PRIMARY KEY (id),
  CONSTRAINT nexfit_outbox_event_id_key UNIQUE (event_id),
  ${jsonObjectCheck('nexfit_outbox', 'payload')}
)`,
  // The publisher reads unpublished rows in id order; published rows leave the index.
  'CREATE INDEX nexfit_outbox_unpublished_idx ON nexfit_outbox (id) WHERE published_at IS NULL',
];

/** Creates the SDK's internal tables. */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

/** Drops exactly what {@link up} created. */
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['nexfit_outbox', 'nexfit_idempotency_keys', 'nexfit_invoice_sequences']) {
    await sql.raw(`DROP TABLE ${table}`).execute(db);
  }
}

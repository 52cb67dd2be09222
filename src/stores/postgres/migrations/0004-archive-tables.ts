import { sql, type Kysely } from 'kysely';
import { jsonObjectCheck } from './check-constraints.js';

/**
 * `audit_logs_archive`: cold audit rows moved out of `audit_logs` by `archiveOlderThan`.
 * A plain table, not partitioned: it is appended to in batches and read rarely (an audit
 * enquiry, a user's data export), so one table with the lookups' indexes is enough. Rows
 * keep the id they had, hence a plain BIGINT rather than an identity.
 */
const upStatements: readonly string[] = [
  `CREATE TABLE audit_logs_archive (
  id BIGINT NOT NULL,
  entity_type VARCHAR(50) NOT NULL,
  entity_id VARCHAR(36) NOT NULL,
  user_id VARCHAR(24),
  action VARCHAR(50) NOT NULL,
  previous_state JSONB,
  new_state JSONB,
  ip_address VARCHAR(45),
  user_agent TEXT,
  created_at TIMESTAMPTZ NOT NULL,
  archived_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT audit_logs_archive_pkey PRIMARY KEY (id, created_at),
  ${jsonObjectCheck('audit_logs_archive', 'previous_state')},
  ${jsonObjectCheck('audit_logs_archive', 'new_state')}
)`,
  // An entity's history and a user's rows (KVKK/GDPR export and erasure) reach the archive too.
  'CREATE INDEX idx_audit_logs_archive_entity ON audit_logs_archive (entity_type, entity_id, created_at)',
  'CREATE INDEX idx_audit_logs_archive_user_id ON audit_logs_archive (user_id, created_at)',
];

/** Creates the archive table. */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

/** Drops exactly what {@link up} created, archived rows included. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TABLE audit_logs_archive').execute(db);
}

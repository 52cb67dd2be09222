import { sql, type Kysely } from 'kysely';

/**
 * Who acted, kept where it is needed later:
 * - `audit_logs.request_id` (and its archive's): the host's id of the request a change served
 *   (`nexfit.as(actor, { requestId })`), next to the actor, IP address and user agent, so an
 *   audit row can be joined with the host's access log;
 * - `nexfit_payment_intents.request_context`: the actor and origin of the request that opened
 *   the intent, so a purchase, renewal or refund that recovery completes after a crash is
 *   audited as the request that paid for it, not as the recovery job.
 *
 * Nullable: jobs and older rows have none. Adding a nullable column without a default
 * rewrites nothing, on every partition.
 */
const upStatements: readonly string[] = [
  'ALTER TABLE audit_logs ADD COLUMN request_id VARCHAR(100)',
  'ALTER TABLE audit_logs_archive ADD COLUMN request_id VARCHAR(100)',
  'ALTER TABLE nexfit_payment_intents ADD COLUMN request_context JSONB',
];

/** Adds the columns. */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

/** Drops them (the request ids and contexts recorded are lost). */
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('ALTER TABLE nexfit_payment_intents DROP COLUMN request_context').execute(db);
  await sql.raw('ALTER TABLE audit_logs_archive DROP COLUMN request_id').execute(db);
  await sql.raw('ALTER TABLE audit_logs DROP COLUMN request_id').execute(db);
}

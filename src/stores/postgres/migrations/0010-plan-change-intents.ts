import { sql, type Kysely } from 'kysely';

/**
 * `nexfit_payment_intents.kind` admits `plan_change`: the charge of an upgrade's difference or
 * the refund of a downgrade's, which recovery finishes like a purchase or a refund. The check
 * is replaced by one that lists the kinds as they stand after this migration (the list of
 * migration 0005 stays as it was).
 */
const KINDS_BEFORE = ['purchase', 'renewal', 'refund'] as const;
const KINDS_AFTER = [...KINDS_BEFORE, 'plan_change'] as const;

const kindCheck = (kinds: readonly string[]) =>
  `ALTER TABLE nexfit_payment_intents DROP CONSTRAINT nexfit_payment_intents_kind_check,
  ADD CONSTRAINT nexfit_payment_intents_kind_check CHECK (kind IN (${kinds.map((k) => `'${k}'`).join(', ')}))`;

/** Admits `plan_change` intents. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(kindCheck(KINDS_AFTER)).execute(db);
}

/** Restores the check of migration 0005; refused by PostgreSQL while `plan_change` intents exist (purge or delete them first). */
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(kindCheck(KINDS_BEFORE)).execute(db);
}

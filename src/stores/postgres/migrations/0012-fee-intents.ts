import { sql, type Kysely } from 'kysely';

/**
 * `nexfit_payment_intents.kind` admits `fee`: the charge of a late-cancellation or no-show
 * fee, which recovery completes or refunds like a purchase. The check is replaced by one that
 * lists the kinds as they stand after this migration (the lists of migrations 0005 and 0010
 * stay as they were).
 */
const KINDS_BEFORE = ['purchase', 'renewal', 'refund', 'plan_change'] as const;
const KINDS_AFTER = [...KINDS_BEFORE, 'fee'] as const;

const kindCheck = (kinds: readonly string[]) =>
  `ALTER TABLE nexfit_payment_intents DROP CONSTRAINT nexfit_payment_intents_kind_check,
  ADD CONSTRAINT nexfit_payment_intents_kind_check CHECK (kind IN (${kinds.map((k) => `'${k}'`).join(', ')}))`;

/** Admits `fee` intents. */
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(kindCheck(KINDS_AFTER)).execute(db);
}

/** Restores the check of migration 0010; refused by PostgreSQL while `fee` intents exist (purge or delete them first). */
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(kindCheck(KINDS_BEFORE)).execute(db);
}

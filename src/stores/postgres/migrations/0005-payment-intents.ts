import { sql, type Kysely } from 'kysely';
import { jsonObjectCheck } from './check-constraints.js';

/** Kinds of outside money movement a workflow announces before it talks to the provider. */
export const PAYMENT_INTENT_KINDS = ['purchase', 'renewal', 'refund'] as const;
/**
 * Where an intent stands: `open` until its unit of work stores the result (`completed`), the
 * provider declines or never took the money (`failed`), or the money is being given back
 * (`refunding`, then `refunded`).
 */
export const PAYMENT_INTENT_STATUSES = ['open', 'refunding', 'completed', 'refunded', 'failed'] as const;

/**
 * `nexfit_payment_intents`: the durable record a money workflow commits before it calls the
 * payment provider, so that recovery (not the memory of the process that started the work)
 * can finish or undo it. `request` holds the caller's parameters (a retry with other
 * parameters is refused), `terms` what the SDK resolved (price, start date), `outcome` the
 * ids the completing unit of work stored.
 */
const upStatements: readonly string[] = [
  `CREATE TABLE nexfit_payment_intents (
  intent_id UUID NOT NULL,
  idempotency_key VARCHAR(100) NOT NULL,
  kind VARCHAR(20) NOT NULL,
  user_id VARCHAR(24) NOT NULL,
  amount_minor BIGINT NOT NULL,
  currency VARCHAR(3) NOT NULL,
  request JSONB NOT NULL,
  terms JSONB NOT NULL,
  status VARCHAR(20) NOT NULL,
  provider_ref VARCHAR(100),
  outcome JSONB,
  failure_reason VARCHAR(50),
  last_error TEXT,
  recovery_attempts INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  closed_at TIMESTAMPTZ,
  CONSTRAINT nexfit_payment_intents_pkey PRIMARY KEY (intent_id),
  CONSTRAINT nexfit_payment_intents_idempotency_key_key UNIQUE (idempotency_key),
  CONSTRAINT nexfit_payment_intents_kind_check CHECK (kind IN (${PAYMENT_INTENT_KINDS.map((k) => `'${k}'`).join(', ')})),
  CONSTRAINT nexfit_payment_intents_status_check CHECK (status IN (${PAYMENT_INTENT_STATUSES.map((s) => `'${s}'`).join(', ')})),
  CONSTRAINT nexfit_payment_intents_amount_minor_check CHECK (amount_minor >= 0),
  CONSTRAINT nexfit_payment_intents_currency_check CHECK (currency ~ '^[A-Z]{3}$'),
  CONSTRAINT nexfit_payment_intents_closed_check CHECK ((status IN ('open', 'refunding')) = (closed_at IS NULL)),
  ${jsonObjectCheck('nexfit_payment_intents', 'request')},
  ${jsonObjectCheck('nexfit_payment_intents', 'terms')}
)`,
  // Recovery scans the unfinished intents, oldest first; closed ones leave the index.
  "CREATE INDEX nexfit_payment_intents_unfinished_idx ON nexfit_payment_intents (updated_at) WHERE status IN ('open', 'refunding')",
  // Housekeeping purges closed intents by age.
  'CREATE INDEX nexfit_payment_intents_closed_at_idx ON nexfit_payment_intents (closed_at) WHERE closed_at IS NOT NULL',
  // Reconciliation finds the intent of a provider charge.
  'CREATE INDEX nexfit_payment_intents_provider_ref_idx ON nexfit_payment_intents (provider_ref) WHERE provider_ref IS NOT NULL',
  `CREATE TRIGGER nexfit_payment_intents_touch_updated_at BEFORE UPDATE ON nexfit_payment_intents
  FOR EACH ROW EXECUTE FUNCTION nexfit_touch_updated_at()`,
];

/** Creates the payment intents table. */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

/** Drops exactly what {@link up} created. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TABLE nexfit_payment_intents').execute(db);
}

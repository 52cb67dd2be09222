import { sql, type Kysely } from 'kysely';

/**
 * Intents of units of work committed in `ordered` mode (servers without prepared
 * transactions): written in the unit's PostgreSQL transaction with the SQL that undoes it,
 * so recovery can compensate after a crash even though the process that knew it is gone.
 */
const upStatements: readonly string[] = [
  `CREATE TABLE nexfit_uow_intents (
  unit_id VARCHAR(64) NOT NULL,
  status VARCHAR(20) NOT NULL,
  compensation JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT nexfit_uow_intents_pkey PRIMARY KEY (unit_id),
  CONSTRAINT nexfit_uow_intents_status_check CHECK (status IN ('pending', 'committed', 'compensated')),
  CONSTRAINT nexfit_uow_intents_compensation_check CHECK (jsonb_typeof(compensation) = 'array')
)`,
  // Recovery scans only the undecided intents, oldest first.
  "CREATE INDEX nexfit_uow_intents_pending_idx ON nexfit_uow_intents (created_at) WHERE status = 'pending'",
  `CREATE TRIGGER nexfit_uow_intents_touch_updated_at BEFORE UPDATE ON nexfit_uow_intents
  FOR EACH ROW EXECUTE FUNCTION nexfit_touch_updated_at()`,
];

/** Creates the intents table. */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

/** Drops exactly what {@link up} created. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TABLE nexfit_uow_intents').execute(db);
}

import { sql, type Kysely } from 'kysely';

/**
 * `nexfit_size_snapshots`: the size of every table and collection of both stores, one row
 * per target per snapshot (`recordSizeSnapshot`, nightly). The health report turns the
 * snapshots into growth rates (rows and bytes per day). Small: ~30 rows a day.
 */
const upStatements: readonly string[] = [
  `CREATE TABLE nexfit_size_snapshots (
  taken_at TIMESTAMPTZ NOT NULL,
  store VARCHAR(10) NOT NULL,
  target VARCHAR(100) NOT NULL,
  row_count BIGINT,
  total_bytes BIGINT,
  CONSTRAINT nexfit_size_snapshots_pkey PRIMARY KEY (store, target, taken_at),
  CONSTRAINT nexfit_size_snapshots_store_check CHECK (store IN ('mongo', 'postgres'))
)`,
  'CREATE INDEX idx_nexfit_size_snapshots_taken_at ON nexfit_size_snapshots (taken_at)',
];

/** Creates the snapshot table. */
export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of upStatements) await sql.raw(statement).execute(db);
}

/** Drops it, snapshots included. */
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw('DROP TABLE nexfit_size_snapshots').execute(db);
}

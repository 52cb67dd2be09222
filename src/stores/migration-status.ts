import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import type { MongoCollectionDefinition } from './mongo/collections.js';
import { mongoLayoutStatus, type MongoLayoutStatus } from './mongo/layout-status.js';
import { postgresMigrationStatus, type PostgresMigrationStatus } from './postgres/migrator.js';
import { readPostgresLayout } from './store-layout.js';

/**
 * Where a store stands against this SDK: `current` (nothing to do), `not-migrated` or
 * `behind` / `incomplete` (run the migrations), `ahead` (a newer SDK migrated it).
 */
export type StoreMigrationState = 'current' | 'not-migrated' | 'behind' | 'incomplete' | 'ahead';

/** The PostgreSQL migrations of a database: this SDK's, and the ones recorded that it does not ship. */
export interface PostgresMigrationReport extends PostgresMigrationStatus {
  readonly state: Exclude<StoreMigrationState, 'incomplete'>;
  /** Recorded migrations this SDK does not ship (a newer SDK's). */
  readonly unknownMigrations: readonly string[];
}

/** Both stores (or the one asked for) against this SDK's migrations and layout. */
export interface MigrationStatusReport {
  /** `up-to-date` when every store read is `current`; `ahead` when one is newer than this SDK; `pending` otherwise. */
  readonly state: 'up-to-date' | 'pending' | 'ahead';
  readonly postgres?: PostgresMigrationReport;
  readonly mongo?: MongoLayoutStatus;
}

/**
 * Reads the migration state of the stores given, changing nothing: no bookkeeping table,
 * collection, validator or index is created. MongoDB is compared with `mongoLayout`, the
 * collections the composition root assembles.
 *
 * @example
 * ```ts
 * const { state } = await readMigrationStatus({ db: nexfit.mongo.db, pg: nexfit.pg, mongoLayout: MONGO_LAYOUT });
 * ```
 */
export async function readMigrationStatus(stores: {
  readonly db?: Db;
  readonly pg?: Kysely<any>;
  readonly mongoLayout: readonly MongoCollectionDefinition[];
}): Promise<MigrationStatusReport> {
  let postgres: PostgresMigrationReport | undefined;
  if (stores.pg) {
    const status = await postgresMigrationStatus(stores.pg);
    const { unknownMigrations } = await readPostgresLayout(stores.pg);
    const state = unknownMigrations.length > 0 ? 'ahead' : status.pending.length === 0 ? 'current' : status.current === null ? 'not-migrated' : 'behind';
    postgres = { ...status, state, unknownMigrations };
  }
  const mongo = stores.db ? await mongoLayoutStatus(stores.db, stores.mongoLayout) : undefined;
  const states = [postgres?.state, mongo?.state].filter((s) => s !== undefined);
  const state = states.includes('ahead') ? 'ahead' : states.every((s) => s === 'current') ? 'up-to-date' : 'pending';
  return { state, ...(postgres ? { postgres } : {}), ...(mongo ? { mongo } : {}) };
}

import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as initialSchema from './0001-initial-schema.js';
import * as sdkInternals from './0002-sdk-internals.js';
import * as unitOfWorkIntents from './0003-unit-of-work-intents.js';
import * as archiveTables from './0004-archive-tables.js';
import * as paymentIntents from './0005-payment-intents.js';
import * as jsonbAndPartialIndexes from './0006-jsonb-and-partial-indexes.js';
import * as sizeSnapshots from './0007-size-snapshots.js';
import * as auditRequestId from './0008-audit-request-id.js';
import * as billingArchive from './0009-billing-archive.js';
import * as planChangeIntents from './0010-plan-change-intents.js';
import * as webhooks from './0011-webhooks.js';
import * as feeIntents from './0012-fee-intents.js';

/** A migration of this package: Kysely's `up`/`down` on the schema it runs in. */
interface SchemaMigration {
  up(db: Kysely<any>): Promise<void>;
  down(db: Kysely<any>): Promise<void>;
}

/**
 * Every migration of the package, in order. A static list rather than a folder scan so
 * it survives bundling.
 */
const migrations = {
  '0001-initial-schema': initialSchema,
  '0002-sdk-internals': sdkInternals,
  '0003-unit-of-work-intents': unitOfWorkIntents,
  '0004-archive-tables': archiveTables,
  '0005-payment-intents': paymentIntents,
  '0006-jsonb-and-partial-indexes': jsonbAndPartialIndexes,
  '0007-size-snapshots': sizeSnapshots,
  '0008-audit-request-id': auditRequestId,
  '0009-billing-archive': billingArchive,
  '0010-plan-change-intents': planChangeIntents,
  '0011-webhooks': webhooks,
  '0012-fee-intents': feeIntents,
} as const satisfies Record<string, SchemaMigration>;

/**
 * The name of a migration the SDK ships.
 *
 * @useDeclaredType
 */
export type PostgresMigrationName = keyof typeof migrations;

/** The SDK's migration names in the order they apply. */
export const POSTGRES_MIGRATION_NAMES = Object.keys(migrations).sort() as readonly PostgresMigrationName[];

/**
 * Kysely `MigrationProvider` for the SDK's migrations. With a `schema`, each migration
 * sets `search_path` for its own transaction only, so its unqualified DDL lands there.
 *
 * @example
 * ```ts
 * new Migrator({ db, provider: nexfitMigrationProvider({ schema: 'billing' }) });
 * ```
 */
export function nexfitMigrationProvider(options: { readonly schema?: string } = {}): MigrationProvider {
  const { schema } = options;
  const inSchema = (step: (db: Kysely<any>) => Promise<void>) => async (db: Kysely<any>) => {
    if (schema !== undefined) await sql`SET LOCAL search_path TO ${sql.id(schema)}`.execute(db);
    await step(db);
  };
  return {
    async getMigrations() {
      const provided: Record<string, Migration> = {};
      for (const name of POSTGRES_MIGRATION_NAMES) {
        const migration: SchemaMigration = migrations[name];
        provided[name] = { up: inSchema(migration.up), down: inSchema(migration.down) };
      }
      return provided;
    },
  };
}

import { sql, type Kysely } from 'kysely';
import type { Db } from 'mongodb';
import { ConfigurationError } from '../core/errors.js';
import { MONGO_SCHEMA_VERSION } from './mongo/collections.js';
import { assertUsableMongoLayout, storedMongoLayoutVersion } from './mongo/layout-version.js';
import { toNexfitError as toNexfitPostgresError } from './postgres/error-mapping.js';
import { POSTGRES_MIGRATION_NAMES } from './postgres/migrations/index.js';

const UNDEFINED_TABLE = '42P01';

/** The layout of both stores as recorded in them, and whether this SDK version can use it. */
export interface StoreLayout {
  readonly mongo: { readonly stored: number | null; readonly supported: number };
  readonly postgres: { readonly unknownMigrations: readonly string[]; readonly latestKnown: string };
}

/** The PostgreSQL half of {@link StoreLayout}: migrations recorded that this SDK does not ship. */
export async function readPostgresLayout(pg: Kysely<any>): Promise<StoreLayout['postgres']> {
  let names: string[] = [];
  try {
    const { rows } = await sql<{ name: string }>`SELECT name FROM nexfit_migrations`.execute(pg);
    names = rows.map((r) => r.name);
  } catch (error) {
    // A lost connection or a refused statement is the SDK's typed error (TransientStoreError, StoreError), never the driver's.
    if ((error as { code?: unknown }).code !== UNDEFINED_TABLE) throw toNexfitPostgresError(error);
  }
  const known = new Set<string>(POSTGRES_MIGRATION_NAMES);
  return { unknownMigrations: names.filter((n) => !known.has(n)).sort(), latestKnown: POSTGRES_MIGRATION_NAMES.at(-1)! };
}

/**
 * Reads the recorded layout of both stores (read-only; a store never set up reads as empty).
 *
 * @throws TransientStoreError when a store's connection is lost while it reads; StoreError for another store failure.
 */
export async function readStoreLayout(db: Db, pg: Kysely<any>): Promise<StoreLayout> {
  return {
    mongo: { stored: await storedMongoLayoutVersion(db), supported: MONGO_SCHEMA_VERSION },
    postgres: await readPostgresLayout(pg),
  };
}

/**
 * Refuses stores a newer SDK has migrated: a newer MongoDB layout version, or PostgreSQL
 * migrations this version does not ship. An older or missing layout is accepted, so that
 * `migrate` can bring it up to date.
 *
 * @throws ConfigurationError naming the stored and the supported version.
 */
export async function assertUsableStoreLayout(db: Db, pg: Kysely<any>): Promise<StoreLayout> {
  const layout = await readStoreLayout(db, pg);
  assertUsableMongoLayout(layout.mongo.stored);
  if (layout.postgres.unknownMigrations.length > 0) {
    throw new ConfigurationError(
      `PostgreSQL has migrations newer than this SDK knows (${layout.postgres.unknownMigrations.join(', ')}; this SDK's latest is ${layout.postgres.latestKnown}): upgrade @nexfit/sdk`,
    );
  }
  return layout;
}

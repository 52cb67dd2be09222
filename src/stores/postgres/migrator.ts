import { Migrator, NO_MIGRATIONS, type Kysely, type MigrationResult, type MigrationResultSet } from 'kysely';
import { ConfigurationError, NexfitError, StoreError } from '../../core/errors.js';
import { toNexfitError } from './error-mapping.js';
import { POSTGRES_MIGRATION_NAMES, nexfitMigrationProvider, type PostgresMigrationName } from './migrations/index.js';

export { POSTGRES_MIGRATION_NAMES, type PostgresMigrationName } from './migrations/index.js';

/** Where the SDK's tables and its migration bookkeeping live. */
export interface PostgresMigrationOptions {
  /**
   * Schema for the tables and for `nexfit_migrations`/`nexfit_migrations_lock`; created
   * if missing. Default: the connection's current schema (normally `public`). Point the
   * SDK's pool at it with `options: '-c search_path=<schema>'`.
   */
  readonly schema?: string;
}

/** What a migration run did. */
export interface PostgresMigrationRun {
  readonly direction: 'up' | 'down' | 'none';
  /** The migrations executed, in execution order. */
  readonly executed: readonly PostgresMigrationName[];
}

/** One of the SDK's migrations and whether this database has it. */
export interface PostgresMigrationState {
  readonly name: PostgresMigrationName;
  readonly executedAt: Date | null;
}

/** The migration state of a database. */
export interface PostgresMigrationStatus {
  readonly migrations: readonly PostgresMigrationState[];
  /** The last executed migration, or `null` for an empty database. */
  readonly current: PostgresMigrationName | null;
  readonly pending: readonly PostgresMigrationName[];
}

/** How far {@link migratePostgresDown} goes: a number of steps (default 1) or a target. */
export type PostgresDownTarget =
  | { readonly steps?: number; readonly to?: never }
  | { readonly to: PostgresMigrationName | 'none'; readonly steps?: never };

/**
 * A Kysely `Migrator` over the SDK's migrations, with its bookkeeping in
 * `nexfit_migrations` and `nexfit_migrations_lock`.
 *
 * @example
 * ```ts
 * const migrator = createPostgresMigrator(db);
 * const { error } = await migrator.migrateToLatest();
 * ```
 */
export function createPostgresMigrator(db: Kysely<any>, options: PostgresMigrationOptions = {}): Migrator {
  return new Migrator({
    db,
    provider: nexfitMigrationProvider(options),
    migrationTableName: 'nexfit_migrations',
    migrationLockTableName: 'nexfit_migrations_lock',
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
  });
}

/**
 * Applies every pending migration, each in its own transaction under the migration lock.
 *
 * @example
 * ```ts
 * const run = await migratePostgresToLatest(db); // { direction: 'up', executed: ['0001-initial-schema', …] }
 * ```
 * @throws ConfigurationError when the database holds migrations this SDK does not know;
 *   StoreError (with the driver error as `cause`) when a migration fails.
 */
export async function migratePostgresToLatest(
  db: Kysely<any>,
  options: PostgresMigrationOptions = {},
): Promise<PostgresMigrationRun> {
  return toRun(await guard(() => createPostgresMigrator(db, options).migrateToLatest()));
}

/**
 * Reverts migrations: one step by default, `steps` of them, or down `to` a migration
 * (`'none'` reverts all). Never migrates up.
 *
 * @example
 * ```ts
 * await migratePostgresDown(db);                    // the last one
 * await migratePostgresDown(db, { to: 'none' });    // everything
 * ```
 * @throws ConfigurationError for a bad target; StoreError when a `down` fails.
 */
export async function migratePostgresDown(
  db: Kysely<any>,
  target: PostgresDownTarget & PostgresMigrationOptions = {},
): Promise<PostgresMigrationRun> {
  const status = await postgresMigrationStatus(db, target);
  const executed = status.migrations.filter((m) => m.executedAt !== null).map((m) => m.name);
  let targetIndex: number; // index in `executed` of the migration to keep last; -1 for none
  if (target.to !== undefined) {
    targetIndex = target.to === 'none' ? -1 : executed.indexOf(target.to);
    if (targetIndex === -1 && target.to !== 'none') {
      throw new ConfigurationError(`Cannot migrate down to ${target.to}: it is not applied`);
    }
  } else {
    const steps = target.steps ?? 1;
    if (!Number.isInteger(steps) || steps < 1) {
      throw new ConfigurationError(`Migration steps must be a positive integer, got ${steps}`);
    }
    targetIndex = Math.max(-1, executed.length - 1 - steps);
  }
  if (targetIndex === executed.length - 1) return { direction: 'none', executed: [] };
  const to = targetIndex === -1 ? NO_MIGRATIONS : (executed[targetIndex] as string);
  return toRun(await guard(() => createPostgresMigrator(db, target).migrateTo(to)));
}

/**
 * Which of the SDK's migrations the database has.
 *
 * @example
 * ```ts
 * const { pending } = await postgresMigrationStatus(db);
 * if (pending.length > 0) await migratePostgresToLatest(db);
 * ```
 */
export async function postgresMigrationStatus(
  db: Kysely<any>,
  options: PostgresMigrationOptions = {},
): Promise<PostgresMigrationStatus> {
  let infos;
  try {
    infos = await createPostgresMigrator(db, options).getMigrations();
  } catch (error) {
    throw wrapMigrationError(error, 'Could not read the migration state');
  }
  const migrations = POSTGRES_MIGRATION_NAMES.map((name) => ({
    name,
    executedAt: infos.find((info) => info.name === name)?.executedAt ?? null,
  }));
  const applied = migrations.filter((m) => m.executedAt !== null);
  return {
    migrations,
    current: applied.at(-1)?.name ?? null,
    pending: migrations.filter((m) => m.executedAt === null).map((m) => m.name),
  };
}

async function guard(run: () => Promise<MigrationResultSet>): Promise<MigrationResultSet> {
  let resultSet: MigrationResultSet;
  try {
    resultSet = await run();
  } catch (error) {
    throw wrapMigrationError(error, 'The migration could not run');
  }
  if (resultSet.error !== undefined) {
    const failed = resultSet.results?.find((r) => r.status === 'Error');
    const message = failed
      ? `Migration ${failed.migrationName} (${failed.direction.toLowerCase()}) failed`
      : 'The migration could not run';
    throw wrapMigrationError(resultSet.error, message, resultSet.results);
  }
  return resultSet;
}

function toRun(resultSet: MigrationResultSet): PostgresMigrationRun {
  const done = (resultSet.results ?? []).filter((r) => r.status === 'Success');
  const first = done[0];
  return {
    direction: first === undefined ? 'none' : first.direction === 'Up' ? 'up' : 'down',
    executed: done.map((r) => r.migrationName as PostgresMigrationName),
  };
}

/**
 * Kysely reports a history that does not match the provided migrations as a plain
 * Error ("corrupted migrations"): that is a set-up problem (an older SDK against a newer
 * database), not a store failure.
 */
function wrapMigrationError(error: unknown, message: string, results?: readonly MigrationResult[]): NexfitError {
  const details = results ? { results: results.map((r) => ({ ...r })) } : undefined;
  if (error instanceof Error && /corrupted migrations|migration .* is missing|unordered/i.test(error.message)) {
    return new ConfigurationError(`${message}: ${error.message}`, { cause: error });
  }
  const mapped = toNexfitError(error);
  return new StoreError('postgres', `${message}: ${mapped.message}`, {
    cause: error,
    details: { ...details, errorCode: mapped.code },
  });
}

/**
 * The store functions that work on the whole MongoDB layout, bound to the collections the
 * composition root assembles ({@link MONGO_LAYOUT}: every module's `<entity>.collection.ts`
 * and the SDK's bookkeeping collections). `stores/` takes the layout as an argument and
 * never imports a module; host code and the CLI call these.
 */
import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import type { Keyring } from './core/keyring.js';
import { MONGO_LAYOUT } from './modules/mongo-collections.js';
import * as documentMigrations from './stores/mongo/document-migrations/migration-runner.js';
import type { DocumentMigration } from './stores/mongo/document-migrations/document-migration.js';
import * as keyRotation from './stores/mongo/key-rotation.js';
import * as layoutStatus from './stores/mongo/layout-status.js';
import * as layoutVersion from './stores/mongo/layout-version.js';
import * as setup from './stores/mongo/setup.js';
import * as migrationStatus from './stores/migration-status.js';

export { MONGO_LAYOUT };

/**
 * Creates or refreshes every collection of the SDK with its validator and indexes and
 * records the layout version (see the store-level `ensureMongoCollections`). Pass
 * `collections` to set up only some of them.
 *
 * @example
 * ```ts
 * await ensureMongoCollections(client.db('nexfit'))
 * ```
 */
export function ensureMongoCollections(db: Db, options: setup.EnsureMongoCollectionsOptions = {}): Promise<setup.EnsureMongoCollectionsResult> {
  return setup.ensureMongoCollections(db, MONGO_LAYOUT, options);
}

/**
 * Where the MongoDB layout of `db` stands against this SDK's, read-only.
 *
 * @example
 * ```ts
 * const { state } = await mongoLayoutStatus(nexfit.mongo.db);
 * ```
 */
export function mongoLayoutStatus(db: Db): Promise<layoutStatus.MongoLayoutStatus> {
  return layoutStatus.mongoLayoutStatus(db, MONGO_LAYOUT);
}

/**
 * `migrate down` for MongoDB: puts back the validators and indexes recorded before the
 * current layout version was applied, and records that version again. One step: the record
 * keeps one previous layout. Collections and documents are never dropped.
 *
 * @example
 * ```ts
 * const { from, to } = await revertMongoLayout(nexfit.mongo.db);
 * ```
 * @throws ConfigurationError when there is no previous layout to go back to.
 */
export function revertMongoLayout(db: Db): Promise<layoutVersion.MongoLayoutRevert> {
  return layoutVersion.revertMongoLayout(db, MONGO_LAYOUT);
}

/**
 * Re-encrypts under the keyring's active key every encrypted value of the SDK's collections
 * that is not under it, resumably (see `KeyRotationOptions`).
 *
 * @example
 * ```ts
 * const report = await rotateEncryptionKeys(db, keyring, { batchSize: 200 })
 * ```
 */
export function rotateEncryptionKeys(db: Db, keyring: Keyring, options: keyRotation.KeyRotationOptions = {}): Promise<keyRotation.KeyRotationReport> {
  return keyRotation.rotateEncryptionKeys(db, keyring, MONGO_LAYOUT, options);
}

/**
 * Rewrites the documents of one migration's source version in resumable batches, refusing
 * plaintext where the collection encrypts.
 *
 * @example
 * ```ts
 * await runDocumentMigration(db, splitName, 'up', { onProgress: (done, total) => bar.update(done, { total }) });
 * ```
 */
export function runDocumentMigration(
  db: Db,
  migration: DocumentMigration,
  direction: 'up' | 'down',
  options: documentMigrations.DocumentMigrationRunOptions = {},
): Promise<documentMigrations.DocumentMigrationRun> {
  return documentMigrations.runDocumentMigration(db, MONGO_LAYOUT, migration, direction, options);
}

/**
 * Applies every document migration not yet `applied`, per collection in version order,
 * resuming any left `running`.
 *
 * @example
 * ```ts
 * const runs = await migrateDocumentsUp(db, DOCUMENT_MIGRATIONS);
 * ```
 */
export function migrateDocumentsUp(
  db: Db,
  migrations: readonly DocumentMigration[],
  options: documentMigrations.DocumentMigrationRunOptions = {},
): Promise<documentMigrations.DocumentMigrationRun[]> {
  return documentMigrations.migrateDocumentsUp(db, MONGO_LAYOUT, migrations, options);
}

/**
 * Reverts one document migration: its `toVersion` documents back to `fromVersion`. Revert
 * later migrations of the collection first.
 *
 * @example
 * ```ts
 * await migrateDocumentsDown(db, splitName);
 * ```
 */
export function migrateDocumentsDown(
  db: Db,
  migration: DocumentMigration,
  options: documentMigrations.DocumentMigrationRunOptions = {},
): Promise<documentMigrations.DocumentMigrationRun> {
  return documentMigrations.migrateDocumentsDown(db, MONGO_LAYOUT, migration, options);
}

/**
 * Reads the migration state of the stores given (PostgreSQL migrations, the MongoDB layout),
 * changing nothing.
 *
 * @example
 * ```ts
 * const { state } = await readMigrationStatus({ db: nexfit.mongo.db, pg: nexfit.pg });
 * ```
 */
export function readMigrationStatus(stores: { readonly db?: Db; readonly pg?: Kysely<any> }): Promise<migrationStatus.MigrationStatusReport> {
  return migrationStatus.readMigrationStatus({ ...stores, mongoLayout: MONGO_LAYOUT });
}

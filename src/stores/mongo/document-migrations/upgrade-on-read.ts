import type { Document } from 'mongodb';
import { assertValidDocumentMigrations, type DocumentMigration } from './document-migration.js';

/**
 * The `upgrade` hook of a `MongoRepository` config: a document of an older
 * `schemaVersion` is run through the collection's migrations' `up`, one version after the
 * other, so the repository reads every format as the current entity — before, during and
 * after the batch rewrite, with the very function that rewrite uses. A document of a
 * version no migration leaves is returned as it is.
 *
 * @example
 * ```ts
 * new MongoRepository(db, { ...config, schemaVersion: 2, upgrade: upgradeOnRead('users', DOCUMENT_MIGRATIONS) }, deps);
 * ```
 */
export function upgradeOnRead(collection: string, migrations: readonly DocumentMigration[]): (document: Document) => Document {
  const own = migrations.filter((m) => m.collection === collection);
  assertValidDocumentMigrations(own);
  const from = new Map(own.map((m) => [m.fromVersion, m]));
  return (document) => {
    let current = document;
    for (let step = from.get(current['schemaVersion'] as number); step; step = from.get(current['schemaVersion'] as number)) {
      current = { ...step.up({ ...current }), _id: current['_id'], schemaVersion: step.toVersion };
    }
    return current;
  };
}

import type { DocumentMigration } from '../../stores/mongo/document-migrations/document-migration.js';

/**
 * `measurements` format 2: a day holds its readings (sealed, like the metrics) and, in
 * clear, the ids of the categories they hold values of. A format 1 document needs no
 * rewrite: it is read as one reading at the day's start with the day's values (its metrics
 * are sealed, so only a reader holding the keyring can spell that reading out, which the
 * repository does on read). `down` drops the readings and the category ids and keeps the
 * day's value of every metric, which is what format 1 holds: nothing a format 1 reader shows
 * is lost, only the intraday readings and the values of user-defined categories.
 */
export const measurementsFormat2: DocumentMigration = {
  name: 'measurements-0002-intraday-readings',
  collection: 'measurements',
  fromVersion: 1,
  toVersion: 2,
  up: (doc) => doc,
  down: ({ readings: _readings, customCategoryIds: _categories, ...doc }) => doc,
};

/**
 * The measurements module's document migrations, in order.
 *
 * @example
 * ```ts
 * await migrateDocumentsUp(db, MEASUREMENT_DOCUMENT_MIGRATIONS)
 * ```
 */
export const MEASUREMENT_DOCUMENT_MIGRATIONS: readonly DocumentMigration[] = [measurementsFormat2];

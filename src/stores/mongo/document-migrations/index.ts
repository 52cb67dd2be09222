export { assertValidDocumentMigrations, type DocumentMigration } from './document-migration.js';
export { DOCUMENT_MIGRATIONS_COLLECTION, documentMigrationLog, type DocumentMigrationRecord, type DocumentMigrationState } from './migration-log.js';
export {
  migrateDocumentsDown,
  migrateDocumentsUp,
  runDocumentMigration,
  type DocumentMigrationRun,
  type DocumentMigrationRunOptions,
} from './migration-runner.js';
export { documentMigrationStatus, type DocumentMigrationStatus } from './migration-status.js';
export { upgradeOnRead } from './upgrade-on-read.js';

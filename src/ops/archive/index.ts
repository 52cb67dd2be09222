export { archiveOlderThan, type ArchiveStores } from './archive-older-than.js';
export { DEFAULT_ARCHIVE_BATCH_SIZE, type ArchiveFaults, type ArchiveOptions, type ArchiveResult } from './archive-options.js';
export { ARCHIVE_TARGETS, type ArchiveTarget, type MongoArchiveTarget, type PostgresArchiveTarget } from './archive-targets.js';
export { ensureArchiveCollection } from './mongo-archiver.js';
export { purgeBillingArchive, type BillingRetentionOptions } from './billing-archiver.js';
export type { BillingArchiveTarget } from './archive-targets.js';

export { archiveOlderThan, type ArchiveStores } from './archive-older-than.js';
export { DEFAULT_ARCHIVE_BATCH_SIZE, type ArchiveFaults, type ArchiveOptions, type ArchiveResult } from './archive-options.js';
export { ARCHIVE_TARGETS, type ArchiveTarget, type MongoArchiveTarget, type PostgresArchiveTarget } from './archive-targets.js';
export { ensureArchiveCollection } from './mongo-archiver.js';

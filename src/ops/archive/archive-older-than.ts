import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import { ConfigurationError } from '../../core/errors.js';
import type { ArchiveOptions, ArchiveResult } from './archive-options.js';
import { ARCHIVE_TARGETS } from './archive-targets.js';
import { archiveMongoCollection } from './mongo-archiver.js';
import { archivePostgresTable } from './postgres-archiver.js';
import { archiveBilling } from './billing-archiver.js';

/** The two stores archiving works on. */
export interface ArchiveStores {
  readonly db: Db;
  readonly pg: Kysely<any>;
}

/**
 * Moves cold data out of the hot collections and tables: workout logs by `startTime`,
 * class bookings by `date` (to `*_archive` collections) and audit rows by `created_at` (to
 * `audit_logs_archive`), in resumable batches. Interrupted anywhere — a signal, a crash —
 * and run again, it ends with every document exactly once, in the hot store or the archive.
 *
 * @example
 * ```ts
 * const cutoff = new Date(Date.UTC(2025, 0, 1));
 * const result = await archiveOlderThan({ db: nexfit.mongo.db, pg: nexfit.pg }, {
 *   target: 'workout_logs', before: cutoff, onProgress: (moved, total) => bar.update(moved, { total }),
 * });
 * ```
 * @throws ConfigurationError for a bad batch size or an invalid date.
 */
export async function archiveOlderThan(stores: ArchiveStores, options: ArchiveOptions): Promise<ArchiveResult> {
  if (Number.isNaN(options.before.getTime())) throw new ConfigurationError('archiveOlderThan needs a valid `before` date');
  if (options.batchSize !== undefined && (!Number.isInteger(options.batchSize) || options.batchSize < 1)) {
    throw new ConfigurationError(`Archive batch size must be a positive integer, got ${options.batchSize}`);
  }
  const target = ARCHIVE_TARGETS[options.target];
  if (target === undefined) throw new ConfigurationError(`Unknown archive target: ${String(options.target)}`);
  if (target.store === 'mongo') return archiveMongoCollection(stores.db, target, options);
  return 'companion' in target ? archiveBilling(stores.pg, options) : archivePostgresTable(stores.pg, target, options);
}

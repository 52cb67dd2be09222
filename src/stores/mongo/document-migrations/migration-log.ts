import type { Collection, Db } from 'mongodb';

/** Where a document migration stands. */
export type DocumentMigrationState = 'running' | 'applied' | 'reverted';

/** One record of `nexfit_document_migrations`, keyed by the migration's name. */
export interface DocumentMigrationRecord {
  readonly _id: string;
  readonly collection: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly state: DocumentMigrationState;
  /** The direction of the last run: `running` with `down` is a revert in progress. */
  readonly direction: 'up' | 'down';
  /** When `up` last completed; `null` until it has. */
  readonly appliedAt: Date | null;
  readonly revertedAt?: Date;
  readonly updatedAt: Date;
  /** The last `_id` of the last finished batch of a running migration: where it resumes. */
  readonly lastId?: unknown;
}

export const DOCUMENT_MIGRATIONS_COLLECTION = 'nexfit_document_migrations';

/**
 * The bookkeeping collection of document migrations.
 *
 * @example
 * ```ts
 * const record = await documentMigrationLog(db).findOne({ _id: 'users-0002-split-name' });
 * ```
 */
export function documentMigrationLog(db: Db): Collection<DocumentMigrationRecord> {
  return db.collection<DocumentMigrationRecord>(DOCUMENT_MIGRATIONS_COLLECTION);
}

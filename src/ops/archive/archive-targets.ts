import { CLASS_BOOKINGS_COLLECTION } from '../../modules/classes/class-booking.collection.js';
import { WORKOUT_LOGS_COLLECTION } from '../../modules/workouts/workout-log.collection.js';
import type { MongoIndexDefinition } from '../../stores/mongo/collections.js';

/** What can be archived: two MongoDB collections, the PostgreSQL audit trail and the financial records (`billing`). */
export type ArchiveTarget = 'workout_logs' | 'class_bookings' | 'audit_logs' | 'billing';

/** A MongoDB collection whose old documents move to a cold collection of their own. */
export interface MongoArchiveTarget {
  readonly store: 'mongo';
  readonly collection: string;
  readonly archiveCollection: string;
  /** The instant that decides a document's age. */
  readonly ageField: string;
  /**
   * Indexes of the archive: only what exporting or erasing one user's data (KVKK/GDPR)
   * needs; cold data is not queried by the hot paths.
   */
  readonly archiveIndexes: readonly MongoIndexDefinition[];
}

/** The PostgreSQL table whose old rows move to an archive table (migration `0004-archive-tables`). */
export interface PostgresArchiveTarget {
  readonly store: 'postgres';
  readonly table: 'audit_logs';
  readonly archiveTable: 'audit_logs_archive';
  readonly ageColumn: 'created_at';
}

/**
 * The financial records (migration `0009-billing-archive`): settled transactions move to
 * `transactions_archive` together with their invoices (to `invoices_archive`), dated by the
 * transaction; an invoice without a transaction moves on its own date. Only what can no longer
 * change moves: a pending transaction, or one with a draft, issued or overdue invoice, stays.
 */
export interface BillingArchiveTarget {
  readonly store: 'postgres';
  readonly table: 'transactions';
  readonly archiveTable: 'transactions_archive';
  readonly ageColumn: 'created_at';
  readonly companion: { readonly table: 'invoices'; readonly archiveTable: 'invoices_archive' };
}

/**
 * Where each target's cold data goes and which field dates it.
 *
 * @example
 * ```ts
 * ARCHIVE_TARGETS.workout_logs.archiveCollection; // 'workout_logs_archive'
 * ```
 */
export const ARCHIVE_TARGETS = {
  workout_logs: {
    store: 'mongo',
    collection: WORKOUT_LOGS_COLLECTION.name,
    // Declared by the collection, where its repository, erasure and key rotation read it too.
    archiveCollection: WORKOUT_LOGS_COLLECTION.archiveCollection,
    ageField: 'startTime',
    archiveIndexes: [{ key: { userId: 1, startTime: -1 }, name: 'userId_startTime' }],
  },
  class_bookings: {
    store: 'mongo',
    collection: CLASS_BOOKINGS_COLLECTION.name,
    archiveCollection: CLASS_BOOKINGS_COLLECTION.archiveCollection,
    ageField: 'date',
    archiveIndexes: [{ key: { userId: 1, date: -1 }, name: 'userId_date' }],
  },
  audit_logs: { store: 'postgres', table: 'audit_logs', archiveTable: 'audit_logs_archive', ageColumn: 'created_at' },
  billing: { store: 'postgres', table: 'transactions', archiveTable: 'transactions_archive', ageColumn: 'created_at', companion: { table: 'invoices', archiveTable: 'invoices_archive' } },
} as const satisfies Record<ArchiveTarget, MongoArchiveTarget | PostgresArchiveTarget | BillingArchiveTarget>;

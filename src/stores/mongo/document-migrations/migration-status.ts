import type { Db } from 'mongodb';
import { toNexfitError } from '../error-mapping.js';
import type { DocumentMigration } from './document-migration.js';
import { documentMigrationLog, type DocumentMigrationState } from './migration-log.js';

/** One migration as {@link documentMigrationStatus} lists it. */
export interface DocumentMigrationStatus {
  readonly name: string;
  readonly collection: string;
  readonly fromVersion: number;
  readonly toVersion: number;
  /** `pending` when it has never run. */
  readonly state: DocumentMigrationState | 'pending';
  readonly direction: 'up' | 'down' | null;
  readonly appliedAt: Date | null;
  /** The checkpoint of a `running` migration, as a string. */
  readonly lastId: string | null;
  /** Documents still in each format now. */
  readonly atFromVersion: number;
  readonly atToVersion: number;
}

/**
 * Every given migration with its recorded state and how many documents are in each format.
 *
 * @example
 * ```ts
 * for (const m of await documentMigrationStatus(db, DOCUMENT_MIGRATIONS)) console.log(m.name, m.state, m.atFromVersion);
 * ```
 */
export async function documentMigrationStatus(db: Db, migrations: readonly DocumentMigration[]): Promise<DocumentMigrationStatus[]> {
  try {
    const records = await documentMigrationLog(db).find({ _id: { $in: migrations.map((m) => m.name) } }).toArray();
    const byName = new Map(records.map((r) => [r._id, r]));
    return await Promise.all(
      migrations.map(async (m) => {
        const record = byName.get(m.name);
        const collection = db.collection(m.collection);
        return {
          name: m.name,
          collection: m.collection,
          fromVersion: m.fromVersion,
          toVersion: m.toVersion,
          state: record?.state ?? 'pending',
          direction: record?.direction ?? null,
          appliedAt: record?.appliedAt ?? null,
          lastId: record?.lastId === undefined ? null : String(record.lastId),
          atFromVersion: await collection.countDocuments({ schemaVersion: m.fromVersion }),
          atToVersion: await collection.countDocuments({ schemaVersion: m.toVersion }),
        };
      }),
    );
  } catch (error) {
    throw toNexfitError(error);
  }
}

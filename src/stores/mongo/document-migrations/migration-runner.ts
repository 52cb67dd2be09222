import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';
import { systemClock, type Clock } from '../../../core/clock.js';
import { ConfigurationError } from '../../../core/errors.js';
import type { MongoCollectionDefinition } from '../collections.js';
import { unencryptedPaths } from '../encrypted-fields.js';
import { toNexfitError } from '../error-mapping.js';
import { idOrderedBatches } from '../id-ordered-batches.js';
import { assertValidDocumentMigrations, type DocumentMigration } from './document-migration.js';
import { documentMigrationLog } from './migration-log.js';

/** How a document migration runs. */
export interface DocumentMigrationRunOptions {
  /** Documents per batch, each batch one `bulkWrite` (default 500). */
  readonly batchSize?: number;
  /** Stops at the next batch boundary; the checkpoint resumes it. */
  readonly signal?: AbortSignal;
  /** After each batch: documents rewritten so far, and how many needed it when the run started. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Writes past the collection's `$jsonSchema` validator — for a validator that only
   * accepts one of the two formats while the collection holds both.
   */
  readonly bypassDocumentValidation?: boolean;
  /** For `appliedAt` and `updatedAt`; the wall clock by default. */
  readonly clock?: Clock;
  /**
   * Test hook: called after a batch is written and before its checkpoint is recorded.
   * @internal
   */
  readonly afterBatchWritten?: (lastId: unknown) => void | Promise<void>;
}

/** What one run did. */
export interface DocumentMigrationRun {
  readonly name: string;
  readonly direction: 'up' | 'down';
  /** Documents rewritten by this run. */
  readonly converted: number;
  /** Documents of the source version when the run started. */
  readonly total: number;
  /** `false` when the signal stopped it; run it again to resume from the checkpoint. */
  readonly complete: boolean;
}

const DEFAULT_BATCH_SIZE = 500;

/**
 * Rewrites the documents of one migration's source version — `fromVersion` going up,
 * `toVersion` going down — in `_id`-ordered batches. Each batch is one `bulkWrite` of
 * `replaceOne`s guarded by `{ _id, schemaVersion: source }`, so a document is converted at
 * most once however often a batch is replayed; after each batch the last `_id` is
 * checkpointed in `nexfit_document_migrations`, and a run that finds its migration
 * `running` in the same direction resumes there. Documents keep their `version`: the
 * format changes, the entity does not (reads upgrade either format to the same entity).
 * `layout` (the collections the composition root assembles) says which paths of the
 * migration's collection are encrypted at rest.
 *
 * @example
 * ```ts
 * await runDocumentMigration(db, MONGO_LAYOUT, splitName, 'up', { onProgress: (done, total) => bar.update(done, { total }) });
 * ```
 */
export async function runDocumentMigration(
  db: Db,
  layout: readonly MongoCollectionDefinition[],
  migration: DocumentMigration,
  direction: 'up' | 'down',
  options: DocumentMigrationRunOptions = {},
): Promise<DocumentMigrationRun> {
  assertValidDocumentMigrations([migration]);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigurationError(`Batch size must be a positive integer, got ${batchSize}`);
  const clock = options.clock ?? systemClock;
  const [source, target] = direction === 'up' ? [migration.fromVersion, migration.toVersion] : [migration.toVersion, migration.fromVersion];
  const convert = direction === 'up' ? migration.up : migration.down;
  const log = documentMigrationLog(db);
  const collection = db.collection(migration.collection);
  const filter = { schemaVersion: source };
  try {
    const previous = await log.findOne({ _id: migration.name });
    const resumeAfter = previous?.state === 'running' && previous.direction === direction ? previous.lastId : undefined;
    await log.updateOne(
      { _id: migration.name },
      {
        $set: { collection: migration.collection, fromVersion: migration.fromVersion, toVersion: migration.toVersion, state: 'running', direction, updatedAt: clock.now() },
        $setOnInsert: { appliedAt: null },
        ...(resumeAfter === undefined ? { $unset: { lastId: '' } } : {}),
      },
      { upsert: true },
    );
    const total = await collection.countDocuments(filter);
    let converted = 0;
    // A resumed scan starts at its checkpoint; one more pass from the start then catches
    // documents of the source version written behind it meanwhile (by an older SDK).
    const passes = resumeAfter === undefined ? [undefined] : [resumeAfter, undefined];
    for (const after of passes) {
      const batches = idOrderedBatches(collection, filter, {
        batchSize,
        ...(after === undefined ? {} : { after }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      for await (const batch of batches) {
        const writes: AnyBulkWriteOperation<Document>[] = batch.map((doc) => {
          const replacement = { ...convert({ ...doc }), _id: doc['_id'], schemaVersion: target };
          refusePlaintext(layout, migration, replacement);
          return { replaceOne: { filter: { _id: doc['_id'], schemaVersion: source }, replacement } };
        });
        const result = await collection.bulkWrite(writes, {
          ordered: false,
          ...(options.bypassDocumentValidation ? { bypassDocumentValidation: true } : {}),
        });
        const lastId = batch.at(-1)?.['_id'];
        await options.afterBatchWritten?.(lastId);
        await log.updateOne({ _id: migration.name }, { $set: { lastId, updatedAt: clock.now() } });
        converted += result.matchedCount;
        options.onProgress?.(converted, total);
      }
      if (options.signal?.aborted) return { name: migration.name, direction, converted, total, complete: false };
    }
    const now = clock.now();
    await log.updateOne(
      { _id: migration.name },
      {
        $set: { state: direction === 'up' ? 'applied' : 'reverted', updatedAt: now, ...(direction === 'up' ? { appliedAt: now } : { revertedAt: now }) },
        $unset: { lastId: '' },
      },
    );
    return { name: migration.name, direction, converted, total, complete: true };
  } catch (error) {
    throw toNexfitError(error);
  }
}

/**
 * Applies every migration not yet `applied`, per collection in version order, resuming
 * any left `running`. Stops (with `complete: false` on the last run) when the signal does.
 *
 * @example
 * ```ts
 * const runs = await migrateDocumentsUp(db, MONGO_LAYOUT, DOCUMENT_MIGRATIONS);
 * ```
 */
export async function migrateDocumentsUp(
  db: Db,
  layout: readonly MongoCollectionDefinition[],
  migrations: readonly DocumentMigration[],
  options: DocumentMigrationRunOptions = {},
): Promise<DocumentMigrationRun[]> {
  assertValidDocumentMigrations(migrations);
  let records;
  try {
    records = await documentMigrationLog(db).find({ _id: { $in: migrations.map((m) => m.name) } }).toArray();
  } catch (error) {
    throw toNexfitError(error);
  }
  const applied = new Set(records.filter((r) => r.state === 'applied').map((r) => r._id));
  const ordered = [...migrations].sort((a, b) => a.collection.localeCompare(b.collection) || a.fromVersion - b.fromVersion);
  const runs: DocumentMigrationRun[] = [];
  for (const migration of ordered) {
    if (applied.has(migration.name)) continue;
    const run = await runDocumentMigration(db, layout, migration, 'up', options);
    runs.push(run);
    if (!run.complete) break;
  }
  return runs;
}

/**
 * Reverts one migration: its `toVersion` documents back to `fromVersion` through `down`,
 * with the same batches, guards and checkpoints as going up. Revert later migrations of
 * the collection first.
 *
 * @example
 * ```ts
 * await migrateDocumentsDown(db, MONGO_LAYOUT, splitName);
 * ```
 */
export function migrateDocumentsDown(
  db: Db,
  layout: readonly MongoCollectionDefinition[],
  migration: DocumentMigration,
  options: DocumentMigrationRunOptions = {},
): Promise<DocumentMigrationRun> {
  return runDocumentMigration(db, layout, migration, 'down', options);
}

/**
 * A migration works on stored documents without the keyring: it may move encrypted values
 * as they are, never put plaintext where the collection encrypts (even with validation
 * bypassed). Run `keys rotate` first, so no legacy plaintext is left to carry along.
 */
function refusePlaintext(layout: readonly MongoCollectionDefinition[], migration: DocumentMigration, replacement: Document): void {
  const definition = layout.find((d) => d.name === migration.collection);
  const clear = definition?.encryptedFields ? unencryptedPaths(replacement, definition.encryptedFields) : [];
  if (clear.length > 0) {
    throw new ConfigurationError(`Document migration ${migration.name} would store ${clear.map((p) => `${migration.collection}.${p}`).join(', ')} unencrypted`);
  }
}

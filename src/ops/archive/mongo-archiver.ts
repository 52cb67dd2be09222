import type { AnyBulkWriteOperation, Db, Document } from 'mongodb';
import { toNexfitError } from '../../stores/mongo/error-mapping.js';
import { idOrderedBatches } from '../../stores/mongo/id-ordered-batches.js';
import { DEFAULT_ARCHIVE_BATCH_SIZE, type ArchiveOptions, type ArchiveResult } from './archive-options.js';
import type { MongoArchiveTarget } from './archive-targets.js';

/**
 * Creates the archive collection (if missing) with its indexes. It has no `$jsonSchema`
 * validator on purpose: it keeps documents of every `schemaVersion` they were written
 * under, and a validator of today's shape would refuse yesterday's documents (the hot
 * collection's validator checked each of them when it was written).
 *
 * @example
 * ```ts
 * await ensureArchiveCollection(db, ARCHIVE_TARGETS.workout_logs);
 * ```
 */
export async function ensureArchiveCollection(db: Db, target: MongoArchiveTarget): Promise<void> {
  try {
    const existing = await db.listCollections({ name: target.archiveCollection }, { nameOnly: true }).toArray();
    if (existing.length === 0) {
      // 48 NamespaceExists: a concurrent run created it first.
      await db.createCollection(target.archiveCollection).catch((error: { code?: unknown }) => {
        if (error.code !== 48) throw error;
      });
    }
    await db.collection(target.archiveCollection).createIndexes(target.archiveIndexes.map((index) => ({ ...index, key: { ...index.key } })));
  } catch (error) {
    throw toNexfitError(error);
  }
}

/**
 * Moves the documents of `target` dated before `options.before` to its archive collection,
 * batch by batch in `_id` order. Each batch is first upserted into the archive keyed by
 * `_id` (so copying again is a no-op), then deleted from the hot collection — each
 * document only at the `version` copied, so a concurrent update is never lost: the updated
 * document stays hot, its stale copy leaves the archive, and a later run moves it. A crash
 * between the two writes leaves the batch in both places until the next run copies it
 * again (no change) and deletes it.
 *
 * @example
 * ```ts
 * await archiveMongoCollection(db, ARCHIVE_TARGETS.workout_logs, { target: 'workout_logs', before: cutoff });
 * ```
 */
export async function archiveMongoCollection(db: Db, target: MongoArchiveTarget, options: ArchiveOptions): Promise<ArchiveResult> {
  await ensureArchiveCollection(db, target);
  const hot = db.collection(target.collection);
  const archive = db.collection(target.archiveCollection);
  const filter = { [target.ageField]: { $lt: options.before } };
  let moved = 0;
  let batches = 0;
  try {
    const total = await hot.countDocuments(filter);
    const scan = idOrderedBatches(hot, filter, {
      batchSize: options.batchSize ?? DEFAULT_ARCHIVE_BATCH_SIZE,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    for await (const batch of scan) {
      const ids = batch.map((doc) => doc['_id']);
      await archive.bulkWrite(
        batch.map((doc) => ({ replaceOne: { filter: { _id: doc['_id'] }, replacement: doc, upsert: true } })),
        { ordered: false },
      );
      await options.faults?.afterCopy?.(ids);
      const deleted = await hot.bulkWrite(batch.map((doc) => ({ deleteOne: { filter: copiedState(doc) } })), { ordered: false });
      if (deleted.deletedCount < batch.length) await dropStaleCopies(hot, archive, batch);
      moved += deleted.deletedCount;
      batches += 1;
      options.onProgress?.(moved, total);
    }
    return { target: options.target, moved, total, batches, complete: !options.signal?.aborted };
  } catch (error) {
    throw toNexfitError(error);
  }
}

/** The filter matching a document exactly as it was copied (same `_id`, same `version`). */
function copiedState(doc: Document): Document {
  return doc['version'] === undefined ? { _id: doc['_id'] } : { _id: doc['_id'], version: doc['version'] };
}

/**
 * Documents still hot after the delete were updated since the copy: the hot one is the
 * truth, so the archive's older copy goes (still guarded by the copied version, in case
 * a later run archived the new state meanwhile).
 */
async function dropStaleCopies(hot: ReturnType<Db['collection']>, archive: ReturnType<Db['collection']>, batch: readonly Document[]) {
  const stillHot = await hot.find({ _id: { $in: batch.map((d) => d['_id']) } }, { projection: { _id: 1 } }).toArray();
  if (stillHot.length === 0) return;
  const hotIds = new Set(stillHot.map((d) => String(d['_id'])));
  const stale: AnyBulkWriteOperation<Document>[] = batch
    .filter((doc) => hotIds.has(String(doc['_id'])))
    .map((doc) => ({ deleteOne: { filter: copiedState(doc) } }));
  await archive.bulkWrite(stale, { ordered: false });
}

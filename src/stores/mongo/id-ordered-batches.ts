import type { Collection, Document, Filter } from 'mongodb';

/** Where a batch scan starts and how large its batches are. */
export interface IdOrderedBatchOptions {
  readonly batchSize: number;
  /** Resume strictly after this `_id` (a checkpoint of an earlier, interrupted scan). */
  readonly after?: unknown;
  /** Stop before the next batch once this signal is aborted. */
  readonly signal?: AbortSignal;
}

/**
 * The documents matching `filter`, in `_id` order, one batch at a time. Each batch starts
 * strictly after the last `_id` of the one before, so the scan walks the `_id` index once
 * (every collection has it) whatever the caller does to the documents in between — rewrite
 * them, delete them — and a checkpointed `_id` resumes it.
 *
 * @example
 * ```ts
 * for await (const batch of idOrderedBatches(db.collection('foods'), { schemaVersion: 1 }, { batchSize: 500 })) {
 *   await rewrite(batch);
 * }
 * ```
 */
export async function* idOrderedBatches(
  collection: Collection<Document>,
  filter: Filter<Document>,
  options: IdOrderedBatchOptions,
): AsyncGenerator<Document[], void, undefined> {
  let after: unknown = options.after;
  while (!options.signal?.aborted) {
    const query: Filter<Document> = after === undefined ? filter : { $and: [filter, { _id: { $gt: after } } as Filter<Document>] };
    const batch = await collection.find(query).sort({ _id: 1 }).limit(options.batchSize).toArray();
    if (batch.length === 0) return;
    yield batch;
    after = batch.at(-1)?.['_id'];
  }
}

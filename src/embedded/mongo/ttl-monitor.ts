import { TypeBoundary } from './bson-values.js';
import type { StorageEngine } from './storage-engine.js';
import type { TransactionManager } from './transactions.js';
import { LockWait } from './transactions.js';

const DATE_RANK = 10;

/**
 * Deletes documents whose TTL-indexed date (the earliest, for arrays) is older than
 * `expireAfterSeconds`, as MongoDB's TTL monitor does. Documents held by an open
 * transaction are left for a later pass. Returns how many were deleted.
 */
export function sweepExpiredDocuments(engine: StorageEngine, transactions: TransactionManager, now = Date.now()): number {
  const view = transactions.implicitView();
  let deleted = 0;
  for (const coll of [...engine.allCollections()]) {
    for (const index of [...coll.indexes.values()]) {
      const seconds = index.spec.expireAfterSeconds;
      if (seconds === undefined || index.kind !== 'btree') continue;
      const cutoff = new Date(now - seconds * 1000);
      const ids = index.scan({ points: [], range: [{ lo: new TypeBoundary(DATE_RANK, false), loInclusive: true, hi: cutoff, hiInclusive: false }] });
      for (const id of ids) {
        try {
          if (view.get(coll, id)) {
            view.remove(coll, id);
            deleted += 1;
          }
        } catch (error) {
          if (!(error instanceof LockWait)) throw error;
        }
      }
    }
  }
  return deleted;
}

import { valueKey, type Doc } from './bson-values.js';
import { CollectionStore } from './collection-store.js';
import { duplicateKeyError } from './index-manager.js';
import { errors } from './errors.js';
import type { StorageEngine } from './storage-engine.js';

/**
 * Thrown by a write outside a transaction that touches a document (or unique key) an
 * open transaction holds: the command waits for `until` and retries, as mongod blocks.
 */
export class LockWait extends Error {
  constructor(readonly until: Promise<void>) {
    super('waiting for a transaction to finish');
  }
}

/** A multi-document transaction: a snapshot plus buffered writes. */
export class Transaction {
  readonly writes = new Map<CollectionStore, Map<string, Doc | null>>();
  state: 'inProgress' | 'committed' | 'aborted' = 'inProgress';
  readonly startedAt = Date.now();
  readonly done: Promise<void>;
  #finish!: () => void;

  constructor(
    readonly sessionId: string,
    readonly txnNumber: number,
    readonly snapshotTs: number,
  ) {
    this.done = new Promise((resolve) => {
      this.#finish = resolve;
    });
  }

  /** @internal */
  finish(state: 'committed' | 'aborted'): void {
    this.state = state;
    this.#finish();
  }
}

/** What one command reads and writes through: the committed state, or a transaction's view of it. */
export interface DocumentView {
  readonly transaction: Transaction | undefined;
  /**
   * The documents to test for a filter whose index scan found `indexed`: those, and any this
   * view may see under other keys than the index holds (the collection's indexes describe its
   * latest committed state).
   */
  candidates(coll: CollectionStore, indexed: readonly string[]): readonly string[];
  /** Visible documents; with `ids`, only those (from an index scan), in that order. */
  docs(coll: CollectionStore, ids?: readonly string[]): Iterable<[string, Doc]>;
  get(coll: CollectionStore, id: string): Doc | undefined;
  insert(coll: CollectionStore, id: string, doc: Doc): void;
  replace(coll: CollectionStore, id: string, doc: Doc): void;
  remove(coll: CollectionStore, id: string): void;
}

function tupleKey(key: readonly unknown[]): string {
  return key.map(valueKey).join('|');
}

/**
 * Transactions, document locks and snapshot views. A transaction writes into its own
 * buffer and locks each document it touches; a second writer gets WriteConflict (in a
 * transaction) or waits (outside one). Commit applies the buffer at one timestamp.
 */
export class TransactionManager {
  readonly #engine: StorageEngine;
  readonly #locks = new Map<string, Transaction>();
  readonly active = new Set<Transaction>();

  constructor(engine: StorageEngine) {
    this.#engine = engine;
  }

  begin(sessionId: string, txnNumber: number): Transaction {
    const txn = new Transaction(sessionId, txnNumber, this.#engine.now);
    this.active.add(txn);
    return txn;
  }

  commit(txn: Transaction): void {
    if (txn.state !== 'inProgress') return;
    this.active.delete(txn);
    const ts = this.#engine.tick();
    const keepHistory = this.active.size > 0;
    for (const [coll, writes] of txn.writes) {
      for (const [id, doc] of writes) coll.commit(id, doc, ts, keepHistory);
    }
    this.#release(txn, 'committed');
  }

  abort(txn: Transaction): void {
    if (txn.state !== 'inProgress') return;
    this.active.delete(txn);
    this.#release(txn, 'aborted');
  }

  #release(txn: Transaction, state: 'committed' | 'aborted'): void {
    // Every lock the transaction holds, not only those of its buffered writes: a claim can take
    // the lock and then be refused (the document was committed after the snapshot).
    for (const [key, holder] of this.#locks) if (holder === txn) this.#locks.delete(key);
    txn.finish(state);
    this.pruneHistory();
  }

  /** Drops document versions that no open snapshot can read any more. */
  pruneHistory(): void {
    let oldest: number | undefined;
    for (const txn of this.active) oldest = oldest === undefined ? txn.snapshotTs : Math.min(oldest, txn.snapshotTs);
    for (const coll of this.#engine.allCollections()) coll.pruneHistory(oldest);
  }

  /** Aborts transactions older than `lifetimeMs` (MongoDB's transactionLifetimeLimitSeconds). */
  expire(lifetimeMs: number, now = Date.now()): void {
    for (const txn of [...this.active]) if (now - txn.startedAt > lifetimeMs) this.abort(txn);
  }

  #lockKey(coll: CollectionStore, id: string): string {
    return `${coll.ns}\u0000${id}`;
  }

  /** The view a command outside a transaction uses: latest state, writes applied at once. */
  implicitView(): DocumentView {
    return new ImplicitView(this.#engine, this, (coll, id) => this.#locks.get(this.#lockKey(coll, id)));
  }

  /** The view of an open transaction. */
  transactionView(txn: Transaction): DocumentView {
    return new TransactionView(txn, this, (coll, id) => {
      const key = this.#lockKey(coll, id);
      const holder = this.#locks.get(key);
      if (holder && holder !== txn) return holder;
      this.#locks.set(key, txn);
      return undefined;
    });
  }

  /** Other transactions' pending documents in a collection that hold `key` on `index`. */
  pendingHolder(coll: CollectionStore, indexName: string, key: readonly unknown[], exceptTxn: Transaction | undefined, exceptId: string): Transaction | undefined {
    const index = coll.indexes.get(indexName);
    if (!index) return undefined;
    const wanted = tupleKey(key);
    for (const txn of this.active) {
      if (txn === exceptTxn) continue;
      for (const [id, doc] of txn.writes.get(coll) ?? []) {
        if (id !== exceptId && doc && index.keysOf(doc).some((k) => tupleKey(k) === wanted)) return txn;
      }
    }
    return undefined;
  }
}

function duplicateIdError(coll: CollectionStore, doc: Doc): Error {
  return duplicateKeyError(coll.ns, coll.indexes.get('_id_')!, [doc['_id']]);
}

/** Validates index keys (e.g. 2dsphere geometry) before a write is accepted. */
function checkIndexKeys(coll: CollectionStore, doc: Doc): void {
  for (const index of coll.indexes.values()) index.keysOf(doc);
}

class ImplicitView implements DocumentView {
  readonly transaction = undefined;

  constructor(
    private readonly engine: StorageEngine,
    private readonly manager: TransactionManager,
    private readonly lockHolder: (coll: CollectionStore, id: string) => Transaction | undefined,
  ) {}

  candidates(_coll: CollectionStore, indexed: readonly string[]): readonly string[] {
    return indexed;
  }

  *docs(coll: CollectionStore, ids?: readonly string[]): Iterable<[string, Doc]> {
    if (!ids) {
      yield* coll.liveDocs();
      return;
    }
    for (const id of ids) {
      const doc = coll.latest(id);
      if (doc) yield [id, doc];
    }
  }

  get(coll: CollectionStore, id: string): Doc | undefined {
    return coll.latest(id);
  }

  #waitIfLocked(coll: CollectionStore, id: string): void {
    const holder = this.lockHolder(coll, id);
    if (holder) throw new LockWait(holder.done);
  }

  #checkUnique(coll: CollectionStore, id: string, doc: Doc): void {
    const conflict = coll.findUniqueConflict(doc, id, () => false);
    if (conflict) {
      const holder = this.lockHolder(coll, conflict.holder);
      // The holder may be deleted or changed by its transaction: wait for the outcome.
      if (holder) throw new LockWait(holder.done);
      throw duplicateKeyError(coll.ns, conflict.index, conflict.key);
    }
    for (const index of coll.indexes.values()) {
      if (!index.spec.unique) continue;
      for (const key of index.keysOf(doc)) {
        const pending = this.manager.pendingHolder(coll, index.spec.name, key, undefined, id);
        if (pending) throw new LockWait(pending.done);
      }
    }
  }

  #apply(coll: CollectionStore, id: string, doc: Doc | null): void {
    coll.commit(id, doc, this.engine.tick(), this.manager.active.size > 0);
  }

  insert(coll: CollectionStore, id: string, doc: Doc): void {
    this.#waitIfLocked(coll, id);
    if (coll.latest(id)) throw duplicateIdError(coll, doc);
    checkIndexKeys(coll, doc);
    this.#checkUnique(coll, id, doc);
    this.#apply(coll, id, doc);
  }

  replace(coll: CollectionStore, id: string, doc: Doc): void {
    this.#waitIfLocked(coll, id);
    checkIndexKeys(coll, doc);
    this.#checkUnique(coll, id, doc);
    this.#apply(coll, id, doc);
  }

  remove(coll: CollectionStore, id: string): void {
    this.#waitIfLocked(coll, id);
    this.#apply(coll, id, null);
  }
}

class TransactionView implements DocumentView {
  constructor(
    readonly transaction: Transaction,
    private readonly manager: TransactionManager,
    private readonly lock: (coll: CollectionStore, id: string) => Transaction | undefined,
  ) {}

  #own(coll: CollectionStore): Map<string, Doc | null> | undefined {
    return this.transaction.writes.get(coll);
  }

  /**
   * The indexes hold the latest committed keys. A document committed since this snapshot may
   * have had other keys in it, and this transaction's own writes are in no index: those are
   * tested too, after the index's own finds. Every other document has the keys it had at the
   * snapshot. (While this transaction is open every commit keeps the version it replaced, so
   * the documents committed since the snapshot are among those with history.)
   */
  candidates(coll: CollectionStore, indexed: readonly string[]): readonly string[] {
    const own = this.#own(coll);
    if (coll.lastCommitTs <= this.transaction.snapshotTs && !own) return indexed;
    const seen = new Set(indexed);
    const extra: string[] = [];
    const add = (id: string) => {
      if (seen.has(id)) return;
      seen.add(id);
      extra.push(id);
    };
    for (const id of coll.committedAfter(this.transaction.snapshotTs)) add(id);
    if (own) for (const id of own.keys()) add(id);
    return extra.length === 0 ? indexed : [...indexed, ...extra];
  }

  *docs(coll: CollectionStore, ids?: readonly string[]): Iterable<[string, Doc]> {
    const own = this.#own(coll);
    if (ids) {
      for (const id of ids) {
        const doc = this.get(coll, id);
        if (doc) yield [id, doc];
      }
      return;
    }
    for (const [id, doc] of coll.docsAt(this.transaction.snapshotTs)) {
      if (own?.has(id)) {
        const mine = own.get(id);
        if (mine) yield [id, mine];
      } else {
        yield [id, doc];
      }
    }
    if (own) {
      for (const [id, doc] of own) {
        const record = coll.records.get(id);
        if (doc && (!record || !CollectionStore.visibleAt(record, this.transaction.snapshotTs))) yield [id, doc];
      }
    }
  }

  get(coll: CollectionStore, id: string): Doc | undefined {
    const own = this.#own(coll);
    if (own?.has(id)) return own.get(id) ?? undefined;
    const record = coll.records.get(id);
    return (record && CollectionStore.visibleAt(record, this.transaction.snapshotTs)) ?? undefined;
  }

  #claim(coll: CollectionStore, id: string): void {
    if (this.lock(coll, id)) throw errors.writeConflict(true);
    const record = coll.records.get(id);
    // Someone committed this document after our snapshot: first writer wins.
    if (record && record.ts > this.transaction.snapshotTs) throw errors.writeConflict(true);
  }

  #checkUnique(coll: CollectionStore, id: string, doc: Doc): void {
    const own = this.#own(coll);
    const snapshotTs = this.transaction.snapshotTs;
    const conflict = coll.findUniqueConflict(doc, id, (holder) => own?.has(holder) === true);
    if (conflict) {
      const record = coll.records.get(conflict.holder);
      if (record && record.ts > snapshotTs) throw errors.writeConflict(true);
      throw duplicateKeyError(coll.ns, conflict.index, conflict.key);
    }
    for (const index of coll.indexes.values()) {
      if (!index.spec.unique) continue;
      for (const key of index.keysOf(doc)) {
        const wanted = tupleKey(key);
        for (const [otherId, other] of own ?? []) {
          if (otherId !== id && other && index.keysOf(other).some((k) => tupleKey(k) === wanted)) {
            throw duplicateKeyError(coll.ns, index, key);
          }
        }
        if (this.manager.pendingHolder(coll, index.spec.name, key, this.transaction, id)) throw errors.writeConflict(true);
      }
    }
  }

  #write(coll: CollectionStore, id: string, doc: Doc | null): void {
    let own = this.#own(coll);
    if (!own) {
      own = new Map();
      this.transaction.writes.set(coll, own);
    }
    own.set(id, doc);
  }

  insert(coll: CollectionStore, id: string, doc: Doc): void {
    this.#claim(coll, id);
    if (this.get(coll, id)) throw duplicateIdError(coll, doc);
    checkIndexKeys(coll, doc);
    this.#checkUnique(coll, id, doc);
    this.#write(coll, id, doc);
  }

  replace(coll: CollectionStore, id: string, doc: Doc): void {
    this.#claim(coll, id);
    checkIndexKeys(coll, doc);
    this.#checkUnique(coll, id, doc);
    this.#write(coll, id, doc);
  }

  remove(coll: CollectionStore, id: string): void {
    this.#claim(coll, id);
    this.#write(coll, id, null);
  }
}

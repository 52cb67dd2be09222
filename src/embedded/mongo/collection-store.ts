import { randomUUID } from 'node:crypto';
import { Binary } from 'mongodb';
import { type Doc } from './bson-values.js';
import { CollectionIndex, duplicateKeyError, type IndexSpec } from './index-manager.js';

/** One committed version of a document (`doc: null` records a deletion). */
export interface Version {
  readonly ts: number;
  readonly doc: Doc | null;
}

/**
 * A document's committed state: the latest version plus older versions kept only while
 * a transaction whose snapshot predates them is open.
 */
export interface StoredRecord {
  doc: Doc | null;
  ts: number;
  history: Version[];
}

/**
 * Told of catalog changes and committed document writes, in commit order (what the data
 * directory's journal records). Writes buffered in an open transaction are not committed.
 */
export interface CatalogListener {
  collectionCreated(coll: CollectionStore): void;
  collectionDropped(database: string, name: string): void;
  /** Options or indexes of a collection changed (collMod, createIndexes, dropIndexes). */
  collectionChanged(coll: CollectionStore): void;
  viewChanged(database: string, name: string, definition: { viewOn: string; pipeline: Doc[]; collation?: Doc } | undefined): void;
  documentCommitted(coll: CollectionStore, id: string, doc: Doc | null): void;
}

/** The `_id_` index every collection has. */
export const ID_INDEX_SPEC: IndexSpec = { name: '_id_', key: { _id: 1 }, unique: true, document: { v: 2, key: { _id: 1 }, name: '_id_' } };

/**
 * The committed documents and indexes of one collection. Writes arrive here already
 * checked (validation, uniqueness, write conflicts); this class keeps records, history
 * and index entries in step.
 */
export class CollectionStore {
  readonly database: string;
  readonly name: string;
  readonly uuid = new Binary(Buffer.from(randomUUID().replace(/-/g, ''), 'hex'), Binary.SUBTYPE_UUID);
  /** Options as `listCollections` reports them (validator, validationLevel, ...). */
  options: Doc;
  readonly records = new Map<string, StoredRecord>();
  readonly indexes = new Map<string, CollectionIndex>();
  /** Timestamp of the last committed write: a snapshot older than it may see stale indexes. */
  lastCommitTs = 0;
  /** Set by the engine when a data directory records commits. */
  listener: CatalogListener | undefined;
  #liveCount = 0;
  #historyCount = 0;
  /** Ids of the records that keep older versions: pruning visits only these. */
  readonly #withHistory = new Set<string>();

  constructor(database: string, name: string, options: Doc = {}) {
    this.database = database;
    this.name = name;
    this.options = options;
    this.indexes.set('_id_', new CollectionIndex(ID_INDEX_SPEC));
  }

  get ns(): string {
    return `${this.database}.${this.name}`;
  }

  /** Number of live documents. */
  get count(): number {
    return this.#liveCount;
  }

  /** The latest committed version of a document. */
  latest(id: string): Doc | undefined {
    return this.records.get(id)?.doc ?? undefined;
  }

  /** The version of a record visible to a snapshot taken at `snapshotTs`. */
  static visibleAt(record: StoredRecord, snapshotTs: number): Doc | null {
    if (record.ts <= snapshotTs) return record.doc;
    for (let i = record.history.length - 1; i >= 0; i--) {
      const version = record.history[i]!;
      if (version.ts <= snapshotTs) return version.doc;
    }
    return null;
  }

  /** Live documents in insertion order, with their `_id` keys. */
  *liveDocs(): Generator<[string, Doc]> {
    for (const [id, record] of this.records) if (record.doc) yield [id, record.doc];
  }

  /** Documents as a snapshot taken at `snapshotTs` sees them. */
  *docsAt(snapshotTs: number): Generator<[string, Doc]> {
    for (const [id, record] of this.records) {
      const doc = CollectionStore.visibleAt(record, snapshotTs);
      if (doc) yield [id, doc];
    }
  }

  /**
   * Ids of the documents that existed before `ts` and were written after it: while a snapshot
   * at `ts` is open, each such write keeps the version it replaced, so they are among the
   * records with history.
   */
  *committedAfter(ts: number): Generator<string> {
    for (const id of this.#withHistory) {
      const record = this.records.get(id);
      if (record && record.ts > ts) yield id;
    }
  }

  /** Unique indexes a document would violate, ignoring `ignoreIds`: the first conflict found. */
  findUniqueConflict(doc: Doc, id: string, isIgnored: (holder: string) => boolean): { index: CollectionIndex; key: unknown[]; holder: string } | undefined {
    for (const index of this.indexes.values()) {
      if (!index.spec.unique) continue;
      for (const key of index.keysOf(doc)) {
        const holder = index.idsWithKey(key).find((h) => h !== id && !isIgnored(h));
        if (holder !== undefined) return { index, key, holder };
      }
    }
    return undefined;
  }

  /**
   * Commits one document write at `ts`. With `keepHistory`, the replaced version stays
   * readable for open snapshots.
   */
  commit(id: string, doc: Doc | null, ts: number, keepHistory: boolean): void {
    const record = this.records.get(id);
    const previous = record?.doc ?? null;
    // Index keys are computed before any mutation: a failing 2dsphere check leaves nothing half-done.
    if (doc) for (const index of this.indexes.values()) index.keysOf(doc);
    if (previous) for (const index of this.indexes.values()) index.remove(previous, id);
    if (doc) for (const index of this.indexes.values()) index.add(doc, id);
    this.listener?.documentCommitted(this, id, doc);
    if (previous && !doc) this.#liveCount -= 1;
    if (!previous && doc) this.#liveCount += 1;
    this.lastCommitTs = ts;
    if (!record) {
      // A snapshot older than `ts` finds no version at or below it: the document is invisible.
      if (doc) this.records.set(id, { doc, ts, history: [] });
      return;
    }
    if (keepHistory) {
      record.history.push({ ts: record.ts, doc: record.doc });
      this.#historyCount += 1;
      this.#withHistory.add(id);
    }
    record.doc = doc;
    record.ts = ts;
    if (!doc && record.history.length === 0) this.records.delete(id);
  }

  /** Drops versions no open snapshot needs (all of them when none is open). */
  pruneHistory(oldestSnapshot: number | undefined): void {
    if (this.#historyCount === 0) return;
    let remaining = 0;
    for (const id of this.#withHistory) {
      const record = this.records.get(id);
      if (!record || record.history.length === 0) {
        this.#withHistory.delete(id);
        continue;
      }
      if (oldestSnapshot === undefined) record.history = [];
      else {
        // Keep the newest version at or below the oldest snapshot, and everything after it.
        let keepFrom = 0;
        for (let i = record.history.length - 1; i >= 0; i--) {
          if (record.history[i]!.ts <= oldestSnapshot) {
            keepFrom = i;
            break;
          }
        }
        record.history = record.ts <= oldestSnapshot ? [] : record.history.slice(keepFrom);
      }
      remaining += record.history.length;
      if (record.history.length === 0) {
        this.#withHistory.delete(id);
        if (!record.doc) this.records.delete(id);
      }
    }
    this.#historyCount = remaining;
  }

  /** Builds a new index over the live documents; fails with E11000 on existing duplicates. */
  addIndex(spec: IndexSpec): CollectionIndex {
    const index = new CollectionIndex(spec);
    for (const [id, doc] of this.liveDocs()) {
      if (spec.unique) {
        for (const key of index.keysOf(doc)) {
          if (index.idsWithKey(key).some((holder) => holder !== id)) throw duplicateKeyError(this.ns, index, key);
        }
      }
      index.add(doc, id);
    }
    this.indexes.set(spec.name, index);
    this.listener?.collectionChanged(this);
    return index;
  }
}

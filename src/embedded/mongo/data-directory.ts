import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync, writeSync, existsSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { BSON } from 'mongodb';
import { demote, promote, type Doc } from './bson-values.js';
import type { CatalogListener, CollectionStore } from './collection-store.js';
import type { IndexSpec } from './index-manager.js';
import type { StorageEngine } from './storage-engine.js';

const JOURNAL = 'journal.bson';
const LOCK = 'mongod.lock';
/** Documents per batch when the journal is rewritten at start. */
const SNAPSHOT_BATCH = 1000;

/** One journal operation (a batch holds several, applied together or not at all). */
type JournalOp =
  | { op: 'meta'; db: string; coll: string; options: Doc; indexes: IndexSpec[] }
  | { op: 'drop'; db: string; coll: string }
  | { op: 'view'; db: string; name: string; definition: Doc | null }
  | { op: 'write'; db: string; coll: string; id: string; doc: Doc | null };

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A record on disk: byte length, CRC-32 of the body, the body (one BSON document `{ ops }`). */
function encodeBatch(ops: readonly JournalOp[]): Buffer {
  const body = Buffer.from(BSON.serialize(demote({ ops }) as Doc));
  const header = Buffer.alloc(8);
  header.writeUInt32LE(body.length, 0);
  header.writeUInt32LE(crc32(body), 4);
  return Buffer.concat([header, body]);
}

/** The complete batches of a journal; a torn or corrupt tail (a crash mid-write) ends the read. */
function* decodeBatches(bytes: Buffer): Generator<JournalOp[]> {
  let offset = 0;
  while (offset + 8 <= bytes.length) {
    const length = bytes.readUInt32LE(offset);
    const checksum = bytes.readUInt32LE(offset + 4);
    const end = offset + 8 + length;
    if (end > bytes.length) return;
    const body = bytes.subarray(offset + 8, end);
    if (crc32(body) !== checksum) return;
    const decoded = promote(BSON.deserialize(body, { promoteValues: false })) as { ops: JournalOp[] };
    yield decoded.ops;
    offset = end;
  }
}

function metaOf(coll: CollectionStore): JournalOp {
  const indexes = [...coll.indexes.values()].filter((index) => index.spec.name !== '_id_').map((index) => index.spec);
  return { op: 'meta', db: coll.database, coll: coll.name, options: coll.options, indexes };
}

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

function applyOp(engine: StorageEngine, op: JournalOp): void {
  switch (op.op) {
    case 'meta': {
      const coll = engine.collection(op.db, op.coll) ?? engine.createCollection(op.db, op.coll, op.options);
      coll.options = op.options;
      const wanted = new Map(op.indexes.map((spec) => [spec.name, spec]));
      for (const [name, index] of [...coll.indexes]) {
        if (name === '_id_') continue;
        const spec = wanted.get(name);
        if (!spec || JSON.stringify(spec.document) !== JSON.stringify(index.spec.document)) coll.indexes.delete(name);
      }
      for (const spec of op.indexes) if (!coll.indexes.has(spec.name)) coll.addIndex(stripUndefined(spec));
      return;
    }
    case 'drop':
      engine.dropCollection(op.db, op.coll);
      return;
    case 'view':
      engine.dropView(op.db, op.name);
      if (op.definition) engine.createView(op.db, op.name, op.definition as never);
      return;
    case 'write': {
      const coll = engine.ensureCollection(op.db, op.coll);
      coll.commit(op.id, op.doc, engine.tick(), false);
      return;
    }
  }
}

/**
 * The embedded server's optional persistence: an append-only journal of committed
 * changes in `dir`, written and fsync'd before a command's reply is sent, replayed at
 * start. Writes of an open transaction are journaled only when it commits, so a crash
 * (even SIGKILL) loses nothing acknowledged and keeps nothing uncommitted. At start the
 * journal is replayed and rewritten compactly (atomically, through a rename).
 */
export class DataDirectory implements CatalogListener {
  readonly #dir: string;
  readonly #engine: StorageEngine;
  #fd: number;
  #pending: JournalOp[] = [];

  private constructor(dir: string, engine: StorageEngine, fd: number) {
    this.#dir = dir;
    this.#engine = engine;
    this.#fd = fd;
  }

  /** Takes the directory (refusing one another live server holds), replays it into `engine` and starts recording. */
  static open(dir: string, engine: StorageEngine): DataDirectory {
    mkdirSync(dir, { recursive: true });
    const lock = path.join(dir, LOCK);
    if (existsSync(lock)) {
      const holder = Number(readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isAlive(holder)) {
        throw new Error(`data directory ${dir} is in use by process ${holder}`);
      }
    }
    writeFileSync(lock, String(process.pid));
    const journal = path.join(dir, JOURNAL);
    if (existsSync(journal)) {
      for (const batch of decodeBatches(readFileSync(journal))) for (const op of batch) applyOp(engine, op);
    }
    DataDirectory.#rewrite(dir, engine);
    const fd = openSync(journal, 'a');
    const data = new DataDirectory(dir, engine, fd);
    engine.listener = data;
    for (const coll of engine.allCollections()) coll.listener = data;
    return data;
  }

  /** Writes the engine's whole state as a fresh journal, then swaps it in. */
  static #rewrite(dir: string, engine: StorageEngine): void {
    const temporary = path.join(dir, `${JOURNAL}.tmp`);
    const fd = openSync(temporary, 'w');
    try {
      for (const database of engine.databaseNames()) {
        for (const coll of engine.collections(database)) {
          writeSync(fd, encodeBatch([metaOf(coll)]));
          let batch: JournalOp[] = [];
          for (const [id, doc] of coll.liveDocs()) {
            batch.push({ op: 'write', db: database, coll: coll.name, id, doc });
            if (batch.length >= SNAPSHOT_BATCH) {
              writeSync(fd, encodeBatch(batch));
              batch = [];
            }
          }
          if (batch.length) writeSync(fd, encodeBatch(batch));
        }
        for (const [name, definition] of engine.views(database)) writeSync(fd, encodeBatch([{ op: 'view', db: database, name, definition: { ...definition } }]));
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path.join(dir, JOURNAL));
    try {
      const dirFd = openSync(dir, 'r');
      fsyncSync(dirFd);
      closeSync(dirFd);
    } catch {
      // Some platforms cannot fsync a directory; the rename is still atomic.
    }
  }

  collectionCreated(coll: CollectionStore): void {
    this.#pending.push(metaOf(coll));
  }

  collectionChanged(coll: CollectionStore): void {
    this.#pending.push(metaOf(coll));
  }

  collectionDropped(database: string, name: string): void {
    this.#pending.push({ op: 'drop', db: database, coll: name });
  }

  viewChanged(database: string, name: string, definition: { viewOn: string; pipeline: Doc[]; collation?: Doc } | undefined): void {
    this.#pending.push({ op: 'view', db: database, name, definition: definition ? { ...definition } : null });
  }

  documentCommitted(coll: CollectionStore, id: string, doc: Doc | null): void {
    this.#pending.push({ op: 'write', db: coll.database, coll: coll.name, id, doc });
  }

  /** Appends what was committed since the last flush as one batch and fsyncs it. */
  flush(): void {
    if (this.#pending.length === 0 || this.#fd < 0) return;
    const batch = encodeBatch(this.#pending);
    this.#pending = [];
    writeSync(this.#fd, batch);
    fsyncSync(this.#fd);
  }

  /** Flushes, closes the journal and releases the directory. */
  close(): void {
    if (this.#fd < 0) return;
    this.flush();
    closeSync(this.#fd);
    this.#fd = -1;
    this.#engine.listener = undefined;
    for (const coll of this.#engine.allCollections()) coll.listener = undefined;
    rmSync(path.join(this.#dir, LOCK), { force: true });
  }
}

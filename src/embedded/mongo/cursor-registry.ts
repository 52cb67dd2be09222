import { randomBytes } from 'node:crypto';
import { BSON, Long } from 'mongodb';
import { demote, type Doc } from './bson-values.js';
import { CommandError, ErrorCode } from './errors.js';

/** MongoDB's default first batch for `find` and `aggregate`. */
export const DEFAULT_FIRST_BATCH = 101;
/** Replies stay under MongoDB's 16 MiB document limit with room for the envelope. */
const BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
/** Idle cursors are reaped after MongoDB's cursorTimeoutMillis (10 minutes). */
const CURSOR_TIMEOUT_MS = 10 * 60 * 1000;

/** An open server-side cursor over an already materialised result. */
export interface ServerCursor {
  readonly id: Long;
  readonly ns: string;
  readonly docs: readonly Doc[];
  position: number;
  lastUsed: number;
  readonly sessionId: string | undefined;
}

/** Open cursors by id; batches are cut by count and by size. */
export class CursorRegistry {
  readonly #cursors = new Map<string, ServerCursor>();

  /** Takes the next batch: up to `size` documents (all when 0/undefined) within the byte budget. */
  static takeBatch(cursor: { docs: readonly Doc[]; position: number }, size: number | undefined): Doc[] {
    const batch: Doc[] = [];
    let bytes = 0;
    while (cursor.position < cursor.docs.length && (!size || batch.length < size)) {
      const doc = cursor.docs[cursor.position]!;
      bytes += BSON.calculateObjectSize(demote(doc) as Doc);
      if (batch.length > 0 && bytes > BATCH_BYTES) break;
      batch.push(doc);
      cursor.position += 1;
    }
    return batch;
  }

  /**
   * Serves a first batch; registers a cursor for the rest unless everything fit or the
   * request was single-batch. Returns the batch and the cursor id (0 when exhausted).
   */
  open(ns: string, docs: readonly Doc[], batchSize: number | undefined, singleBatch: boolean, sessionId: string | undefined): { batch: Doc[]; id: Long } {
    const state = { docs, position: 0 };
    const batch = CursorRegistry.takeBatch(state, batchSize ?? DEFAULT_FIRST_BATCH);
    if (singleBatch || state.position >= docs.length) return { batch, id: Long.ZERO };
    let id: Long;
    do id = Long.fromBigInt(randomBytes(8).readBigInt64LE() & 0x7fffffffffffffffn);
    while (id.isZero() || this.#cursors.has(id.toString()));
    this.#cursors.set(id.toString(), { id, ns, docs, position: state.position, lastUsed: Date.now(), sessionId });
    return { batch, id };
  }

  /** The next batch of a cursor; the cursor is closed when exhausted. */
  getMore(id: Long, ns: string, batchSize: number | undefined, sessionId?: string): { batch: Doc[]; id: Long } {
    const cursor = this.#cursors.get(id.toString());
    if (!cursor) throw new CommandError(ErrorCode.CursorNotFound, `cursor id ${id.toString()} not found`);
    // A cursor belongs to the session that opened it, as in MongoDB.
    if (cursor.sessionId !== undefined && sessionId === undefined) {
      throw new CommandError(50737, `Cannot run getMore on cursor ${id.toString()}, which was created in session ${cursor.sessionId}, without an lsid`);
    }
    if (cursor.sessionId !== undefined && sessionId !== cursor.sessionId) {
      throw new CommandError(50738, `Cannot run getMore on cursor ${id.toString()}, which was created in session ${cursor.sessionId}, in session ${sessionId}`);
    }
    if (cursor.ns !== ns) {
      throw new CommandError(ErrorCode.Location2, `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`);
    }
    cursor.lastUsed = Date.now();
    const batch = CursorRegistry.takeBatch(cursor, batchSize);
    if (cursor.position >= cursor.docs.length) {
      this.#cursors.delete(id.toString());
      return { batch, id: Long.ZERO };
    }
    return { batch, id };
  }

  /** Closes a cursor; false when it was not open. */
  kill(id: Long): boolean {
    return this.#cursors.delete(id.toString());
  }

  /** Closes the cursors of an ended session. */
  killSession(sessionId: string): void {
    for (const [key, cursor] of this.#cursors) if (cursor.sessionId === sessionId) this.#cursors.delete(key);
  }

  /** Reaps cursors idle for longer than MongoDB's cursor timeout. */
  sweep(now = Date.now()): void {
    for (const [key, cursor] of this.#cursors) if (now - cursor.lastUsed > CURSOR_TIMEOUT_MS) this.#cursors.delete(key);
  }

  get size(): number {
    return this.#cursors.size;
  }

  clear(): void {
    this.#cursors.clear();
  }
}

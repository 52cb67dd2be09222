import { setImmediate as nextTurn } from 'node:timers/promises';
import { MongoBulkWriteError, type ClientSession, type Collection, type Document } from 'mongodb';
import { ConflictError, ValidationError, type NexfitError } from '../../core/errors.js';
import type { BulkCreateResult, BulkRejection } from '../bulk.js';
import { toNexfitError } from './error-mapping.js';

/** A row of a bulk create that passed validation: where it was in the caller's list, the entity and its stored document. */
export interface PreparedRow<E> {
  readonly index: number;
  readonly entity: E;
  readonly document: Document;
}

/** How {@link insertPreparedRows} writes: the batch's order rule, the caller's session and the entity name for messages. */
export interface BulkInsertOptions {
  readonly ordered: boolean;
  readonly session?: ClientSession | undefined;
  readonly entity: string;
}

/** Server codes a bulk insert reports against one row: a duplicate unique key, a `$jsonSchema` refusal. */
const ROW_ERROR_CODES: ReadonlySet<number> = new Set([11000, 11001, 121]);

/**
 * Inserts prepared rows with one `insertMany` (the driver splits it into wire batches) and
 * sorts the outcome by the caller's row indexes: the entities written, in input order, and
 * the rows the store refused — `CONFLICT` for a duplicate unique key (with the store or an
 * earlier row of the batch), `VALIDATION_FAILED` for the collection validator. An ordered
 * batch stops at the first refused row, as the server does.
 *
 * In a MongoDB transaction a refused row aborts the whole transaction on the server, so
 * nothing can be reported and carried on with: the call throws the row's error, naming its
 * index (a conflict also in `details.index`), and the unit of work rolls back. Any other failure is thrown mapped through
 * {@link toNexfitError}; outside a transaction, rows of an unordered batch written before it stay.
 *
 * @example
 * ```ts
 * const { created, rejected } = await insertPreparedRows(collection, rows, { ordered: false, entity: 'user' })
 * ```
 */
export async function insertPreparedRows<E>(
  collection: Collection<Document>,
  rows: readonly PreparedRow<E>[],
  options: BulkInsertOptions,
): Promise<BulkCreateResult<E>> {
  if (rows.length === 0) return { created: [], rejected: [] };
  try {
    await collection.insertMany(
      rows.map((row) => row.document),
      { ordered: options.ordered, ...(options.session ? { session: options.session } : {}) },
    );
    return { created: rows.map((row) => row.entity), rejected: [] };
  } catch (error) {
    const refused = refusedRows(error, rows, options.entity);
    if (!refused) throw toNexfitError(error, { entity: options.entity });
    if (options.session?.inTransaction()) {
      const [first] = refused;
      throw first!.error;
    }
    const failed = new Set(refused.map((r) => r.row));
    // An ordered batch stops at its first refused row: nothing after it was sent.
    const stop = options.ordered ? refused[0]!.row : rows.length;
    const created = rows.filter((_, i) => i < stop && !failed.has(i)).map((row) => row.entity);
    const rejected = (options.ordered ? refused.slice(0, 1) : refused).map((r) => r.rejection);
    return { created, rejected };
  }
}

interface RefusedRow {
  /** Position in the list passed to `insertMany`. */
  readonly row: number;
  readonly rejection: BulkRejection;
  /** The row's refusal as the error a single `create` would throw, naming the row. */
  readonly error: NexfitError;
}

/**
 * The rows a bulk write error refused, in row order, or `undefined` when the error is not
 * (only) per-row refusals: a write concern failure, a transient or network error, a
 * transaction the server aborted — those fail the whole call.
 */
function refusedRows<E>(error: unknown, rows: readonly PreparedRow<E>[], entity: string): RefusedRow[] | undefined {
  if (!(error instanceof MongoBulkWriteError) || error.writeErrors === undefined) return undefined;
  const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
  if (writeErrors.length === 0 || error.result?.getWriteConcernError?.()) return undefined;
  const refused: RefusedRow[] = [];
  for (const writeError of writeErrors) {
    const row = writeError.index;
    if (!ROW_ERROR_CODES.has(writeError.code) || !Number.isInteger(row) || row < 0 || row >= rows.length) return undefined;
    const mapped = toNexfitError({ code: writeError.code, errInfo: writeError.errInfo, message: writeError.errmsg }, { entity });
    const index = rows[row]!.index;
    const issues = mapped instanceof ValidationError ? mapped.issues : [];
    const code = mapped instanceof ConflictError ? 'CONFLICT' : 'VALIDATION_FAILED';
    refused.push({ row, rejection: { index, code, message: mapped.message, issues }, error: atRow(mapped, index, error) });
  }
  return refused.sort((a, b) => a.row - b.row);
}

/** `error` with the row it is about in its message and `details.index`, the driver's error as cause. */
function atRow(error: NexfitError, index: number, cause: unknown): NexfitError {
  const message = `Row ${index} of the batch: ${error.message}`;
  // The only conflict a MongoDB insert reports is a duplicate unique key.
  if (error instanceof ConflictError) return new ConflictError('duplicate', message, { cause, details: { ...error.details, index } });
  if (error instanceof ValidationError) return new ValidationError(message, error.issues, { cause });
  return error;
}

/** Rows prepared for one `insertMany` of a pipelined bulk insert, and the validation failures met while preparing them. */
export interface PreparedChunk<E> {
  readonly prepared: PreparedRow<E>[];
  readonly invalid: BulkRejection[];
  /** Ordered: a row failed validation, so nothing after it is prepared or written. */
  readonly stopped: boolean;
}

/** Rows of the first `insertMany` of a pipelined bulk insert: few, as nothing overlaps their preparation. */
const FIRST_CHUNK_ROWS = 32;
/** Rows of the largest `insertMany` of a pipelined bulk insert. */
const MAX_CHUNK_ROWS = 1_000;

/**
 * Rows of the next `insertMany` of a pipelined bulk insert: {@link FIRST_CHUNK_ROWS}, then
 * twice the previous chunk up to {@link MAX_CHUNK_ROWS}: little is prepared before the first
 * write, each chunk is prepared while the store writes one half its size, and a batch of 1,000
 * rows needs five round trips (fixed chunks of 125 or 200 rows measured slower). A tail of
 * less than half a chunk goes with the chunk before it.
 *
 * @example
 * ```ts
 * nextInsertManyRows(undefined, 1_000) // 32; then 64, 128, 256 and the last 520
 * ```
 */
export function nextInsertManyRows(previous: number | undefined, remaining: number): number {
  const size = previous === undefined ? FIRST_CHUNK_ROWS : Math.min(MAX_CHUNK_ROWS, previous * 2);
  return remaining < size * 1.5 ? remaining : size;
}

/** Rows prepared between two yields to the event loop, so the driver sends and reads while the next chunk is prepared. */
const PREPARE_SLICE = 32;

/**
 * Writes `rows` in chunks, preparing (validating, encrypting) the next chunk while the store
 * writes the previous one: the client's work and the server's overlap instead of adding
 * up. One `insertMany` is in flight at a time, so a session sees its writes in order and
 * a transaction stays on one connection.
 *
 * The batch keeps the meaning of one `insertMany`: ordered, the first bad row — refused by
 * validation or by the store — is the only one reported, every row before it is written and
 * nothing after it; unordered, every bad row is reported and every good row written once.
 * Inside a transaction a row the store refuses throws (see {@link insertPreparedRows}).
 *
 * @example
 * ```ts
 * const result = await pipelinedBulkInsert(rows, true, (row) => repo.prepareNew(row), (chunk) => insertPreparedRows(collection, chunk.prepared, options))
 * ```
 */
export async function pipelinedBulkInsert<E>(
  rows: readonly unknown[],
  ordered: boolean,
  prepare: (row: unknown) => { readonly entity: E; readonly document: Document },
  insert: (chunk: PreparedChunk<E>) => Promise<BulkCreateResult<E>>,
): Promise<BulkCreateResult<E>> {
  const prepareChunk = async (from: number, to: number, yielding: boolean): Promise<PreparedChunk<E>> => {
    const prepared: PreparedRow<E>[] = [];
    const invalid: BulkRejection[] = [];
    for (let index = from; index < to; index++) {
      if (yielding && (index - from) % PREPARE_SLICE === PREPARE_SLICE - 1) await nextTurn();
      try {
        prepared.push({ index, ...prepare(rows[index]) });
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        invalid.push({ index, code: 'VALIDATION_FAILED', message: error.message, issues: error.issues });
        if (ordered) return { prepared, invalid, stopped: true };
      }
    }
    return { prepared, invalid, stopped: false };
  };

  const created: E[] = [];
  const rejected: BulkRejection[] = [];
  let size = nextInsertManyRows(undefined, rows.length);
  let chunk = await prepareChunk(0, size, false);
  for (let from = 0; ; ) {
    from += size;
    const last = chunk.stopped || from >= rows.length;
    if (!last) size = nextInsertManyRows(size, rows.length - from);
    const writing = insert(chunk);
    // Awaited below, after the next chunk is prepared: handled now so its failure is not reported as unhandled meanwhile.
    writing.catch(() => undefined);
    // While the store writes this chunk, the next one is prepared; a failed write drops it unwritten.
    let next: PreparedChunk<E> | undefined;
    let preparing: unknown;
    if (!last) {
      try {
        next = await prepareChunk(from, from + size, true);
      } catch (error) {
        preparing = error;
      }
    }
    const written = await writing;
    created.push(...written.created);
    if (ordered && written.rejected.length > 0) return { created, rejected: written.rejected.slice(0, 1) };
    rejected.push(...chunk.invalid, ...written.rejected);
    if (preparing !== undefined) throw preparing;
    if (ordered && chunk.stopped) return { created, rejected: chunk.invalid.slice(0, 1) };
    if (last || !next) break;
    chunk = next;
  }
  return { created, rejected: rejected.sort((a, b) => a.index - b.index) };
}

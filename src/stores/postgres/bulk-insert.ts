import { setImmediate as nextTurn } from 'node:timers/promises';
import { CompiledQuery, sql } from 'kysely';
import { ValidationError, type ValidationIssue } from '../../core/errors.js';
import type { BulkRejection } from '../bulk.js';
import type { Database } from './database.js';
import type { PostgresHandle } from './postgres-repository.js';

/** Rows per INSERT statement of a `createMany`: large enough to amortise a round trip, small enough to bound one statement's memory. */
export const BULK_CHUNK_ROWS = 5_000;

/** The savepoint a chunk runs under when it must be redone after a conflict (invoice numbers). */
const SAVEPOINT = 'nexfit_create_many';

/**
 * One column of a bulk insert: its name and the PostgreSQL type of the array its values travel
 * in (`text`, `numeric`, `jsonb`, `timestamptz`, `date`, `int4`, `bool`). Decimals and JSON go
 * as text and are cast by the server, so no value passes through a float or a JS re-encoding.
 */
export type BulkColumn = readonly [column: string, type: string];

/** Why a row was refused: the parts of a {@link BulkRejection} besides its index. */
export type RowRefusal = Omit<BulkRejection, 'index'>;

/**
 * What a repository tells the bulk path about its table: the columns, how to turn parsed rows
 * into column values (exactly as its `create` does), its unique business key if it has one,
 * and optional checks against other tables.
 */
export interface BulkInsertTable<Data, Row> {
  readonly table: keyof Database & string;
  readonly columns: readonly BulkColumn[];
  /**
   * The business key of the table's unique constraint(s) (`transactionId`): a row whose key is
   * taken — by the store, or by an earlier row of the batch — is a `CONFLICT`. Absent for a
   * table with no unique key but its generated id (`audit_logs`), which never conflicts.
   */
  readonly key?: {
    /** The input fields the key is made of, for the rejection's issues. */
    readonly fields: readonly string[];
    /** The columns the key is made of: the statement returns them to tell the rows written from the conflicts. */
    readonly columns: readonly string[];
    readonly ofData: (data: Data) => string;
    readonly ofRow: (row: Row) => string;
  };
  /**
   * Checks the rows about to be inserted against other rows of the store (foreign keys), in
   * the chunk's transaction: the positions (in `rows`) refused, with why.
   */
  readonly screen?: (handle: PostgresHandle, rows: readonly Data[]) => Promise<ReadonlyMap<number, RowRefusal>>;
  /**
   * The column values of `rows`, in order. Runs under the same savepoint as the INSERT, so
   * what it takes from the store (invoice numbers) is given back when the chunk is undone.
   */
  readonly toRows: (handle: PostgresHandle, rows: readonly Data[]) => Record<string, unknown>[] | Promise<Record<string, unknown>[]>;
  /**
   * True when a conflict must undo the whole chunk even in unordered mode: the rows' values
   * depend on which rows are written (each valid invoice takes the next number).
   */
  readonly redoOnConflict?: boolean;
  /**
   * The columns the server fills that are not among {@link columns} (defaults such as
   * `created_at`), besides the generated `id`, which always comes back. The statement returns
   * only these and the key: the other values of a written row are the ones sent.
   */
  readonly filled?: readonly string[];
}

/** A row that passed validation, with its index in the caller's list. */
export interface BulkCandidate<Data> {
  readonly index: number;
  readonly data: Data;
}

/** What {@link insertCandidates} wrote and refused. */
export interface BulkInsertOutcome<Row> {
  readonly inserted: readonly Row[];
  readonly rejected: readonly BulkRejection[];
}

/**
 * Judges the rows of one `createMany` in order, a range at a time: the rows that pass `parse`
 * become candidates, the others refusals — schema failures (`VALIDATION_FAILED` with the
 * schema's issues) and repeats of an earlier row's unique key (`CONFLICT`, remembered across
 * ranges). In ordered mode it stops at the first bad row: nothing after it is looked at.
 *
 * @example
 * ```ts
 * const screener = new InputScreener(true, (input) => parse(schema, input), table.key)
 * const { candidates } = screener.take(inputs, 0, inputs.length)
 * ```
 */
export class InputScreener<Data> {
  /** Every refusal so far, in row order. */
  readonly rejected: BulkRejection[] = [];
  /** Ordered: a bad row was met, so nothing after it is taken. */
  stopped = false;
  readonly #seen = new Set<string>();
  readonly #ordered: boolean;
  readonly #parse: (input: unknown) => Data;
  readonly #key: { readonly fields: readonly string[]; readonly ofData: (data: Data) => string } | undefined;

  constructor(ordered: boolean, parse: (input: unknown) => Data, key: { readonly fields: readonly string[]; readonly ofData: (data: Data) => string } | undefined) {
    this.#ordered = ordered;
    this.#parse = parse;
    this.#key = key;
  }

  /** The candidates among `inputs[from..to)`; nothing once an ordered batch has stopped. */
  take(inputs: readonly unknown[], from: number, to: number): BulkCandidate<Data>[] {
    const candidates: BulkCandidate<Data>[] = [];
    for (let index = from; index < to && !this.stopped; index++) {
      const candidate = this.#judge(inputs[index], index);
      if (candidate) candidates.push(candidate);
    }
    return candidates;
  }

  /** {@link take}, yielding to the event loop every few rows so that I/O in flight (the previous chunk's insert) goes on meanwhile. */
  async takeYielding(inputs: readonly unknown[], from: number, to: number): Promise<BulkCandidate<Data>[]> {
    const candidates: BulkCandidate<Data>[] = [];
    for (let index = from; index < to && !this.stopped; index++) {
      if ((index - from) % PREPARE_SLICE === PREPARE_SLICE - 1) await nextTurn();
      const candidate = this.#judge(inputs[index], index);
      if (candidate) candidates.push(candidate);
    }
    return candidates;
  }

  #judge(input: unknown, index: number): BulkCandidate<Data> | undefined {
    let data: Data;
    try {
      data = this.#parse(input);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.#refuse({ index, code: 'VALIDATION_FAILED', message: error.message, issues: error.issues });
      return undefined;
    }
    if (this.#key) {
      const value = this.#key.ofData(data);
      if (this.#seen.has(value)) {
        this.#refuse({ index, ...duplicateKey(this.#key.fields, 'an earlier row of the batch') });
        return undefined;
      }
      this.#seen.add(value);
    }
    return { index, data };
  }

  #refuse(rejection: BulkRejection): void {
    this.rejected.push(rejection);
    if (this.#ordered) this.stopped = true;
  }
}

/** Rows judged between two yields to the event loop while a chunk is being written. */
const PREPARE_SLICE = 32;

/**
 * The most rows per statement of a pipelined `createMany`: half the batch, 125 to
 * {@link BULK_CHUNK_ROWS}, so that validating the next chunk overlaps the server's work on the
 * previous one without splitting a small batch into many statements.
 */
export function pipelineChunkRows(rows: number): number {
  return Math.min(BULK_CHUNK_ROWS, Math.max(FIRST_CHUNK_ROWS, Math.ceil(rows / 2)));
}

/** Rows of the first statement of a pipelined `createMany`: the only chunk whose validation nothing overlaps. */
const FIRST_CHUNK_ROWS = 125;

/**
 * Rows of the chunk after one of `previous` rows (0 for the first): the chunks start at
 * {@link FIRST_CHUNK_ROWS} and double up to {@link pipelineChunkRows}, so the server has work
 * early while the client validates the next, larger chunk.
 *
 * @example
 * ```ts
 * nextChunkRows(0, 500)   // 125
 * nextChunkRows(250, 500) // 500
 * ```
 */
export function nextChunkRows(previous: number, size: number): number {
  return Math.min(size, previous === 0 ? FIRST_CHUNK_ROWS : previous * 2);
}

/**
 * Judges and inserts `inputs` chunk by chunk on one connection: while the server writes a
 * chunk, the next one is validated and the rows of the previous one are `convert`ed (to
 * entities). Statements run one after another, so ordered semantics are those of
 * {@link insertCandidates} over the whole batch: the first refusal, by validation or by the
 * store, is the only one reported; every row before it is written, none after.
 *
 * @example
 * ```ts
 * const first = screener.take(inputs, 0, 250)
 * const outcome = await insertPipelined(trx, table, inputs, screener, first, 250, { ordered: true }, toTransaction)
 * ```
 */
export async function insertPipelined<Data, Row, Out>(
  handle: PostgresHandle,
  table: BulkInsertTable<Data, Row>,
  inputs: readonly unknown[],
  screener: InputScreener<Data>,
  first: readonly BulkCandidate<Data>[],
  firstEnd: number,
  options: { readonly ordered: boolean },
  convert: (row: Row) => Out,
): Promise<BulkInsertOutcome<Out>> {
  const size = pipelineChunkRows(inputs.length);
  const inserted: Out[] = [];
  const rejected: BulkRejection[] = [];
  let chunk = first;
  let prepared: PreparedRows | undefined;
  let unconverted: readonly Row[] = [];
  for (let from = firstEnd, rows = firstEnd; ; from += rows) {
    rows = nextChunkRows(rows, size);
    const writing = insertCandidates(handle, table, chunk, options, prepared);
    // Awaited after the next chunk is judged: handled now so a failure is not reported as unhandled meanwhile.
    writing.catch(() => undefined);
    // The previous chunk's rows become entities while the server writes this one.
    for (const row of unconverted) inserted.push(convert(row));
    unconverted = [];
    let next: BulkCandidate<Data>[] | undefined;
    let judging: unknown;
    prepared = undefined;
    if (from < inputs.length && !screener.stopped) {
      try {
        next = await screener.takeYielding(inputs, from, Math.min(inputs.length, from + rows));
        // Its statement's parameters too, so it goes out as soon as the server is done with this one.
        prepared = preparesAhead(table) ? await prepareRows(handle, table, next) : undefined;
      } catch (error) {
        judging = error;
      }
    }
    const written = await writing;
    unconverted = written.inserted;
    rejected.push(...written.rejected);
    if (options.ordered && written.rejected.length > 0) break;
    if (judging !== undefined) throw judging;
    if (next === undefined) break;
    chunk = next;
  }
  for (const row of unconverted) inserted.push(convert(row));
  return { inserted, rejected };
}

/**
 * Inserts the candidates in chunks of {@link BULK_CHUNK_ROWS}, one statement per chunk:
 * `INSERT … SELECT * FROM unnest($1::type[], …)` — one array parameter per column whatever the
 * row count — with `ON CONFLICT DO NOTHING` on a keyed table, returning the generated `id`, the
 * key and the columns the server fills. A row that does not come back lost to a unique key: a
 * `CONFLICT`. In ordered mode the rows the statement inserted after the first conflict are
 * deleted again in the same transaction, so nothing after the first bad row is ever committed. A table that must redo a chunk (invoice numbers) runs
 * each chunk under a savepoint, rolls back to it on a conflict and inserts the chunk again
 * without the refused rows. `handle` must be inside a transaction unless the call is a single
 * statement that needs no undo ({@link needsTransaction}).
 *
 * @example
 * ```ts
 * const { inserted, rejected } = await insertCandidates(trx, TRANSACTIONS_TABLE, candidates, { ordered: true });
 * ```
 */
export async function insertCandidates<Data, Row>(
  handle: PostgresHandle,
  table: BulkInsertTable<Data, Row>,
  candidates: readonly BulkCandidate<Data>[],
  options: { readonly ordered: boolean },
  prepared?: PreparedRows,
): Promise<BulkInsertOutcome<Row>> {
  const inserted: Row[] = [];
  const rejected: BulkRejection[] = [];
  for (let start = 0; start < candidates.length; start += BULK_CHUNK_ROWS) {
    // Rows prepared ahead stand for the candidates as they were handed over: one statement's worth.
    const ahead = prepared && start === 0 && candidates.length <= BULK_CHUNK_ROWS ? prepared : undefined;
    const chunk = await insertChunk(handle, table, candidates.slice(start, start + BULK_CHUNK_ROWS), options.ordered, ahead);
    inserted.push(...chunk.inserted);
    rejected.push(...chunk.rejected);
    if (options.ordered && chunk.rejected.length > 0) break;
  }
  return { inserted, rejected };
}

/**
 * Whether a bulk insert must run in a transaction: more than one statement (its chunks
 * commit together), a table whose chunks may be redone or read other rows first, or an
 * ordered insert that may have to delete rows after a conflict. A single unordered statement
 * is atomic by itself.
 *
 * @example
 * ```ts
 * needsTransaction(TRANSACTIONS_TABLE, { statements: 1, ordered: false }) // false: one statement
 * ```
 */
export function needsTransaction(table: BulkInsertTable<never, never>, options: { readonly statements: number; readonly ordered: boolean }): boolean {
  return options.statements > 1 || table.redoOnConflict === true || table.screen !== undefined || (options.ordered && table.key !== undefined);
}

/** A chunk's column values and its statement's parameters, made before its turn (see {@link preparesAhead}). */
interface PreparedRows {
  readonly values: readonly Record<string, unknown>[];
  readonly parameters: readonly string[];
}

/**
 * Whether a chunk's statement can be prepared while an earlier chunk is being written: its
 * rows' values depend on nothing the store holds — no numbers taken from it (invoices), no
 * checks against other rows first.
 */
function preparesAhead<Data, Row>(table: BulkInsertTable<Data, Row>): boolean {
  return table.redoOnConflict !== true && table.screen === undefined;
}

async function prepareRows<Data, Row>(handle: PostgresHandle, table: BulkInsertTable<Data, Row>, rows: readonly BulkCandidate<Data>[]): Promise<PreparedRows> {
  const values = await table.toRows(handle, rows.map((r) => r.data));
  return { values, parameters: table.columns.map(([column]) => arrayLiteral(values, column)) };
}

async function insertChunk<Data, Row>(
  handle: PostgresHandle,
  table: BulkInsertTable<Data, Row>,
  chunk: readonly BulkCandidate<Data>[],
  ordered: boolean,
  prepared?: PreparedRows,
): Promise<BulkInsertOutcome<Row>> {
  const undoable = table.redoOnConflict === true;
  const rejected: BulkRejection[] = [];
  let rows = chunk;
  /** Drops the refused positions of `rows`: all of them, or in ordered mode everything from the first on. */
  const refuse = (refusals: ReadonlyMap<number, RowRefusal>) => {
    const positions = [...refusals.keys()].sort((a, b) => a - b);
    if (ordered) {
      const first = positions[0]!;
      // Only the earliest refusal stands in ordered mode: a retry can only find an earlier one.
      rejected.splice(0, rejected.length, { index: rows[first]!.index, ...refusals.get(first)! });
      rows = rows.slice(0, first);
    } else {
      for (const position of positions) rejected.push({ index: rows[position]!.index, ...refusals.get(position)! });
      rows = rows.filter((_, position) => !refusals.has(position));
    }
  };
  for (;;) {
    if (undoable) await sql`savepoint ${sql.raw(SAVEPOINT)}`.execute(handle);
    if (table.screen && rows.length > 0) {
      const refusals = await table.screen(handle, rows.map((r) => r.data));
      if (refusals.size > 0) refuse(refusals);
    }
    if (rows.length === 0) {
      if (undoable) await sql`release savepoint ${sql.raw(SAVEPOINT)}`.execute(handle);
      return { inserted: [], rejected: byIndex(rejected) };
    }
    // Prepared ahead only for the rows as handed over: a retry without refused rows makes its own.
    const { values, parameters } = prepared && rows === chunk ? prepared : await prepareRows(handle, table, rows);
    const returned = await runInsert(handle, table, parameters);
    const missing = missingRows(table, rows, returned);
    if (missing.size === 0 || !undoable) {
      if (undoable) await sql`release savepoint ${sql.raw(SAVEPOINT)}`.execute(handle);
      if (missing.size > 0) {
        const kept = ordered ? await undoAfter(handle, table, rows, returned, Math.min(...missing.keys())) : returned;
        refuse(missing);
        return { inserted: writtenRows(table, values, kept), rejected: byIndex(rejected) };
      }
      return { inserted: writtenRows(table, values, returned), rejected: byIndex(rejected) };
    }
    await sql`rollback to savepoint ${sql.raw(SAVEPOINT)}`.execute(handle);
    refuse(missing);
  }
}

/**
 * Ordered mode after a conflict at `first`: deletes the rows this statement inserted after
 * it, by their generated ids, in the same transaction — rows no other transaction ever saw —
 * and returns the rows kept. Cheaper than a savepoint around every chunk, which would cost two
 * round trips on every call for the rare one that conflicts.
 */
async function undoAfter<Data, Row>(handle: PostgresHandle, table: BulkInsertTable<Data, Row>, rows: readonly BulkCandidate<Data>[], returned: readonly Returned[], first: number): Promise<Returned[]> {
  const key = table.key!;
  const after = new Set(rows.slice(first + 1).map((row) => key.ofData(row.data)));
  const kept = returned.filter((row) => !after.has(key.ofRow(row as Row)));
  const dropped = returned.filter((row) => after.has(key.ofRow(row as Row))).map((row) => String(row.id));
  if (dropped.length > 0) await sql`delete from ${sql.table(table.table)} where id = any(${dropped}::int8[])`.execute(handle);
  return kept;
}

/** The INSERT statements, one text per table and conflict handling, built once. */
const statements = new Map<string, string>();

function insertStatement(table: BulkInsertTable<unknown, unknown>): string {
  let text = statements.get(table.table);
  if (text === undefined) {
    const names = table.columns.map(([column]) => `"${column}"`).join(', ');
    const arrays = table.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
    const returning = [...new Set(['id', ...(table.key?.columns ?? []), ...(table.filled ?? [])])].map((column) => `"${column}"`).join(', ');
    text = `insert into "${table.table}" (${names}) select * from unnest(${arrays})${table.key ? ' on conflict do nothing' : ''} returning ${returning}`;
    statements.set(table.table, text);
  }
  return text;
}

/** What the INSERT returns of a written row: its generated `id`, its key columns and the {@link BulkInsertTable.filled} ones. */
interface Returned {
  readonly id: string;
  readonly [column: string]: unknown;
}

async function runInsert(handle: PostgresHandle, table: BulkInsertTable<never, never>, parameters: readonly string[]): Promise<Returned[]> {
  const result = await handle.executeQuery<Returned>(CompiledQuery.raw(insertStatement(table as BulkInsertTable<unknown, unknown>), [...parameters]));
  return result.rows as Returned[];
}

/**
 * One column's values as the text of a PostgreSQL array — the literal `pg` would make of the
 * array, made here in one pass: `NULL`, or each value's text quoted, with `\` and `"`
 * escaped. A `Date` is its UTC ISO text (a batch's rows share their timestamps, so the text
 * is made once); JSON travels as its text already (see {@link BulkColumn}).
 */
function arrayLiteral(values: readonly Record<string, unknown>[], column: string): string {
  let literal = '{';
  let lastDate: Date | undefined;
  let lastText = '';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) literal += ',';
    const value = values[i]![column];
    if (value === null || value === undefined) {
      literal += 'NULL';
      continue;
    }
    let text: string;
    if (typeof value === 'string') text = value;
    else if (value instanceof Date) {
      if (value !== lastDate) {
        lastDate = value;
        lastText = value.toISOString();
      }
      text = lastText;
    } else if (typeof value === 'object') text = JSON.stringify(value);
    else text = String(value);
    literal += text.includes('\\') || text.includes('"') ? `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `"${text}"`;
  }
  return `${literal}}`;
}

/** The positions of `rows` whose key did not come back: refused by a unique key. */
function missingRows<Data, Row>(table: BulkInsertTable<Data, Row>, rows: readonly BulkCandidate<Data>[], returned: readonly Returned[]): Map<number, RowRefusal> {
  const missing = new Map<number, RowRefusal>();
  const key = table.key;
  if (!key || returned.length === rows.length) return missing;
  const back = new Set(returned.map((row) => key.ofRow(row as Row)));
  rows.forEach((row, position) => {
    if (!back.has(key.ofData(row.data))) missing.set(position, duplicateKey(key.fields, 'a stored row'));
  });
  return missing;
}

/**
 * The rows written, in the order of the input rows, as a `RETURNING *` would have read them:
 * the values sent — JSON text parsed, each timestamp a `Date` of its own — with what the
 * statement returned (`id`, the key, the columns the server filled) over them. A row is
 * matched to its values by key on a keyed table; on the others every row is written and the
 * generated ids, assigned in insertion order, follow the input order.
 */
function writtenRows<Row>(table: BulkInsertTable<never, Row>, values: readonly Record<string, unknown>[], returned: readonly Returned[]): Row[] {
  const key = table.key;
  if (!key) {
    const byId = [...returned].sort((a, b) => compareIds(a.id, b.id));
    return byId.map((row, i) => asWritten(table, values[i]!, row));
  }
  const byKey = new Map(returned.map((row) => [key.ofRow(row as Row), row]));
  const written: Row[] = [];
  for (const sent of values) {
    const row = byKey.get(key.ofRow(sent as Row));
    if (row) written.push(asWritten(table, sent, row));
  }
  return written;
}

/** One written row: the sent values typed as the `pg` parsers of the SDK's pool type them, then what came back. */
function asWritten<Row>(table: BulkInsertTable<never, Row>, sent: Record<string, unknown>, returned: Returned): Row {
  const row: Record<string, unknown> = {};
  for (const [column, type] of table.columns) {
    const value = sent[column] ?? null;
    if (value === null) row[column] = null;
    else if (type === 'jsonb') row[column] = typeof value === 'string' ? JSON.parse(value) : structuredClone(value);
    else if (type === 'timestamptz') row[column] = new Date(value instanceof Date ? value.getTime() : String(value));
    else row[column] = value;
  }
  return Object.assign(row, returned) as Row;
}

function compareIds(a: unknown, b: unknown): number {
  const x = BigInt(a as string);
  const y = BigInt(b as string);
  return x < y ? -1 : x > y ? 1 : 0;
}

function byIndex(rejected: BulkRejection[]): BulkRejection[] {
  return rejected.sort((a, b) => a.index - b.index);
}

function duplicateKey(fields: readonly string[], holder: string): RowRefusal {
  const message = `${fields.join(' and ')} already taken by ${holder}`;
  const issues: ValidationIssue[] = [{ path: fields.length === 1 ? [fields[0]!] : [], code: 'duplicate', message }];
  return { code: 'CONFLICT', message, issues };
}

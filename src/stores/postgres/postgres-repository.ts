import { sql, type Kysely, type RawBuilder, type SelectQueryBuilder, type SqlBool, type Transaction } from 'kysely';
import { z } from 'zod';
import { ConcurrencyError, NotFoundError, ValidationError } from '../../core/errors.js';
import { observed } from '../../core/observer.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, pageRequestSchema, type PageRequest } from '../../core/pagination.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import { bulkCreateOptionsSchema, type BulkCreateOptions, type BulkCreateResult } from '../bulk.js';
import { bulkRowsOf } from '../bulk-rows.js';
import type { RepositoryDeps } from '../repository-deps.js';
import type { StoreContext } from '../store-context.js';
import type { Database } from './database.js';
import { InputScreener, insertPipelined, needsTransaction, nextChunkRows, pipelineChunkRows, type BulkInsertTable } from './bulk-insert.js';
import { toNexfitError } from './error-mapping.js';
import { calendarDateOf } from './column-values.js';
import { exactInstantText } from './pg-types.js';
import { prepareStatement, slot, type PreparedStatement } from './prepared-statement.js';

/** A PostgreSQL handle a repository method runs on: the SDK's pool or the caller's transaction. */
export type PostgresHandle = Kysely<Database> | Transaction<Database>;

/** Options of a write guarded by optimistic concurrency. */
export interface UpdateOptions {
  /**
   * The `updatedAt` the caller read. The write lands only if the row still has it
   * (compared to the millisecond, the precision of a `Date`); otherwise `ConcurrencyError`.
   */
  readonly expectedUpdatedAt?: Date | string;
}

/** Validates {@link UpdateOptions}, so nothing but an instant reaches the guard. */
export const updateOptionsSchema = z.strictObject({ expectedUpdatedAt: instantSchema.optional() });

/** How a keyset column travels in a cursor: exact text, cast back to the column type. */
export type KeysetColumnType = 'timestamptz' | 'date' | 'bigint';

/** The sort of a keyset-paged list: columns (the last one unique, usually `id`) and one direction. */
export interface KeysetOrder {
  readonly direction: 'asc' | 'desc';
  readonly columns: readonly (readonly [column: string, type: KeysetColumnType])[];
}

/** One page of rows and the cursor of the next one. */
export interface RowPage<Row> {
  readonly rows: readonly Row[];
  readonly nextCursor: string | null;
}

/**
 * Cursor text per column type, made from the row's value in JS. Timestamps keep their
 * microseconds (a `Date` alone would truncate them to milliseconds and a page boundary could
 * then skip rows; see {@link exactInstantText}); dates stay calendar days.
 */
const CURSOR_TEXT: Readonly<Record<KeysetColumnType, { readonly of: (value: unknown) => string; readonly pattern: RegExp }>> = {
  timestamptz: {
    of: (value) => exactInstantText(value instanceof Date ? value : new Date(String(value))),
    pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
  },
  date: { of: calendarDateOf, pattern: /^\d{4}-\d{2}-\d{2}$/ },
  bigint: { of: (value) => String(value), pattern: /^\d{1,19}$/ },
};

/** The row comparison that starts a keyset page after the cursor's values. */
function afterCursor(order: KeysetOrder, values: readonly unknown[]): RawBuilder<SqlBool> {
  const casts = values.map((value, i) => sql`cast(${value} as ${sql.raw(order.columns[i]![1])})`);
  const refs = order.columns.map(([column]) => sql.ref(column));
  return sql<SqlBool>`(${sql.join(refs)}) ${sql.raw(order.direction === 'desc' ? '<' : '>')} (${sql.join(casts)})`;
}

/**
 * The statements of one keyset-paged list, prepared once per combination of the filters a
 * call uses (a filter left `undefined` is left out of the SQL): the first page and the pages
 * after a cursor. Only values change from call to call, so nothing is built or compiled then.
 */
export interface PreparedPages {
  readonly order: KeysetOrder;
  /** The statement for these filter values, and whether it starts after a cursor. */
  statementFor(values: Readonly<Record<string, unknown>>, after: boolean): PreparedStatement<Record<string, unknown>>;
}

/**
 * Prepares a keyset-paged list under `order`: `build` makes its query with {@link slot}s named
 * like the filter values, and `has(name)` tells whether that filter is used.
 *
 * @example
 * ```ts
 * const BY_USER = preparePages(NEWEST_FIRST, (db, has) =>
 *   db.selectFrom('transactions').selectAll().where('user_id', '=', slot('user')).$if(has('status'), (q) => q.where('status', '=', slot('status'))));
 * ```
 */
export function preparePages(
  order: KeysetOrder,
  build: (db: Kysely<Database>, has: (name: string) => boolean) => SelectQueryBuilder<Database, any, any>,
): PreparedPages {
  const statements = new Map<string, PreparedStatement<Record<string, unknown>>>();
  return {
    order,
    statementFor(values, after) {
      const used = Object.keys(values).filter((name) => values[name] !== undefined);
      const key = `${after}:${used.join(',')}`;
      let statement = statements.get(key);
      if (!statement) {
        statement = prepareStatement((db) => {
          let q = build(db, (name) => used.includes(name)) as SelectQueryBuilder<any, any, Record<string, unknown>>;
          if (after) q = q.where(afterCursor(order, order.columns.map((_, i) => slot(`nexfit_after_${i}`))));
          for (const [column] of order.columns) q = q.orderBy(sql.ref(column), order.direction);
          return q.limit(slot<number>('nexfit_limit'));
        });
        statements.set(key, statement);
      }
      return statement;
    },
  };
}

/** A prepared keyset-paged list with the values of one call, run on the call's handle. */
export interface PreparedPageQuery {
  readonly pages: PreparedPages;
  readonly handle: PostgresHandle;
  readonly values: Readonly<Record<string, unknown>>;
}


const invalidCursor = () =>
  new ValidationError('Invalid page cursor', [{ path: ['after'], code: 'invalid_cursor', message: 'The cursor is not one this list produced' }]);

/**
 * The common ground of the SDK's PostgreSQL repositories: the handle of a call (the
 * caller's transaction or the pool), input validation, observer reporting with driver
 * errors mapped to SDK errors, keyset pages and the optimistic-concurrency guard.
 * Repositories never open transactions; the exceptions (an invoice and its number, the
 * chunks of a `createMany`) go through {@link PostgresRepository.inTransaction}.
 *
 * @example
 * ```ts
 * class ThingRepository extends PostgresRepository {
 *   constructor(db: Kysely<Database>, deps: RepositoryDeps) { super(db, deps, { entity: 'thing', table: 'things' }) }
 * }
 * ```
 */
export abstract class PostgresRepository {
  protected readonly db: Kysely<Database>;
  protected readonly deps: RepositoryDeps;
  readonly #entity: string;
  readonly #table: string;

  protected constructor(db: Kysely<Database>, deps: RepositoryDeps, names: { readonly entity: string; readonly table: string }) {
    this.db = db;
    this.deps = deps;
    this.#entity = names.entity;
    this.#table = names.table;
  }

  /** The entity name used in errors (`'transaction'`). */
  protected get entity(): string {
    return this.#entity;
  }

  /** The handle of one call: the context's (a transaction or connection of a unit of work) or the pool. */
  /**
   * `created_at`/`updated_at` of a new row from the SDK's injected clock rather than the
   * server's `now()`, so both stores agree on when a business event happened (and tests with
   * a fixed clock see the rows where they put them).
   */
  protected insertTimestamps(): { created_at: Date; updated_at: Date } {
    const now = this.deps.clock.now();
    return { created_at: now, updated_at: now };
  }

  protected dbOf(ctx?: StoreContext): PostgresHandle {
    return ctx?.pg ?? this.db;
  }

  /** Parses caller input with the repository's locale; a `ValidationError` before any SQL runs. */
  protected parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: this.#entity, ...(this.deps.locale ? { locale: this.deps.locale } : {}) });
  }

  /** Runs one repository operation: reported to the observer, every failure an SDK error. */
  protected run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return observed(this.deps.observer, { store: 'postgres', target: this.#table, operation }, async () => {
      try {
        return await fn();
      } catch (error) {
        throw toNexfitError(error, { entity: this.#entity });
      }
    });
  }

  /**
   * One keyset page of `query` under `order`: the next page starts strictly after the last
   * row by a row comparison (`(created_at, id) < ($1, $2)`), so deep pages stay index scans.
   * The SQL is the list's own query with a `LIMIT`; the cursor is made from the last row's
   * values. A prepared query ({@link preparePages}) brings its own order.
   */
  protected async keysetPage<DB, TB extends keyof DB, Row>(
    query: SelectQueryBuilder<DB, TB, Row> | PreparedPageQuery,
    order: KeysetOrder | undefined,
    page: PageRequest | undefined,
  ): Promise<RowPage<Row>> {
    const request = this.parse(pageRequestSchema, page ?? {});
    const limit = request.limit ?? DEFAULT_PAGE_SIZE;
    const sort = 'pages' in query ? query.pages.order : order!;
    const columns = sort.columns;
    let after: unknown[] | undefined;
    if (request.after !== undefined) {
      after = decodeCursor(request.after, columns.length);
      after.forEach((value, i) => {
        if (typeof value !== 'string' || !CURSOR_TEXT[columns[i]![1]].pattern.test(value)) throw invalidCursor();
      });
    }
    let rows: readonly Record<string, unknown>[];
    if ('pages' in query) {
      const values: Record<string, unknown> = { ...query.values, nexfit_limit: limit + 1 };
      after?.forEach((value, i) => (values[`nexfit_after_${i}`] = value));
      rows = (await query.pages.statementFor(query.values, after !== undefined).execute(query.handle, values)).rows;
    } else {
      // Untyped inside, typed at the edges.
      let q = query as unknown as SelectQueryBuilder<any, any, Record<string, unknown>>;
      if (after) q = q.where(afterCursor(sort, after));
      for (const [column] of columns) q = q.orderBy(sql.ref(column), sort.direction);
      rows = await q.limit(limit + 1).execute();
    }
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    const nextCursor = last ? encodeCursor(columns.map(([column, type]) => (last[column] == null ? null : CURSOR_TEXT[type].of(last[column])))) : null;
    return { rows: (rows.length > limit ? rows.slice(0, limit) : rows) as unknown as Row[], nextCursor };
  }

  /** The guard of {@link UpdateOptions}: the row's `updated_at`, truncated to milliseconds, is the one read. */
  protected updatedAtIs(expected: Date) {
    return updatedAtEquals(expected);
  }

  /**
   * After a guarded UPDATE matched nothing: `ConcurrencyError` when the row exists (it
   * changed since it was read), `NotFoundError` when it does not.
   */
  protected async refuseUpdate(id: string, exists: () => Promise<unknown>): Promise<never> {
    throw (await exists()) ? new ConcurrencyError(this.#entity, id) : new NotFoundError(this.#entity, id);
  }

  /**
   * The body of every PostgreSQL `createMany` (contract in `stores/bulk.ts`): checks the list
   * and the options (a thrown `ValidationError`, nothing written), parses each row with
   * `parse` — the same parse its `create` does — and inserts the good ones through the bulk
   * path ({@link insertCandidates}). All of it runs in one transaction: the caller's, or one
   * of its own, so the rows a call creates commit together (a call that is one statement
   * needs none: see {@link needsTransaction}).
   */
  protected createRows<Data, Row, Entity>(
    inputs: readonly unknown[],
    options: BulkCreateOptions | undefined,
    ctx: StoreContext | undefined,
    table: BulkInsertTable<Data, Row> & { readonly parse: (input: unknown) => Data; readonly toEntity: (row: Row) => Entity },
  ): Promise<BulkCreateResult<Entity>> {
    return this.run('createMany', async () => {
      // Only the list is checked here; each row is the bulk path's to judge (a hostile row is its own rejection).
      const rows = bulkRowsOf(inputs, (schema, value) => this.parse(schema, value));
      const ordered = this.parse(bulkCreateOptionsSchema, options === undefined ? {} : options).ordered ?? true;
      const screener = new InputScreener(ordered, table.parse, table.key);
      // The first chunk is judged before anything is sent; each later one while the previous is written.
      const firstEnd = Math.min(rows.length, nextChunkRows(0, pipelineChunkRows(rows.length)));
      const first = screener.take(rows, 0, firstEnd);
      const more = rows.length > firstEnd && !screener.stopped;
      if (first.length === 0 && !more) return { created: [], rejected: screener.rejected };
      const handle = this.dbOf(ctx);
      const insert = (trx: PostgresHandle) => insertPipelined(trx, table, rows, screener, first, firstEnd, { ordered }, table.toEntity);
      const outcome = needsTransaction(table as BulkInsertTable<never, never>, { statements: more ? 2 : 1, ordered }) ? await this.inTransaction(handle, insert) : await insert(handle);
      // In ordered mode a refusal the insert found comes before the first row that failed to parse.
      const rejected = ordered
        ? (outcome.rejected.length > 0 ? outcome.rejected : screener.rejected)
        : [...screener.rejected, ...outcome.rejected].sort((a, b) => a.index - b.index);
      return { created: outcome.inserted, rejected };
    });
  }

  /**
   * Runs `work` in the caller's transaction when there is one, else in a transaction of its
   * own. Only for a write that must be atomic within this one store and that the repository
   * cannot express as a single statement (issuing a gap-free invoice number and the invoice
   * that carries it; the chunks of a `createMany`, which commit together). A unit of work may hand over a connection on which it issued `BEGIN`
   * itself; {@link isInTransactionBlock} recognises that too.
   */
  protected async inTransaction<T>(handle: PostgresHandle, work: (trx: PostgresHandle) => Promise<T>): Promise<T> {
    // The SDK's pool hands each statement any idle connection, none inside a BEGIN: asking
    // the server would cost a round trip for nothing.
    if (handle !== this.db && (await isInTransactionBlock(handle))) return work(handle);
    return handle.transaction().execute(work);
  }
}

/**
 * The optimistic-concurrency guard: the row's `updated_at`, truncated to milliseconds (the
 * precision of a `Date`), equals `expected`. A function so prepared statements share it.
 *
 * @example
 * ```ts
 * db.updateTable('transactions').set({ status }).where(updatedAtEquals(slot('expected')))
 * ```
 */
export function updatedAtEquals(expected: Date) {
  return sql<SqlBool>`date_trunc('milliseconds', ${sql.ref('updated_at')}) = ${expected}`;
}

/** Handles whose owner issued `BEGIN` on them and says so (see {@link markTransactionBlock}). */
const openBlocks = new WeakSet<PostgresHandle>();

/**
 * Declares that `handle` runs inside a transaction block its caller opened with `BEGIN` (a
 * unit of work's connection), until {@link unmarkTransactionBlock}: {@link isInTransactionBlock}
 * then answers without a round trip to the server.
 *
 * @example
 * ```ts
 * await sql`BEGIN`.execute(conn);
 * markTransactionBlock(conn);
 * try { await work(conn); } finally { unmarkTransactionBlock(conn); }
 * ```
 */
export function markTransactionBlock(handle: PostgresHandle): void {
  openBlocks.add(handle);
}

/** Withdraws {@link markTransactionBlock} once the block ends (committed, prepared or rolled back). */
export function unmarkTransactionBlock(handle: PostgresHandle): void {
  openBlocks.delete(handle);
}

/**
 * True when statements on `handle` run inside an open transaction block. A Kysely
 * `Transaction` says so itself, and so does a handle its owner marked
 * ({@link markTransactionBlock}); for any other handle the server is asked: during the first
 * statement of a transaction `statement_timestamp()` equals `transaction_timestamp()`
 * (PostgreSQL's documented behaviour), so they differ only after an earlier `BEGIN`.
 *
 * @example
 * ```ts
 * await db.connection().execute(async (conn) => { await sql`BEGIN`.execute(conn); await isInTransactionBlock(conn) }) // true
 * ```
 */
export async function isInTransactionBlock(handle: PostgresHandle): Promise<boolean> {
  if (handle.isTransaction || openBlocks.has(handle)) return true;
  const { rows } = await sql<{ in_block: boolean }>`SELECT transaction_timestamp() <> statement_timestamp() AS in_block`.execute(handle);
  return rows[0]?.in_block === true;
}

import { AliasNode, FromNode, IdentifierNode, sql, type Kysely, type OperationNode, type SelectQueryBuilder, type SelectQueryNode, type SqlBool, type Transaction } from 'kysely';
import { z } from 'zod';
import { ConcurrencyError, NotFoundError, ValidationError } from '../../core/errors.js';
import { observed } from '../../core/observer.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, pageRequestSchema, type PageRequest } from '../../core/pagination.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import type { RepositoryDeps } from '../repository-deps.js';
import type { StoreContext } from '../store-context.js';
import type { Database } from './database.js';
import { toNexfitError } from './error-mapping.js';

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
 * Cursor text per column type. Timestamps keep their microseconds (a `Date` would truncate
 * them to milliseconds and a page boundary could then skip rows); dates stay calendar days.
 */
const CURSOR_TEXT: Readonly<Record<KeysetColumnType, { readonly select: (column: string) => ReturnType<typeof sql<string>>; readonly pattern: RegExp }>> = {
  timestamptz: {
    select: (column) => sql<string>`to_char(${sql.ref(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
    pattern: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
  },
  date: { select: (column) => sql<string>`to_char(${sql.ref(column)}, 'YYYY-MM-DD')`, pattern: /^\d{4}-\d{2}-\d{2}$/ },
  bigint: { select: (column) => sql<string>`${sql.ref(column)}::text`, pattern: /^\d{1,19}$/ },
};

const invalidCursor = () =>
  new ValidationError('Invalid page cursor', [{ path: ['after'], code: 'invalid_cursor', message: 'The cursor is not one this list produced' }]);

/**
 * The common ground of the SDK's PostgreSQL repositories: the handle of a call (the
 * caller's transaction or the pool), input validation, observer reporting with driver
 * errors mapped to SDK errors, keyset pages and the optimistic-concurrency guard.
 * Repositories never open transactions; the single exception is documented where it is
 * made ({@link PostgresRepository.inTransaction}).
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
   */
  protected async keysetPage<DB, TB extends keyof DB, Row>(
    query: SelectQueryBuilder<DB, TB, Row>,
    order: KeysetOrder,
    page: PageRequest | undefined,
  ): Promise<RowPage<Row>> {
    const request = this.parse(pageRequestSchema, page ?? {});
    const limit = request.limit ?? DEFAULT_PAGE_SIZE;
    const columns = order.columns;
    // The cursor columns are selected under aliases of their own; untyped inside, typed at the edges.
    let q = query as unknown as SelectQueryBuilder<any, any, Record<string, unknown>>;
    if (request.after !== undefined) {
      const values = decodeCursor(request.after, columns.length);
      const casts = values.map((value, i) => {
        const [, type] = columns[i]!;
        if (typeof value !== 'string' || !CURSOR_TEXT[type].pattern.test(value)) throw invalidCursor();
        return sql`cast(${value} as ${sql.raw(type)})`;
      });
      const refs = columns.map(([column]) => sql.ref(column));
      q = q.where(sql<SqlBool>`(${sql.join(refs)}) ${sql.raw(order.direction === 'desc' ? '<' : '>')} (${sql.join(casts)})`);
    }
    for (const [column] of columns) q = q.orderBy(sql.ref(column), order.direction);
    const inner = q.limit(limit + 1);
    // The cursor text is computed in an outer query over the page's rows only: selected next to
    // the row, PostgreSQL evaluates it for every matching row before a top-N sort keeps the page.
    // The outer statement runs on the query's own handle (the caller's transaction or the pool)
    // by standing in for the inner one.
    const paged = pageStatement(this.db, order, inner.toOperationNode());
    const rows = await inner.withPlugin({ transformQuery: () => paged, transformResult: async ({ result }) => result }).execute();
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    const nextCursor = last ? encodeCursor(columns.map((_, i) => last[`nexfit_cursor_${i}`])) : null;
    return { rows: rows.slice(0, limit) as unknown as Row[], nextCursor };
  }

  /** The guard of {@link UpdateOptions}: the row's `updated_at`, truncated to milliseconds, is the one read. */
  protected updatedAtIs(expected: Date) {
    return sql<SqlBool>`date_trunc('milliseconds', ${sql.ref('updated_at')}) = ${expected}`;
  }

  /**
   * After a guarded UPDATE matched nothing: `ConcurrencyError` when the row exists (it
   * changed since it was read), `NotFoundError` when it does not.
   */
  protected async refuseUpdate(id: string, exists: () => Promise<unknown>): Promise<never> {
    throw (await exists()) ? new ConcurrencyError(this.#entity, id) : new NotFoundError(this.#entity, id);
  }

  /**
   * Runs `work` in the caller's transaction when there is one, else in a transaction of its
   * own. Only for a write that must be atomic within this one store and that the repository
   * cannot express as a single statement (issuing a gap-free invoice number and the invoice
   * that carries it). A unit of work may hand over a connection on which it issued `BEGIN`
   * itself; {@link isInTransactionBlock} recognises that too.
   */
  protected async inTransaction<T>(handle: PostgresHandle, work: (trx: PostgresHandle) => Promise<T>): Promise<T> {
    if (await isInTransactionBlock(handle)) return work(handle);
    return handle.transaction().execute(work);
  }
}

const PAGE_ALIAS = IdentifierNode.create('nexfit_page');
/** The outer statement of a keyset page, per sort: built once, since only its FROM (the page's query) changes. */
const pageShells = new WeakMap<KeysetOrder, SelectQueryNode>();

/**
 * `SELECT nexfit_page.*, <cursor text> FROM (<page>) AS nexfit_page ORDER BY <order>`. The
 * shell is built once per sort on `db` (never executed there) and reused with each page's query.
 */
function pageStatement(db: Kysely<Database>, order: KeysetOrder, page: OperationNode): SelectQueryNode {
  let shell = pageShells.get(order);
  if (!shell) {
    let outer = (db as unknown as Kysely<any>)
      .selectFrom(sql`(SELECT 1)`.as('nexfit_page'))
      .selectAll('nexfit_page')
      .select(order.columns.map(([column, type], i) => CURSOR_TEXT[type].select(`nexfit_page.${column}`).as(`nexfit_cursor_${i}`)));
    for (const [column] of order.columns) outer = outer.orderBy(sql.ref(`nexfit_page.${column}`), order.direction);
    shell = outer.toOperationNode();
    pageShells.set(order, shell);
  }
  return Object.freeze({ ...shell, from: FromNode.create([AliasNode.create(page, PAGE_ALIAS)]) });
}

/**
 * True when statements on `handle` run inside an open transaction block. A Kysely
 * `Transaction` says so itself; for any other handle the server is asked: during the first
 * statement of a transaction `statement_timestamp()` equals `transaction_timestamp()`
 * (PostgreSQL's documented behaviour), so they differ only after an earlier `BEGIN`.
 *
 * @example
 * ```ts
 * await db.connection().execute(async (conn) => { await sql`BEGIN`.execute(conn); await isInTransactionBlock(conn) }) // true
 * ```
 */
export async function isInTransactionBlock(handle: PostgresHandle): Promise<boolean> {
  if (handle.isTransaction) return true;
  const { rows } = await sql<{ in_block: boolean }>`SELECT transaction_timestamp() <> statement_timestamp() AS in_block`.execute(handle);
  return rows[0]?.in_block === true;
}

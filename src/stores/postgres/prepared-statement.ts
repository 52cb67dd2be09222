import {
  createQueryId,
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type Compilable,
  type CompiledQuery,
  type QueryResult,
  type RawBuilder,
} from 'kysely';
import type { Database } from './database.js';
import type { PostgresHandle } from './postgres-repository.js';

/** A value of a prepared statement that each execution supplies. */
class Slot {
  constructor(readonly name: string) {}
}

/**
 * A placeholder for a value of a {@link PreparedStatement}, typed as the value it stands for
 * so the query builder checks the statement as usual.
 *
 * @example
 * ```ts
 * const byId = prepareStatement((db) => db.selectFrom('transactions').selectAll().where('transaction_id', '=', slot<string>('id')));
 * ```
 */
export function slot<T = any>(name: string): T {
  return new Slot(name) as unknown as T;
}

/**
 * A statement built and compiled once, executed with new values: building and compiling a
 * Kysely query was a large share of a short repository call. The SQL is the same as the one
 * the builder would produce on each call.
 */
export interface PreparedStatement<R> {
  /** Runs the statement on `handle` (the caller's transaction or the pool) with `values` for its slots. */
  execute(handle: PostgresHandle, values: Readonly<Record<string, unknown>>): Promise<QueryResult<R>>;
}

/** A Kysely that only compiles (PostgreSQL SQL): statements are built on it, never run. */
const compiler = new Kysely<Database>({
  dialect: {
    createAdapter: () => new PostgresAdapter(),
    createDriver: () => new DummyDriver(),
    createIntrospector: (db) => new PostgresIntrospector(db),
    createQueryCompiler: () => new PostgresQueryCompiler(),
  },
});

/**
 * Prepares the statement `build` makes with {@link slot}s for its per-call values; it is
 * built and compiled on the first execution. A value that is not a slot stays a constant.
 *
 * @example
 * ```ts
 * const { rows } = await byId.execute(ctx?.pg ?? db, { id: transactionId });
 * ```
 */
export function prepareStatement<R>(build: (db: Kysely<Database>) => Compilable<R> | RawBuilder<R>): PreparedStatement<R> {
  let compiled: CompiledQuery<R> | undefined;
  let sources: readonly (string | { readonly value: unknown })[] = [];
  return {
    execute(handle, values) {
      if (!compiled) {
        // A raw `sql` statement compiles against an executor provider; a query builder needs none.
        compiled = build(compiler).compile(compiler);
        sources = compiled.parameters.map((p) => (p instanceof Slot ? p.name : { value: p }));
      }
      const parameters = sources.map((source) => {
        if (typeof source !== 'string') return source.value;
        const value = values[source];
        if (value === undefined) throw new TypeError(`No value for the statement's slot ${source}`);
        return value;
      });
      return handle.executeQuery<R>({ ...compiled, parameters, queryId: createQueryId() });
    },
  };
}

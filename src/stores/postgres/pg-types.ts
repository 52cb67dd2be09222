import type { PostgresPool } from 'kysely';
import pg from 'pg';

const DATE_OID = 1082;
const DATE_ARRAY_OID = 1182;
const NUMERIC_OID = 1700;

const identity = (value: string) => value;

/**
 * Type parsing for the SDK's own pools only (never `pg.types.setTypeParser`, which would
 * change the host app's parsing): `DATE` stays a `YYYY-MM-DD` string instead of a Date at
 * local midnight, and `NUMERIC` stays an exact decimal string.
 */
export const nexfitPgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === DATE_OID || oid === NUMERIC_OID) return identity;
    if (oid === DATE_ARRAY_OID) return pg.types.getTypeParser(1009 /* text[] */ as Parameters<typeof pg.types.getTypeParser>[0], format ?? 'text');
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * A `pg.Pool` configured with {@link nexfitPgTypes}. An idle client the server disconnects
 * (a restart, `pg_terminate_backend`, an embedded server stopping) makes the pool emit
 * `error`, which would crash the process without a listener: the pool drops that client by
 * itself, so the error only goes to `onIdleError`.
 */
export function createNexfitPgPool(config: pg.PoolConfig, onIdleError: (error: Error) => void = () => {}): pg.Pool {
  const pool = new pg.Pool({ ...config, types: nexfitPgTypes });
  pool.on('error', onIdleError);
  return pool;
}

/**
 * Lends a host app's own `pg.Pool` to the SDK with the SDK's type parsing applied per query
 * (`{ text, values, types }`), leaving the host's pool and every other query on it untouched.
 * `end()` is a no-op: the host owns the pool.
 */
export function lendHostPool(pool: pg.Pool): PostgresPool {
  return {
    async connect() {
      const client = await pool.connect();
      const query = (text: unknown, values?: readonly unknown[]) => {
        if (typeof text === 'string') return client.query({ text, values: values ? [...values] : [], types: nexfitPgTypes });
        return (client.query as (arg: unknown) => unknown)(text);
      };
      return { query, release: (destroy?: boolean) => client.release(destroy) } as unknown as Awaited<ReturnType<PostgresPool['connect']>>;
    },
    async end() {},
  };
}

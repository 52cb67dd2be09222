import type { PostgresPool } from 'kysely';
import pg from 'pg';

const DATE_OID = 1082;
const DATE_ARRAY_OID = 1182;
const NUMERIC_OID = 1700;
const TIMESTAMPTZ_OID = 1184;

/**
 * The microseconds (six digits) of `TIMESTAMPTZ` values parsed by the SDK's pools whose text
 * is finer than the millisecond a `Date` holds. Keyed by the parsed `Date`, so a keyset
 * cursor made from a row still names the exact instant (a truncated one would make the next
 * page skip rows of the same millisecond), without a cursor column computed in SQL.
 */
const subMillisecondFractions = new WeakMap<Date, string>();

const parseTimestamptz = pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text') as (text: string) => unknown;

function timestamptzOf(text: string): unknown {
  const value = parseTimestamptz(text);
  if (!(value instanceof Date)) return value;
  // `2026-03-01 09:00:00.123456+03`: the fraction follows the seconds, at index 19 for a
  // four-digit year. Up to three digits the Date is exact and nothing is kept (the usual
  // case: the SDK writes times from a JS clock), so most values cost two character reads.
  const dot = text.charCodeAt(19) === 46 ? 19 : text.indexOf('.', 19);
  if (dot < 0 || !isDigit(text.charCodeAt(dot + 4))) return value;
  let micros = '';
  for (let i = dot + 1; i <= dot + 6 && isDigit(text.charCodeAt(i)); i++) micros += text[i];
  micros = micros.padEnd(6, '0');
  if (!micros.endsWith('000')) subMillisecondFractions.set(value, micros);
  return value;
}

const isDigit = (code: number) => code >= 48 && code <= 57;

/**
 * The exact UTC text (`YYYY-MM-DDTHH:MM:SS.ffffffZ`, microseconds) of a `TIMESTAMPTZ` value
 * read through the SDK's pools; a `Date` the SDK did not parse is taken as exact to the millisecond.
 *
 * @example
 * ```ts
 * exactInstantText(row.created_at) // '2026-03-01T06:00:00.123456Z'
 * ```
 */
export function exactInstantText(value: Date): string {
  const iso = value.toISOString();
  const micros = subMillisecondFractions.get(value) ?? `${iso.slice(20, 23)}000`;
  return `${iso.slice(0, 19)}.${micros}Z`;
}

const identity = (value: string) => value;

/**
 * Type parsing for the SDK's own pools only (never `pg.types.setTypeParser`, which would
 * change the host app's parsing): `DATE` stays a `YYYY-MM-DD` string instead of a Date at
 * local midnight, `NUMERIC` stays an exact decimal string, and a `TIMESTAMPTZ` finer than a
 * millisecond keeps its microseconds on the side ({@link exactInstantText}).
 */
export const nexfitPgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === DATE_OID || oid === NUMERIC_OID) return identity;
    if (oid === TIMESTAMPTZ_OID && (format ?? 'text') === 'text') return timestamptzOf;
    if (oid === DATE_ARRAY_OID) return pg.types.getTypeParser(1009 /* text[] */ as Parameters<typeof pg.types.getTypeParser>[0], format ?? 'text');
    return pg.types.getTypeParser(oid, format ?? 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * A `pg.Pool` configured with {@link nexfitPgTypes}. An idle client the server disconnects
 * (a restart, `pg_terminate_backend`, an embedded server stopping) makes the pool emit
 * `error`, which would crash the process without a listener: the pool drops that client by
 * itself, so the error only goes to `onIdleError`. A client that is checked out (a unit of
 * work holding its transaction while MongoDB works) emits `error` on itself instead, where
 * the pool listens no more: {@link keepClientErrors} catches it, and the unit's next
 * statement fails on the closed connection and rolls the unit back.
 */
export function createNexfitPgPool(config: pg.PoolConfig, onIdleError: (error: Error) => void = () => {}): pg.Pool {
  const pool = new pg.Pool({ ...config, types: nexfitPgTypes });
  pool.on('error', onIdleError);
  pool.on('connect', keepClientErrors);
  return pool;
}

/** Nothing to do: the error is the connection's end, which the client's next query reports. */
const ignoreClientError = () => {};

/**
 * Gives a pool's client a lasting `error` listener: `pg` emits a lost connection on a client
 * that has no query running, and an `error` event nobody listens to ends the process.
 */
function keepClientErrors(client: pg.PoolClient): void {
  client.on('error', ignoreClientError);
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
      // The host's pool listens to its idle clients only; a lost connection while the SDK holds one must not end the process.
      client.on('error', ignoreClientError);
      const query = (text: unknown, values?: readonly unknown[]) => {
        if (typeof text === 'string') return client.query({ text, values: values ? [...values] : [], types: nexfitPgTypes });
        return (client.query as (arg: unknown) => unknown)(text);
      };
      const release = (destroy?: boolean) => {
        client.removeListener('error', ignoreClientError);
        client.release(destroy);
      };
      return { query, release } as unknown as Awaited<ReturnType<PostgresPool['connect']>>;
    },
    async end() {},
  };
}

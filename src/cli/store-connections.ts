import { MongoClient, type TopologyDescriptionChangedEvent } from 'mongodb';
import type pg from 'pg';
import { ConfigurationError } from '../core/errors.js';
import { createNexfitPgPool } from '../stores/postgres/pg-types.js';

/** How long the command waits for a store before it gives up, unless told otherwise. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;

/** The environment variable that overrides {@link DEFAULT_CONNECT_TIMEOUT_MS} (`--connect-timeout` wins over it). */
export const CONNECT_TIMEOUT_ENV = 'NEXFIT_CONNECT_TIMEOUT_MS';

/** Socket errors that no amount of waiting repairs: nothing listens there, or the name does not resolve. */
const DEFINITIVE_NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

/** A store the command could not connect to: which one, where it tried (no credentials) and the driver's reason. */
export class StoreUnreachableError extends ConfigurationError {
  readonly store: 'mongo' | 'postgres';
  /** `host:port` (several, comma-separated, for a MongoDB seed list), never with credentials. */
  readonly address: string;
  /** The driver's reason: a socket error code (`ECONNREFUSED`), a server error code or name, or `TIMEOUT`. */
  readonly reason: string;

  constructor(store: 'mongo' | 'postgres', address: string, cause: unknown) {
    const reason = driverReason(cause);
    super(`Could not connect to ${store === 'mongo' ? 'MongoDB' : 'PostgreSQL'} at ${address} (${reason})`, { cause });
    this.store = store;
    this.address = address;
    this.reason = reason;
  }
}

/**
 * Connects a MongoDB client that gives up after `timeoutMs` — and at once when every server
 * of the seed list refuses the connection, rather than retrying until the timeout.
 */
export async function connectMongoQuickly(uri: string, timeoutMs: number): Promise<MongoClient> {
  const address = mongoAddress(uri);
  let client: MongoClient;
  try {
    client = new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  } catch (cause) {
    throw new ConfigurationError(`The MongoDB connection string is malformed: ${redactCredentials(cause instanceof Error ? cause.message : String(cause))}`, { cause });
  }
  let onTopology: ((event: TopologyDescriptionChangedEvent) => void) | undefined;
  const refused = new Promise<never>((_, reject) => {
    onTopology = (event) => {
      const servers = [...event.newDescription.servers.values()];
      if (servers.length > 0 && servers.every((s) => s.type === 'Unknown' && DEFINITIVE_NETWORK_ERRORS.has(driverReason(s.error)))) reject(servers[0]!.error);
    };
    client.on('topologyDescriptionChanged', onTopology);
  });
  try {
    await Promise.race([client.connect(), refused]);
    return client;
  } catch (cause) {
    await client.close().catch(() => {});
    throw new StoreUnreachableError('mongo', address, cause);
  } finally {
    if (onTopology) client.off('topologyDescriptionChanged', onTopology);
  }
}

/** Opens the SDK's PostgreSQL pool, with `timeoutMs` for every new connection, and checks it answers. */
export async function connectPostgresQuickly(connectionString: string, timeoutMs: number): Promise<pg.Pool> {
  const pool = createNexfitPgPool({ connectionString, max: 10, connectionTimeoutMillis: timeoutMs });
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (cause) {
    await pool.end().catch(() => {});
    throw new StoreUnreachableError('postgres', postgresAddress(connectionString), cause);
  }
}

/** The hosts of a MongoDB connection string, `host:port` each, without credentials or options. */
export function mongoAddress(uri: string): string {
  const srv = uri.startsWith('mongodb+srv://');
  const authority = uri.replace(/^[a-z+]+:\/\//i, '').split(/[/?]/)[0] ?? '';
  const hosts = authority.slice(authority.lastIndexOf('@') + 1).split(',').filter(Boolean);
  return hosts.map((h) => (srv || /:\d+$/.test(h) ? h : `${h}:27017`)).join(',') || 'localhost:27017';
}

/** The `host:port` of a PostgreSQL connection string, without credentials or options. */
export function postgresAddress(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    const host = decodeURIComponent(url.hostname) || url.searchParams.get('host') || 'localhost';
    return `${host}:${url.port || url.searchParams.get('port') || '5432'}`;
  } catch {
    return 'an unparseable address';
  }
}

/** Removes the user and password of every URL in `text`. */
export function redactCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/gi, '$1');
}

/** The most specific reason a driver error carries: a socket code, a server code name, or `TIMEOUT`. */
export function driverReason(error: unknown): string {
  const seen = new Set<unknown>();
  const visit = (e: unknown): string | undefined => {
    if (!e || typeof e !== 'object' || seen.has(e)) return undefined;
    seen.add(e);
    const { code, codeName, cause, errors, name } = e as { code?: unknown; codeName?: unknown; cause?: unknown; errors?: unknown; name?: unknown };
    if (typeof code === 'string' && code.length > 0) return code;
    if (typeof codeName === 'string' && codeName.length > 0) return codeName;
    const inner = visit(cause) ?? (Array.isArray(errors) ? errors.map(visit).find(Boolean) : undefined);
    if (inner) return inner;
    const servers = (e as { reason?: { servers?: Map<string, { error?: unknown }> } }).reason?.servers;
    if (servers instanceof Map) for (const server of servers.values()) if (server.error) return visit(server.error);
    if (name === 'MongoServerSelectionError' || /timeout/i.test(String((e as Error).message ?? ''))) return 'TIMEOUT';
    return undefined;
  };
  return visit(error) ?? (error instanceof Error ? error.name : 'UNKNOWN');
}

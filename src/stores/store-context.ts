import type { Kysely, Transaction } from 'kysely';
import type { ClientSession } from 'mongodb';
import type { Database } from './postgres/database.js';

/**
 * The store handles one operation runs on. Every repository method takes it as its last,
 * optional argument and passes it to every driver call, so the same method works alone or
 * inside a unit of work (which supplies a MongoDB session in a transaction and a PostgreSQL
 * transaction). Repositories never open transactions themselves.
 */
export interface StoreContext {
  /** A PostgreSQL handle: the SDK's pool, or a transaction / connection of a unit of work. */
  readonly pg?: Kysely<Database> | Transaction<Database>;
  /** A MongoDB session, usually in a transaction. */
  readonly mongo?: ClientSession;
}

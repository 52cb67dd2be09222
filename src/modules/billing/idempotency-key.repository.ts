import type { Kysely } from 'kysely';
import type { JsonObject } from 'type-fest';
import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import { instantSchema, jsonObjectSchema } from '../../core/schema-primitives.js';
import type { RepositoryDeps } from '../../stores/repository-deps.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { Database } from '../../stores/postgres/database.js';
import { PostgresRepository } from '../../stores/postgres/postgres-repository.js';

const keySchema = z.string().trim().min(8).max(100).regex(/^[\w:.\-/]+$/);
const scopeSchema = z.string().min(1).max(50);

/** A remembered outcome of an idempotent operation. */
export interface IdempotencyRecord {
  readonly key: string;
  readonly scope: string;
  /** `null` while the operation that claimed the key is still in its unit of work. */
  readonly response: JsonObject | null;
  readonly expiresAt: Date;
}

/**
 * `nexfit_idempotency_keys`: the result of an idempotent operation by its key, written in the
 * operation's own unit of work, so the key exists if and only if the operation committed. A
 * second claim of a key waits for the first unit (the primary-key lock) and then fails with
 * `ConflictError('idempotency_key_taken')`; the caller replays the stored result.
 *
 * @example
 * ```ts
 * await keys.claim('purchase:abc', 'purchase-membership', expiresAt, uow.ctx);
 * await keys.complete('purchase:abc', { memberSubscriptionId }, uow.ctx);
 * ```
 */
export class IdempotencyKeyRepository extends PostgresRepository {
  constructor(db: Kysely<Database>, deps: RepositoryDeps) {
    super(db, deps, { entity: 'idempotency key', table: 'nexfit_idempotency_keys' });
  }

  /** The record of `key`, or `null` (expired records are not returned). */
  async find(key: string, ctx?: StoreContext): Promise<IdempotencyRecord | null> {
    return this.run('find', async () => {
      const k = this.parse(keySchema, key);
      const row = await this.dbOf(ctx).selectFrom('nexfit_idempotency_keys').selectAll().where('key', '=', k).where('expires_at', '>', this.deps.clock.now()).executeTakeFirst();
      return row ? { key: row.key, scope: row.scope, response: (row.response as JsonObject | null) ?? null, expiresAt: row.expires_at } : null;
    });
  }

  /** Claims `key` in the caller's transaction; `ConflictError('idempotency_key_taken')` when it exists. */
  async claim(key: string, scope: string, expiresAt: Date, ctx?: StoreContext): Promise<void> {
    return this.run('claim', async () => {
      const values = { key: this.parse(keySchema, key), scope: this.parse(scopeSchema, scope), expires_at: this.parse(instantSchema, expiresAt), response: null };
      // One statement: an expired record no longer protects anything and gives way to the new
      // claim; a live one (or one a concurrent claim has not committed yet: the statement waits
      // for it) leaves nothing returned.
      const claimed = await this.dbOf(ctx)
        .insertInto('nexfit_idempotency_keys')
        .values(values)
        .onConflict((oc) =>
          oc
            .column('key')
            .doUpdateSet({ scope: values.scope, expires_at: values.expires_at, response: null })
            .where('nexfit_idempotency_keys.expires_at', '<=', this.deps.clock.now()),
        )
        .returning('key')
        .executeTakeFirst();
      if (!claimed) throw new ConflictError('idempotency_key_taken', `Idempotency key ${values.key} was used already`, { details: { key: values.key } });
    });
  }

  /** Stores the outcome of the operation that claimed `key`. */
  async complete(key: string, response: JsonObject, ctx?: StoreContext): Promise<void> {
    return this.run('complete', async () => {
      const k = this.parse(keySchema, key);
      const body = this.parse(jsonObjectSchema, response);
      await this.dbOf(ctx).updateTable('nexfit_idempotency_keys').set({ response: JSON.stringify(body) }).where('key', '=', k).execute();
    });
  }

  /** Deletes records that expired before `before`; returns how many (PostgreSQL has no TTL index). */
  async deleteExpired(before: Date, ctx?: StoreContext): Promise<number> {
    return this.run('deleteExpired', async () => {
      const result = await this.dbOf(ctx).deleteFrom('nexfit_idempotency_keys').where('expires_at', '<=', this.parse(instantSchema, before)).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }
}

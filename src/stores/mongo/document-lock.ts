import type { Collection, Db } from 'mongodb';
import { z } from 'zod';
import { observed } from '../../core/observer.js';
import { parseOrThrow } from '../../core/validation.js';
import type { RepositoryDeps } from '../repository-deps.js';
import type { StoreContext } from '../store-context.js';
import { SDK_MONGO_COLLECTIONS } from './collections.js';
import { toNexfitError } from './error-mapping.js';
import { sessionOf } from './mongo-repository.js';

const definition = SDK_MONGO_COLLECTIONS.nexfit_locks;
const keySchema = z.string().min(1).max(200);

interface LockDocument {
  _id: string;
  writes: number;
  updatedAt: Date;
}

/**
 * Lock documents (`nexfit_locks`) for units of work. Snapshot isolation lets two units that
 * each check "no conflicting document exists" and then insert one both pass (write skew):
 * neither sees the other's insert. Writing the same lock document in both makes them
 * conflict instead, so one re-runs after the other committed and its check then sees the
 * other's write. Use one key per thing the check is about (a coach's agenda, a member's
 * week). Outside a transaction a lock serialises nothing.
 *
 * @example
 * ```ts
 * await inUnitOfWork(units, uow, async (u) => {
 *   await locks.lock(`coach-agenda:${coachId}`, u.ctx)
 *   if ((await sessions.findOverlapping({ coachId, start, end }, u.ctx)).length === 0) await sessions.create(input, u.ctx)
 * })
 * ```
 */
export class DocumentLocks {
  readonly #collection: Collection<LockDocument>;
  readonly #deps: RepositoryDeps;

  constructor(db: Db, deps: RepositoryDeps) {
    this.#collection = db.collection<LockDocument>(definition.name);
    this.#deps = deps;
  }

  /** Writes the lock document of `key` in the caller's session (created on first use). */
  async lock(key: string, ctx?: StoreContext): Promise<void> {
    return observed(this.#deps.observer, { store: 'mongo', target: definition.name, operation: 'lock' }, async () => {
      const id = parseOrThrow(keySchema, key, { entity: 'lock', ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
      try {
        await this.#collection.updateOne({ _id: id }, { $inc: { writes: 1 }, $set: { updatedAt: this.#deps.clock.now() } }, { ...sessionOf(ctx), upsert: true });
      } catch (error) {
        throw toNexfitError(error, { entity: 'lock' });
      }
    });
  }
}

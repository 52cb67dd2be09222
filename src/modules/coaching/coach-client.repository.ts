import type { Db } from 'mongodb';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import {
  COACH_CLIENT_STATUSES,
  coachClientSchema,
  coachNoteSchema,
  createCoachClientInputSchema,
  patchCoachClientInputSchema,
  type CoachClient,
} from './coach-client.schema.js';
import { COACH_CLIENTS_COLLECTION } from './coach-client.collection.js';

const definition = COACH_CLIENTS_COLLECTION;

const { coachId: coachIdSchema, clientId: clientIdSchema } = coachClientSchema.shape;
const statusFilterSchema = z.strictObject({ status: z.enum(COACH_CLIENT_STATUSES).optional() });

/** Which relationships of a coach or a client to list. */
export type CoachClientFilter = z.input<typeof statusFilterSchema>;

/** A note on a relationship: `visible` to both sides, or `private` to the coach. */
const newNoteSchema = z.strictObject({ visibility: z.enum(['visible', 'private']), text: coachNoteSchema.shape.text });
export type NewCoachNoteInput = z.input<typeof newNoteSchema>;

const SESSIONS = 'package.sessions';

/**
 * The `coach_clients` collection: coach–client relationships and their session packages.
 * Consuming and returning a package session are single conditional updates, so the balance
 * stays exact (`used + remaining = total`, never negative) however many run at once.
 *
 * @example
 * ```ts
 * const relations = new CoachClientRepository(db, { clock: systemClock, ids: defaultIdGenerator })
 * const relation = await relations.findByPair(coachId, clientId)
 * if (relation) await relations.consumeSession(relation.id) // ConflictError('package_exhausted') at 0
 * ```
 */
export class CoachClientRepository extends MongoRepository<CoachClient, typeof createCoachClientInputSchema, typeof patchCoachClientInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'coach client',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: coachClientSchema,
        idSchema: coachClientSchema.shape.id,
        createSchema: createCoachClientInputSchema,
        patchSchema: patchCoachClientInputSchema,
        codec: createDocumentCodec<CoachClient>(definition.storedSchema),
        derive: definition.derive,
        hiddenFields: definition.hiddenFields,
        encryptedFields: definition.encryptedFields,
      },
      deps,
    );
  }

  /**
   * The open (pending or active) relationship between a coach and a client, or `null`:
   * there is at most one (unique partial index `coachId_clientId_open_unique`); declined and
   * ended ones stay in the history lists.
   */
  async findByPair(coachId: UserId, clientId: UserId, ctx?: StoreContext): Promise<CoachClient | null> {
    return this.run('findByPair', async () =>
      this.findOneWhere({ coachId: this.#ref('coachId', coachIdSchema, coachId), clientId: this.#ref('clientId', clientIdSchema, clientId), isOpen: true }, ctx),
    );
  }

  /** A coach's relationships in creation order, optionally of one status (index `coachId_status`). */
  async listByCoach(coachId: UserId, filter: CoachClientFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<CoachClient>> {
    const { status } = this.parse(statusFilterSchema, filter);
    const query = { coachId: this.#ref('coachId', coachIdSchema, coachId), ...(status ? { 'relationship.status': status } : {}) };
    return this.pageWhere('listByCoach', query, [], page, ctx);
  }

  /** A client's relationships in creation order, optionally of one status (index `clientId_status`). */
  async listByClient(clientId: UserId, filter: CoachClientFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<CoachClient>> {
    const { status } = this.parse(statusFilterSchema, filter);
    const query = { clientId: this.#ref('clientId', clientIdSchema, clientId), ...(status ? { 'relationship.status': status } : {}) };
    return this.pageWhere('listByClient', query, [], page, ctx);
  }

  /**
   * Uses one session of the package: `used + 1`, `remaining - 1`, in a single update that
   * only matches while `remaining > 0`, so concurrent calls never overdraw the package.
   * `ConflictError('package_exhausted')` when no session is left (or there is no package).
   */
  async consumeSession(id: CoachClient['id'], ctx?: StoreContext): Promise<CoachClient> {
    return this.run('consumeSession', async () => {
      const guard = { [`${SESSIONS}.remaining`]: { $gt: 0 } };
      const updated = await this.updateAtomically(id, guard, { $inc: { [`${SESSIONS}.used`]: 1, [`${SESSIONS}.remaining`]: -1 } }, {}, ctx);
      if (updated) return updated;
      throw new ConflictError('package_exhausted', `The package of coach client ${String(id)} has no session left`, { details: { coachClientId: String(id) } });
    });
  }

  /**
   * Gives a consumed session back (a completed session undone): `used - 1`, `remaining + 1`,
   * only while `used > 0`; `ConflictError('no_session_used')` otherwise.
   */
  async returnSession(id: CoachClient['id'], ctx?: StoreContext): Promise<CoachClient> {
    return this.run('returnSession', async () => {
      const guard = { [`${SESSIONS}.used`]: { $gt: 0 } };
      const updated = await this.updateAtomically(id, guard, { $inc: { [`${SESSIONS}.used`]: -1, [`${SESSIONS}.remaining`]: 1 } }, {}, ctx);
      if (updated) return updated;
      throw new ConflictError('no_session_used', `The package of coach client ${String(id)} has no used session to return`, { details: { coachClientId: String(id) } });
    });
  }

  /**
   * Appends a note dated now, `visible` to both sides or `private` to the coach, in one
   * atomic `$push` (concurrent notes are all kept) that bumps `version`.
   */
  async addNote(id: CoachClient['id'], note: NewCoachNoteInput, ctx?: StoreContext): Promise<CoachClient> {
    return this.run('addNote', async () => {
      const { visibility, text } = this.parse(newNoteSchema, note);
      const _id = this.toObjectId(id).toHexString();
      // A private note is stored encrypted; the $push bypasses toStored, so it is sealed here.
      const stored = visibility === 'private' ? this.encryptedValue('notes.private[].text', _id, text) : text;
      const updated = await this.updateAtomically(_id, {}, { $push: { [`notes.${visibility}`]: { text: stored, date: this.deps.clock.now() } } }, {}, ctx);
      // An empty guard never refuses; only a relationship deleted meanwhile gets here.
      if (!updated) throw new NotFoundError(this.config.entity, String(id));
      return updated;
    });
  }

  #ref(path: string, schema: z.ZodType<string, unknown>, value: unknown): unknown {
    return this.config.codec.toStoredValue(path, this.parse(schema, value));
  }
}

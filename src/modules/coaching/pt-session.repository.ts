import type { Db } from 'mongodb';
import { z } from 'zod';
import type { UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { assertTransition } from '../../core/status-transition.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, writeOptionsSchema, type RepositoryDeps, type SafeFilter, type WriteOptions } from '../../stores/mongo/mongo-repository.js';
import { timeRangeCondition, timeRangeSchema, type TimeRangeInput } from '../../stores/mongo/time-range.js';
import type { StoreContext } from '../../stores/store-context.js';
import {
  createPtSessionInputSchema,
  patchPtSessionInputSchema,
  ptSessionSchema,
  type PtSession,
  type PtSessionStatus,
} from './pt-session.schema.js';
import { PT_SESSIONS_COLLECTION } from './pt-session.collection.js';

const definition = PT_SESSIONS_COLLECTION;

const { id: sessionIdSchema, coachId: coachIdSchema, clientId: clientIdSchema, cancellationReason: reasonSchema, cancelledBy: cancelledBySchema } = ptSessionSchema.shape;

const overlapQuerySchema = z
  .strictObject({
    coachId: coachIdSchema.optional(),
    clientId: clientIdSchema.optional(),
    start: instantSchema,
    end: instantSchema,
    excludeId: sessionIdSchema.optional(),
  })
  .refine((q) => q.coachId !== undefined || q.clientId !== undefined, { error: 'Give a coachId, a clientId or both', path: ['coachId'] })
  .refine((q) => q.end.getTime() > q.start.getTime(), { error: M.endAfterStart.en, path: ['end'] });

/**
 * A time slot to check against a coach's and/or a client's scheduled sessions (branded ids).
 *
 * @useDeclaredType
 */
export type OverlapQuery = Readonly<z.output<typeof overlapQuerySchema>>;

const cancelOptionsSchema = writeOptionsSchema.extend({
  at: instantSchema.optional(),
  by: cancelledBySchema,
  reason: reasonSchema,
});
/** Who cancelled, why and when (now by default). */
export type CancelPtSessionOptions = z.input<typeof cancelOptionsSchema>;

/** Only a scheduled session can be completed, cancelled or missed. */
const FROM_SCHEDULED: readonly PtSessionStatus[] = ['scheduled'];
const scheduledRangeSchema = z.strictObject({ from: instantSchema, to: instantSchema }).refine((r) => r.to.getTime() > r.from.getTime(), { error: M.endAfterStart.en, path: ['to'] });
/** The most scheduled sessions one agenda range returns. */
const SCHEDULED_LIMIT = 2_000;
/** The most overlapping sessions one check reports; a valid agenda has none. */
const OVERLAP_LIMIT = 100;

/**
 * The `pt_sessions` collection: a coach's and a client's agendas, conflict detection for a
 * new or moved session, and the status transitions of a session.
 *
 * @example
 * ```ts
 * const sessions = new PtSessionRepository(db, { clock: systemClock, ids: defaultIdGenerator })
 * const clashes = await sessions.findOverlapping({ coachId, clientId, start, end })
 * if (clashes.length === 0) await sessions.create({ coachId, clientId, startTime: start, endTime: end, duration: 60, location: { type: 'online' } })
 * ```
 */
export class PtSessionRepository extends MongoRepository<PtSession, typeof createPtSessionInputSchema, typeof patchPtSessionInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'pt session',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: ptSessionSchema,
        idSchema: sessionIdSchema,
        createSchema: createPtSessionInputSchema,
        patchSchema: patchPtSessionInputSchema,
        codec: createDocumentCodec<PtSession>(definition.storedSchema),
      },
      deps,
    );
  }

  /** A coach's sessions starting in `[from, to)`, earliest first (index `coachId_startTime`). */
  async listByCoach(coachId: UserId, range: TimeRangeInput = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<PtSession>> {
    return this.pageWhere('listByCoach', this.#agenda('coachId', coachIdSchema, coachId, range), [['startTime', 1]], page, ctx);
  }

  /** A client's sessions starting in `[from, to)`, earliest first (index `clientId_startTime`). */
  async listByClient(clientId: UserId, range: TimeRangeInput = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<PtSession>> {
    return this.pageWhere('listByClient', this.#agenda('clientId', clientIdSchema, clientId, range), [['startTime', 1]], page, ctx);
  }

  /**
   * The scheduled sessions of the coach and/or the client whose `[startTime, endTime)`
   * intersects `[start, end)`, earliest first; `excludeId` leaves out the session being
   * moved. Back-to-back sessions (one ends when the next starts) do not overlap.
   */
  async findOverlapping(query: OverlapQuery, ctx?: StoreContext): Promise<PtSession[]> {
    return this.run('findOverlapping', async () => {
      const { coachId, clientId, start, end, excludeId } = this.parse(overlapQuerySchema, query);
      const people: SafeFilter[] = [];
      if (coachId !== undefined) people.push({ coachId: this.config.codec.toStoredValue('coachId', coachId) });
      if (clientId !== undefined) people.push({ clientId: this.config.codec.toStoredValue('clientId', clientId) });
      const filter: SafeFilter = {
        // One branch per person, so each is an index range scan on its own (coachId|clientId, startTime).
        $or: people.map((person) => ({ ...person, startTime: { $lt: end } })),
        endTime: { $gt: start },
        status: 'scheduled' satisfies PtSessionStatus,
        ...(excludeId !== undefined ? { _id: { $ne: this.toObjectId(excludeId) } } : {}),
      };
      return this.findAllWhere(filter, ctx, { sort: { startTime: 1, _id: 1 }, limit: OVERLAP_LIMIT });
    });
  }

  /**
   * The coach's scheduled sessions whose `[startTime, endTime)` intersects `[from, to)`,
   * earliest first (at most 2,000: a month of a full agenda).
   */
  async listScheduledBetween(coachId: UserId, from: Date, to: Date, ctx?: StoreContext): Promise<PtSession[]> {
    return this.run('listScheduledBetween', async () => {
      const coach = this.config.codec.toStoredValue('coachId', this.parse(coachIdSchema, coachId));
      const range = this.parse(scheduledRangeSchema, { from, to });
      const filter: SafeFilter = { coachId: coach, startTime: { $lt: range.to }, endTime: { $gt: range.from }, status: 'scheduled' satisfies PtSessionStatus };
      return this.findAllWhere(filter, ctx, { sort: { startTime: 1, _id: 1 }, limit: SCHEDULED_LIMIT });
    });
  }

  /** Marks a scheduled session completed. */
  async markCompleted(id: PtSession['id'], options: WriteOptions = {}, ctx?: StoreContext): Promise<PtSession> {
    return this.run('markCompleted', async () => this.#transition(id, options, 'completed', {}, ctx));
  }

  /** Cancels a scheduled session, recording when (`at`, now by default), by whom and why. */
  async markCancelled(id: PtSession['id'], options: CancelPtSessionOptions = {}, ctx?: StoreContext): Promise<PtSession> {
    return this.run('markCancelled', async () => {
      const { at, by, reason, expectedVersion } = this.parse(cancelOptionsSchema, options);
      const details = { cancelledAt: at ?? this.deps.clock.now(), ...(by ? { cancelledBy: by } : {}), ...(reason ? { cancellationReason: reason } : {}) };
      return this.#transition(id, expectedVersion === undefined ? {} : { expectedVersion }, 'cancelled', details, ctx);
    });
  }

  /** Records that the client did not come to a scheduled session. */
  async markNoShow(id: PtSession['id'], options: WriteOptions = {}, ctx?: StoreContext): Promise<PtSession> {
    return this.run('markNoShow', async () => this.#transition(id, options, 'no-show', {}, ctx));
  }

  #transition(id: PtSession['id'], options: WriteOptions, next: PtSessionStatus, details: Record<string, unknown>, ctx: StoreContext | undefined): Promise<PtSession> {
    return this.modify(id, options, (current) => {
      assertTransition(this.config.entity, current.id, current.status, FROM_SCHEDULED, next);
      return { status: next, ...details };
    }, ctx);
  }

  #agenda(field: 'coachId' | 'clientId', schema: z.ZodType<string, unknown>, personId: unknown, range: TimeRangeInput): SafeFilter {
    const starts = timeRangeCondition(this.parse(timeRangeSchema, range));
    return { [field]: this.config.codec.toStoredValue(field, this.parse(schema, personId)), ...(starts ? { startTime: starts } : {}) };
  }
}

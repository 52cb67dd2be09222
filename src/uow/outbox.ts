import type { Kysely } from 'kysely';
import type { JsonObject } from 'type-fest';
import type { NexfitEvent, NexfitEventHandler, NexfitEventMap, NexfitEventType } from '../core/domain-events.js';
import type { Database } from '../stores/postgres/database.js';

/** What one relay pass delivered. */
export interface RelayReport {
  readonly delivered: number;
  /** Events a handler threw on; they stay in the outbox for the next pass. */
  readonly failed: number;
}

/**
 * The transactional outbox and its dispatcher. A unit of work writes its events into
 * `nexfit_outbox` in its own PostgreSQL transaction, so an event exists if and only if the
 * unit committed; after the commit they are delivered to the subscribed handlers and marked
 * published. Events of a process that crashed in between are delivered by the next
 * {@link Outbox.relay} (at least once: handlers deduplicate on `event.id`).
 *
 * @example
 * ```ts
 * nexfit.events.on('membership.purchased', async (e) => mailer.welcome(e.payload.userId));
 * await nexfit.events.relay(); // from a scheduler, to deliver what a crash left behind
 * ```
 */
export class Outbox {
  readonly #db: Kysely<Database>;
  readonly #handlers = new Map<NexfitEventType, Set<NexfitEventHandler<never>>>();
  readonly #onError: (error: unknown, event: NexfitEvent) => void;

  constructor(db: Kysely<Database>, onError: (error: unknown, event: NexfitEvent) => void = () => {}) {
    this.#db = db;
    this.#onError = onError;
  }

  /** Subscribes a handler; returns the function that unsubscribes it. */
  on<T extends NexfitEventType>(type: T, handler: NexfitEventHandler<T>): () => void {
    let set = this.#handlers.get(type);
    if (!set) this.#handlers.set(type, (set = new Set()));
    set.add(handler as NexfitEventHandler<never>);
    return () => set.delete(handler as NexfitEventHandler<never>);
  }

  /**
   * Writes an event into the outbox inside the caller's transaction; returns its id, and
   * whether it was written as published. An event of a type no handler subscribes to at that
   * moment is: delivering it would only mark it so, and writing the mark with the row spares a
   * statement after the commit. It stays in the outbox (until housekeeping) either way.
   * `undoable: true` (an ordered-mode unit, whose compensation may delete the row) writes it
   * unpublished: deleting an unpublished event withdraws its webhook deliveries.
   */
  async enqueue<T extends NexfitEventType>(db: Kysely<Database>, type: T, payload: NexfitEventMap[T], options: { readonly undoable?: boolean } = {}): Promise<{ readonly eventId: string; readonly published: boolean }> {
    const published = !options.undoable && (this.#handlers.get(type)?.size ?? 0) === 0;
    const row = await db
      .insertInto('nexfit_outbox')
      .values({ type, payload: JSON.stringify(payload as JsonObject), ...(published ? { published_at: new Date() } : {}) })
      .returning('event_id')
      .executeTakeFirstOrThrow();
    return { eventId: row.event_id, published };
  }

  /**
   * Delivers the events a unit of work just committed that were not written as published
   * (see {@link Outbox.enqueue}). When no handler is subscribed to any of their types any
   * more, they are marked published in one statement, which is what {@link Outbox.relay}
   * would do with them (no handler to run), without its four round trips.
   */
  async relayCommitted(events: readonly { readonly eventId: string; readonly type: NexfitEventType }[]): Promise<RelayReport> {
    if (events.length === 0) return { delivered: 0, failed: 0 };
    const eventIds = events.map((e) => e.eventId);
    if (events.some((e) => (this.#handlers.get(e.type)?.size ?? 0) > 0)) return this.relay({ eventIds });
    const claimable = this.#db
      .selectFrom('nexfit_outbox')
      .select('id')
      .where('event_id', 'in', eventIds)
      .where('published_at', 'is', null)
      .forUpdate()
      .skipLocked();
    const result = await this.#db.updateTable('nexfit_outbox').set({ published_at: new Date() }).where('id', 'in', claimable).executeTakeFirst();
    return { delivered: Number(result.numUpdatedRows), failed: 0 };
  }

  /**
   * Delivers unpublished events (all, or the given ids) in outbox order and marks each one
   * published once every handler accepted it. Rows are claimed with `FOR UPDATE SKIP
   * LOCKED`, so concurrent relays never deliver the same event at the same time.
   */
  async relay(options: { readonly eventIds?: readonly string[]; readonly limit?: number } = {}): Promise<RelayReport> {
    if (options.eventIds && options.eventIds.length === 0) return { delivered: 0, failed: 0 };
    let delivered = 0;
    let failed = 0;
    await this.#db.transaction().execute(async (trx) => {
      let query = trx
        .selectFrom('nexfit_outbox')
        .select(['id', 'event_id', 'type', 'payload', 'created_at'])
        .where('published_at', 'is', null)
        .orderBy('id')
        .limit(options.limit ?? 500)
        .forUpdate()
        .skipLocked();
      if (options.eventIds) query = query.where('event_id', 'in', [...options.eventIds]);
      const rows = await query.execute();
      const published: string[] = [];
      for (const row of rows) {
        const event = { id: row.event_id, type: row.type as NexfitEventType, payload: row.payload, occurredAt: row.created_at } as NexfitEvent;
        try {
          for (const handler of this.#handlers.get(event.type) ?? []) await (handler as NexfitEventHandler<NexfitEventType>)(event);
          published.push(row.id);
          delivered++;
        } catch (error) {
          failed++;
          this.#onError(error, event);
        }
      }
      if (published.length) await trx.updateTable('nexfit_outbox').set({ published_at: new Date() }).where('id', 'in', published).execute();
    });
    return { delivered, failed };
  }
}

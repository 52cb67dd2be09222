import type { Db } from 'mongodb';
import type { FacilityId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, sessionOf, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import { BOOKING_STRIKES_COLLECTION, BOOKING_SUSPENSIONS_COLLECTION } from './booking-strike.collection.js';
import {
  bookingStrikeSchema,
  bookingSuspensionSchema,
  createBookingStrikeInputSchema,
  createBookingSuspensionInputSchema,
  patchBookingStrikeInputSchema,
  patchBookingSuspensionInputSchema,
  type BookingStrike,
  type BookingSuspension,
} from './booking-strike.schema.js';

/**
 * The `booking_strikes` collection: a member's strikes at a facility, those not yet used by a
 * suspension, and their removal with the member.
 *
 * @example
 * ```ts
 * const strikes = new BookingStrikeRepository(db, deps)
 * const open = await strikes.listOpenStrikes(userId, facilityId, new Date('2026-02-01T00:00:00Z'))
 * ```
 */
export class BookingStrikeRepository extends MongoRepository<BookingStrike, typeof createBookingStrikeInputSchema, typeof patchBookingStrikeInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    const definition = BOOKING_STRIKES_COLLECTION;
    super(
      db,
      {
        entity: 'booking strike',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: bookingStrikeSchema,
        idSchema: bookingStrikeSchema.shape.id,
        createSchema: createBookingStrikeInputSchema,
        patchSchema: patchBookingStrikeInputSchema,
        codec: createDocumentCodec<BookingStrike>(definition.storedSchema),
      },
      deps,
    );
  }

  /** The member's strikes at the facility since `since` that no suspension has used yet, oldest first. */
  async listOpenStrikes(userId: UserId, facilityId: FacilityId, since: Date, ctx?: StoreContext): Promise<BookingStrike[]> {
    const filter = { ...this.#member(userId, facilityId), at: { $gte: this.parse(instantSchema, since) }, suspensionId: { $exists: false } };
    return this.run('listOpenStrikes', () => this.findAllWhere(filter, ctx, { sort: { at: 1 }, limit: 1_000 }));
  }

  /** Every strike of the user, oldest first, a page at a time. */
  async listByUser(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<BookingStrike>> {
    return this.pageWhere('listByUser', { userId: this.#user(userId) }, [['_id', 1]], page, ctx);
  }

  /** Removes every strike of the user (erasure); returns how many. */
  async deleteAllOfUser(userId: UserId, ctx?: StoreContext): Promise<number> {
    return this.run('deleteAllOfUser', async () => (await this.collection.deleteMany({ userId: this.#user(userId) }, sessionOf(ctx))).deletedCount);
  }

  #member(userId: UserId, facilityId: FacilityId) {
    return { userId: this.#user(userId), facilityId: this.config.codec.toStoredValue('facilityId', this.parse(bookingStrikeSchema.shape.facilityId, facilityId)) };
  }

  #user(userId: unknown) {
    return this.config.codec.toStoredValue('userId', this.parse(bookingStrikeSchema.shape.userId, userId));
  }
}

/**
 * The `booking_suspensions` collection: a member's suspensions at a facility, the latest one,
 * and their removal with the member.
 *
 * @example
 * ```ts
 * const suspensions = new BookingSuspensionRepository(db, deps)
 * const latest = await suspensions.findLatest(userId, facilityId)
 * ```
 */
export class BookingSuspensionRepository extends MongoRepository<BookingSuspension, typeof createBookingSuspensionInputSchema, typeof patchBookingSuspensionInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    const definition = BOOKING_SUSPENSIONS_COLLECTION;
    super(
      db,
      {
        entity: 'booking suspension',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: bookingSuspensionSchema,
        idSchema: bookingSuspensionSchema.shape.id,
        createSchema: createBookingSuspensionInputSchema,
        patchSchema: patchBookingSuspensionInputSchema,
        codec: createDocumentCodec<BookingSuspension>(definition.storedSchema),
      },
      deps,
    );
  }

  /** The member's most recent suspension at the facility (lifted or not), or `null`. */
  async findLatest(userId: UserId, facilityId: FacilityId, ctx?: StoreContext): Promise<BookingSuspension | null> {
    const filter = { userId: this.#user(userId), facilityId: this.config.codec.toStoredValue('facilityId', this.parse(bookingSuspensionSchema.shape.facilityId, facilityId)) };
    return this.run('findLatest', () => this.findOneWhere(filter, ctx, { sort: { from: -1, _id: -1 } }));
  }

  /** Every suspension of the user, oldest first, a page at a time. */
  async listByUser(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<BookingSuspension>> {
    return this.pageWhere('listByUser', { userId: this.#user(userId) }, [['_id', 1]], page, ctx);
  }

  /** Removes every suspension of the user (erasure); returns how many. */
  async deleteAllOfUser(userId: UserId, ctx?: StoreContext): Promise<number> {
    return this.run('deleteAllOfUser', async () => (await this.collection.deleteMany({ userId: this.#user(userId) }, sessionOf(ctx))).deletedCount);
  }

  #user(userId: unknown) {
    return this.config.codec.toStoredValue('userId', this.parse(bookingSuspensionSchema.shape.userId, userId));
  }
}

import type { Db } from 'mongodb';
import type { ClassBookingId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, sessionOf, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import { BOOKING_FEES_COLLECTION } from './booking-fee.collection.js';
import { bookingFeeSchema, createBookingFeeInputSchema, patchBookingFeeInputSchema, type BookingFee } from './booking-fee.schema.js';

/**
 * The `booking_fees` collection: the fee of a booking, the fees still to collect, a member's
 * fees, and their removal with the member.
 *
 * @example
 * ```ts
 * const fees = new BookingFeeRepository(db, deps)
 * const fee = await fees.findByBooking(bookingId)
 * ```
 */
export class BookingFeeRepository extends MongoRepository<BookingFee, typeof createBookingFeeInputSchema, typeof patchBookingFeeInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    const definition = BOOKING_FEES_COLLECTION;
    super(
      db,
      {
        entity: 'booking fee',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: bookingFeeSchema,
        idSchema: bookingFeeSchema.shape.id,
        createSchema: createBookingFeeInputSchema,
        patchSchema: patchBookingFeeInputSchema,
        codec: createDocumentCodec<BookingFee>(definition.storedSchema),
      },
      deps,
    );
  }

  /** The fee of the booking, or `null`. */
  async findByBooking(bookingId: ClassBookingId, ctx?: StoreContext): Promise<BookingFee | null> {
    const stored = this.config.codec.toStoredValue('bookingId', this.parse(bookingFeeSchema.shape.bookingId, bookingId));
    return this.run('findByBooking', () => this.findOneWhere({ bookingId: stored }, ctx));
  }

  /** Fees not yet paid nor waived (`pending`, `unpaid`) created by `asOf`, oldest first, a page at a time. */
  async listCollectable(asOf: Date, page?: PageRequest, ctx?: StoreContext): Promise<Page<BookingFee>> {
    const filter = { status: { $in: ['pending', 'unpaid'] }, createdAt: { $lte: this.parse(instantSchema, asOf) } };
    return this.pageWhere('listCollectable', filter, [['_id', 1]], page, ctx);
  }

  /** Every fee of the user, oldest first, a page at a time. */
  async listByUser(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<BookingFee>> {
    return this.pageWhere('listByUser', { userId: this.#user(userId) }, [['_id', 1]], page, ctx);
  }

  /** Removes every fee of the user (erasure; the payments stay, pseudonymised, in PostgreSQL); returns how many. */
  async deleteAllOfUser(userId: UserId, ctx?: StoreContext): Promise<number> {
    return this.run('deleteAllOfUser', async () => (await this.collection.deleteMany({ userId: this.#user(userId) }, sessionOf(ctx))).deletedCount);
  }

  #user(userId: unknown) {
    return this.config.codec.toStoredValue('userId', this.parse(bookingFeeSchema.shape.userId, userId));
  }
}

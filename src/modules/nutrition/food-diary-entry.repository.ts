import type { Db } from 'mongodb';
import type { UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, sessionOf, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import { FOOD_DIARY_ENTRIES_COLLECTION } from './food-diary-entry.collection.js';
import { createFoodDiaryEntryInputSchema, foodDiaryEntrySchema, patchFoodDiaryEntryInputSchema, type FoodDiaryEntry } from './food-diary-entry.schema.js';

const definition = FOOD_DIARY_ENTRIES_COLLECTION;
const userIdSchema = foodDiaryEntrySchema.shape.userId;

/** At most this many entries are read for one window (a day holds a few dozen at most). */
export const MAX_DIARY_ENTRIES_PER_WINDOW = 1_000;

/**
 * The `food_diary_entries` collection: CRUD, a member's entries in a time window in the
 * order eaten, and the member's whole diary newest first — all on the `userId_eatenAt` index.
 *
 * @example
 * ```ts
 * const diary = new FoodDiaryEntryRepository(db, deps)
 * const today = await diary.listForUserBetween(userId, dayStart, dayEnd)
 * ```
 */
export class FoodDiaryEntryRepository extends MongoRepository<FoodDiaryEntry, typeof createFoodDiaryEntryInputSchema, typeof patchFoodDiaryEntryInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'food diary entry',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: foodDiaryEntrySchema,
        idSchema: foodDiaryEntrySchema.shape.id,
        createSchema: createFoodDiaryEntryInputSchema,
        patchSchema: patchFoodDiaryEntryInputSchema,
        codec: createDocumentCodec<FoodDiaryEntry>(definition.storedSchema),
      },
      deps,
    );
  }

  /** The member's entries eaten in `[from, to)`, in the order eaten (at most {@link MAX_DIARY_ENTRIES_PER_WINDOW}). */
  async listForUserBetween(userId: UserId, from: Date | string, to: Date | string, ctx?: StoreContext): Promise<FoodDiaryEntry[]> {
    return this.run('listForUserBetween', async () => {
      const start = this.parse(instantSchema, from);
      const end = this.parse(instantSchema, to);
      return this.findAllWhere({ userId: this.#user(userId), eatenAt: { $gte: start, $lt: end } }, ctx, { sort: { eatenAt: 1, _id: 1 }, limit: MAX_DIARY_ENTRIES_PER_WINDOW });
    });
  }

  /** The member's whole diary, newest first. */
  async listByUser(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<FoodDiaryEntry>> {
    return this.pageWhere('listByUser', { userId: this.#user(userId) }, [['eatenAt', -1]], page, ctx);
  }

  /** Deletes every entry of the member in one statement (erasure); returns how many there were. */
  async deleteAllOfUser(userId: UserId, ctx?: StoreContext): Promise<number> {
    return this.run('deleteAllOfUser', async () => (await this.collection.deleteMany({ userId: this.#user(userId) }, sessionOf(ctx))).deletedCount);
  }

  #user(userId: unknown) {
    return this.config.codec.toStoredValue('userId', this.parse(userIdSchema, userId));
  }
}

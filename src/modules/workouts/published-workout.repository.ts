import { z } from 'zod';
import { ConcurrencyError, NotFoundError } from '../../core/errors.js';
import { idSchema, type UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { ratingSchema } from '../../core/schema-primitives.js';
import { MongoRepository, sessionOf, type EntityBase } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import { EMPTY_REVIEWS, reviewsSchema, type Reviews } from './reviews.schema.js';

const authorIdSchema = idSchema('UserId');
const writeOptionsSchema = z.strictObject({ expectedVersion: z.number().int().min(1).optional() });

/** What templates and programmes share: an author, a public flag and a ratings aggregate. */
export interface PublishedWorkout extends EntityBase {
  readonly createdBy: UserId;
  readonly isPublic: boolean;
  readonly reviews: Reviews;
}

/**
 * The part of the template and programme repositories that is the same for both: new
 * entities start with no reviews, an author's list, the public list by rating (both on the
 * collection's indexes), and the ratings aggregate the reviews service maintains.
 *
 * @example
 * ```ts
 * class WorkoutTemplateRepository extends PublishedWorkoutRepository<WorkoutTemplate, typeof createSchema, typeof patchSchema> {}
 * ```
 */
export abstract class PublishedWorkoutRepository<E extends PublishedWorkout, CreateSchema extends z.ZodType, PatchSchema extends z.ZodType> extends MongoRepository<
  E,
  CreateSchema,
  PatchSchema
> {
  /** The author's entities, newest first (index `createdBy`). */
  async listByAuthor(createdBy: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<E>> {
    const author = this.config.codec.toStoredValue('createdBy', this.parse(authorIdSchema, createdBy));
    return this.pageWhere('listByAuthor', { createdBy: author }, [['_id', -1]], page, ctx);
  }

  /** Public entities, best rated first (index `isPublic + reviews.averageRating`). */
  async listPublic(page?: PageRequest, ctx?: StoreContext): Promise<Page<E>> {
    return this.pageWhere('listPublic', { isPublic: true }, [['reviews.averageRating', -1]], page, ctx);
  }

  /**
   * Replaces the ratings aggregate (for the reviews service); bumps `version`.
   * `ConcurrencyError` on a stale `expectedVersion`.
   */
  async setReviews(id: E['id'], reviews: Reviews, options: { readonly expectedVersion?: number } = {}, ctx?: StoreContext): Promise<E> {
    return this.run('setReviews', async () => {
      const parsed = this.parse(reviewsSchema, reviews);
      const { expectedVersion } = this.parse(writeOptionsSchema, options);
      const current = await this.getById(id, ctx);
      if (expectedVersion !== undefined && expectedVersion !== current.version) throw new ConcurrencyError(this.config.entity, current.id);
      return this.replaceWith(current, { reviews: parsed }, ctx);
    });
  }

  /**
   * Adds one rating (1-5) to the aggregate in a single atomic pipeline update, so concurrent
   * reviews never lose one: the stored sum is recovered exactly as `round(average × count)`
   * (ratings are integers), the rating added, and the average recomputed from sum and count.
   * Bumps `version`; `NotFoundError` when there is no such entity.
   */
  async addRating(id: E['id'], rating: number, ctx?: StoreContext): Promise<E> {
    return this.run('addRating', async () => {
      const _id = this.toObjectId(id);
      const r = this.parse(ratingSchema, rating);
      const count = { $add: ['$reviews.count', 1] };
      const sum = { $add: [{ $round: [{ $multiply: ['$reviews.averageRating', '$reviews.count'] }, 0] }, r] };
      const doc = await this.collection.findOneAndUpdate(
        { _id },
        [{ $set: { 'reviews.averageRating': { $divide: [sum, count] }, 'reviews.count': count, version: { $add: ['$version', 1] }, updatedAt: this.deps.clock.now() } }],
        { ...sessionOf(ctx), returnDocument: 'after' },
      );
      if (!doc) throw new NotFoundError(this.config.entity, _id.toHexString());
      return this.fromStored(doc);
    });
  }

  protected override buildNew(parsed: Record<string, unknown>): E {
    return super.buildNew({ ...parsed, reviews: EMPTY_REVIEWS });
  }
}

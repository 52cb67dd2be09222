import { z } from 'zod';
import { averageRatingSchema, countSchema } from '../../core/schema-primitives.js';

/**
 * The ratings aggregate of a template or a programme: maintained by the ratings service,
 * never part of a create or patch input.
 *
 * @example
 * ```ts
 * const none: Reviews = EMPTY_REVIEWS // { averageRating: 0, count: 0 }
 * ```
 */
export const reviewsSchema = z.strictObject({
  averageRating: averageRatingSchema,
  count: countSchema,
});
/** The rating aggregate of a published template or programme: average and count. */
export type Reviews = z.output<typeof reviewsSchema>;

/** The rating aggregate of a template or programme nobody has rated yet. */
export const EMPTY_REVIEWS: Reviews = Object.freeze({ averageRating: 0, count: 0 });

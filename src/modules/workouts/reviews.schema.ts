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
export type Reviews = z.output<typeof reviewsSchema>;

export const EMPTY_REVIEWS: Reviews = Object.freeze({ averageRating: 0, count: 0 });

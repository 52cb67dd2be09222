import { z } from 'zod';
import { countSchema, quantitySchema } from '../../core/schema-primitives.js';

/**
 * One set of an exercise, planned (in a template) or done (in a log). Weight in kilograms,
 * distance in metres, duration and rest in seconds; each part is optional because a plank
 * has no reps and a run has no weight.
 *
 * @example
 * ```ts
 * workoutSetSchema.parse({ reps: 10, weight: 60, restTime: 90 })
 * ```
 */
export const workoutSetSchema = z.strictObject({
  reps: countSchema.max(10_000).optional(),
  weight: quantitySchema.max(2_000).describe('Kilograms').optional(),
  duration: countSchema.max(86_400).describe('Seconds').optional(),
  distance: quantitySchema.max(1_000_000).describe('Metres').optional(),
  restTime: countSchema.max(86_400).describe('Seconds').optional(),
});

/** A set as logged: the planned parts plus whether it was completed. */
export const loggedWorkoutSetSchema = z.strictObject({
  ...workoutSetSchema.shape,
  completed: z.boolean(),
});

/** One planned set of an exercise: reps, weight, duration or distance, and rest. */
export type WorkoutSet = z.output<typeof workoutSetSchema>;
/** One set as performed, with whether it was completed. */
export type LoggedWorkoutSet = z.output<typeof loggedWorkoutSetSchema>;

import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { boundedArray, countSchema, geoPointSchema, instantSchema, longTextSchema, quantitySchema, ratingSchema, urlSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import { loggedWorkoutSetInputSchema, loggedWorkoutSetSchema } from './workout-set.schema.js';

/**
 * Completed workouts (seed: `workout_logs`). `duration` (minutes) and `caloriesBurned`
 * are derived by the service; `location` is a GeoJSON point `[longitude, latitude]` (seed).
 *
 * @example
 * ```ts
 * createWorkoutLogInputSchema.parse({ userId, startTime: '2026-03-01T07:00:00Z', endTime: '2026-03-01T08:00:00Z', exercises: [{ exerciseId, sets: [{ reps: 10, weight: 60, completed: true }] }] })
 * ```
 */
const beatsPerMinute = z.number().int().min(20).max(260);

/** Heart-rate readings of a workout in beats per minute: minimum, average and maximum, in that order. */
export const heartRateSchema = z
  .strictObject({ average: beatsPerMinute, max: beatsPerMinute, min: beatsPerMinute })
  .refine((h) => h.min <= h.average && h.average <= h.max, { error: M.heartRateOrder.en });

const loggedExerciseShape = {
  exerciseId: idSchema('ExerciseId'),
  sets: boundedArray(loggedWorkoutSetSchema, 100),
  notes: longTextSchema.optional(),
};

/** One exercise of a logged workout with the sets performed. */
export const loggedExerciseSchema = z.strictObject(loggedExerciseShape);

/** One logged exercise as a caller gives it: its sets may carry loads and distances in their unit. */
export const loggedExerciseInputSchema = z.strictObject({ ...loggedExerciseShape, sets: boundedArray(loggedWorkoutSetInputSchema, 100) });

/** How the workout felt: a rating, perceived exertion (1–10) and notes. */
export const workoutFeedbackSchema = z.strictObject({
  rating: ratingSchema.optional(),
  difficulty: z.number().int().min(1).max(10).describe('Perceived exertion, 1 (very easy) to 10 (maximal)').optional(),
  notes: longTextSchema.optional(),
});

const workoutLogFields = {
  userId: idSchema('UserId'),
  workoutTemplateId: idSchema('WorkoutTemplateId').optional(),
  startTime: instantSchema,
  endTime: instantSchema.optional(),
  duration: countSchema.max(7 * 24 * 60).describe('Minutes').optional(),
  caloriesBurned: quantitySchema.max(50_000).describe('kcal').optional(),
  exercises: boundedArray(loggedExerciseSchema, 100),
  feedback: workoutFeedbackSchema.optional(),
  biometrics: z.strictObject({ heartRate: heartRateSchema.optional() }).optional(),
  location: geoPointSchema.optional(),
  photos: boundedArray(urlSchema, 20),
  notes: longTextSchema.optional(),
};

const exercisesInputSchema = boundedArray(loggedExerciseInputSchema, 100);

function endsAfterStart(log: { startTime: Date; endTime?: Date | undefined }): boolean {
  return log.endTime === undefined || log.endTime.getTime() > log.startTime.getTime();
}
const endRule = { error: M.endAfterStart.en, path: ['endTime'] };

/** A workout log as the SDK returns it; its TypeScript type is inferred from this schema. */
export const workoutLogSchema = z.strictObject({ ...entityFields('WorkoutLogId'), ...workoutLogFields }).refine(endsAfterStart, endRule);
/** A stored `workout_logs` document: the workout log with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedWorkoutLogSchema = workoutLogSchema;

/** Validates the input that creates a workout log; fills its defaults. */
export const createWorkoutLogInputSchema = z
  .strictObject({ ...workoutLogFields, exercises: exercisesInputSchema.default([]), photos: workoutLogFields.photos.default([]) })
  .refine(endsAfterStart, endRule);

/** The owner and the template a log was started from never change. */
export const patchWorkoutLogInputSchema = patchSchemaOf({
  ...pickFields(workoutLogFields, ['startTime', 'endTime', 'duration', 'caloriesBurned', 'feedback', 'biometrics', 'location', 'photos', 'notes']),
  exercises: exercisesInputSchema,
});

/** One exercise of a logged workout with the sets performed. */
export type LoggedExercise = z.output<typeof loggedExerciseSchema>;
/** A workout log as the SDK returns it. */
export type WorkoutLog = z.output<typeof workoutLogSchema>;
/** A stored `workout_logs` document (see `storedWorkoutLogSchema`). */
export type StoredWorkoutLog = WorkoutLog;
/** What a caller passes to create a workout log (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateWorkoutLogInput = z.input<typeof createWorkoutLogInputSchema>;
/** A parsed create input of a workout log: normalised, branded ids, defaults filled. */
export type CreateWorkoutLogData = z.output<typeof createWorkoutLogInputSchema>;
/** What a caller passes to update a workout log: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchWorkoutLogInput = z.input<typeof patchWorkoutLogInputSchema>;
/** A parsed update of a workout log. */
export type PatchWorkoutLogData = z.output<typeof patchWorkoutLogInputSchema>;

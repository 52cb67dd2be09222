import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { boundedArray, countSchema, geoPointSchema, instantSchema, longTextSchema, quantitySchema, ratingSchema, urlSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import { loggedWorkoutSetSchema } from './workout-set.schema.js';

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

export const heartRateSchema = z
  .strictObject({ average: beatsPerMinute, max: beatsPerMinute, min: beatsPerMinute })
  .refine((h) => h.min <= h.average && h.average <= h.max, { error: M.heartRateOrder.en });

export const loggedExerciseSchema = z.strictObject({
  exerciseId: idSchema('ExerciseId'),
  sets: boundedArray(loggedWorkoutSetSchema, 100),
  notes: longTextSchema.optional(),
});

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

function endsAfterStart(log: { startTime: Date; endTime?: Date | undefined }): boolean {
  return log.endTime === undefined || log.endTime.getTime() > log.startTime.getTime();
}
const endRule = { error: M.endAfterStart.en, path: ['endTime'] };

export const workoutLogSchema = z.strictObject({ ...entityFields('WorkoutLogId'), ...workoutLogFields }).refine(endsAfterStart, endRule);
export const storedWorkoutLogSchema = workoutLogSchema;

export const createWorkoutLogInputSchema = z
  .strictObject({ ...workoutLogFields, exercises: workoutLogFields.exercises.default([]), photos: workoutLogFields.photos.default([]) })
  .refine(endsAfterStart, endRule);

/** The owner and the template a log was started from never change. */
export const patchWorkoutLogInputSchema = patchSchemaOf(
  pickFields(workoutLogFields, ['startTime', 'endTime', 'duration', 'caloriesBurned', 'exercises', 'feedback', 'biometrics', 'location', 'photos', 'notes']),
);

export type LoggedExercise = z.output<typeof loggedExerciseSchema>;
export type WorkoutLog = z.output<typeof workoutLogSchema>;
export type StoredWorkoutLog = WorkoutLog;
export type CreateWorkoutLogInput = z.input<typeof createWorkoutLogInputSchema>;
export type CreateWorkoutLogData = z.output<typeof createWorkoutLogInputSchema>;
export type PatchWorkoutLogInput = z.input<typeof patchWorkoutLogInputSchema>;
export type PatchWorkoutLogData = z.output<typeof patchWorkoutLogInputSchema>;

import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { BODY_AREAS, DIFFICULTY_LEVELS } from '../../core/fitness-vocabulary.js';
import { idSchema } from '../../core/ids.js';
import {
  boundedArray,
  countSchema,
  labelListSchema,
  labelSchema,
  longTextSchema,
  nameSchema,
  positiveIntSchema,
  quantitySchema,
  uniqueArray,
  urlSchema,
} from '../../core/schema-primitives.js';
import { reviewsSchema } from './reviews.schema.js';
import { workoutSetInputSchema, workoutSetSchema } from './workout-set.schema.js';

/**
 * Workout templates (seed: `workout_templates`): an ordered list of catalogue exercises
 * with default sets. `reviews` is maintained by the ratings service.
 *
 * @example
 * ```ts
 * createWorkoutTemplateInputSchema.parse({ name: 'Push day', createdBy, metadata: { difficulty: 'beginner' }, exercises: [{ exerciseId, order: 1, defaultSets: [{ reps: 10 }] }] })
 * ```
 */
export const workoutTemplateMetadataSchema = z.strictObject({
  targetGoal: labelSchema.optional(),
  difficulty: z.enum(DIFFICULTY_LEVELS),
  estimatedDuration: countSchema.max(24 * 60).describe('Minutes').optional(),
  estimatedCalories: quantitySchema.max(20_000).describe('kcal').optional(),
  targetBodyAreas: uniqueArray(z.enum(BODY_AREAS), BODY_AREAS.length).default([]),
  tags: labelListSchema.default([]),
});

const templateExerciseShape = {
  exerciseId: idSchema('ExerciseId'),
  order: positiveIntSchema.max(1_000),
  /** Exercises sharing a label (`'A'`) form a superset: done back to back, rest after the last. */
  supersetGroup: labelSchema.describe('Superset label shared by exercises done back to back').optional(),
  defaultSets: boundedArray(workoutSetSchema, 50),
  notes: longTextSchema.optional(),
};

/** One exercise of a workout template: its order, superset group and default sets. */
export const templateExerciseSchema = z.strictObject(templateExerciseShape);

/** One exercise of a template as a caller gives it: its sets may carry loads in their unit (`weightIn`). */
export const templateExerciseInputSchema = z.strictObject({ ...templateExerciseShape, defaultSets: boundedArray(workoutSetInputSchema, 50) });

const workoutTemplateFields = {
  name: nameSchema,
  description: longTextSchema.optional(),
  imageUrl: urlSchema.optional(),
  createdBy: idSchema('UserId'),
  isPublic: z.boolean(),
  metadata: workoutTemplateMetadataSchema,
  exercises: uniqueArray(templateExerciseSchema, 100, (e) => e.order).min(1),
};

/** A workout template as the SDK returns it; its TypeScript type is inferred from this schema. */
export const workoutTemplateSchema = z.strictObject({
  ...entityFields('WorkoutTemplateId'),
  ...workoutTemplateFields,
  reviews: reviewsSchema,
});
/** A stored `workout_templates` document: the workout template with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedWorkoutTemplateSchema = workoutTemplateSchema;

const exercisesInputSchema = uniqueArray(templateExerciseInputSchema, 100, (e) => e.order).min(1);

/** `reviews` starts empty and is not an input. */
export const createWorkoutTemplateInputSchema = z.strictObject({
  ...workoutTemplateFields,
  isPublic: workoutTemplateFields.isPublic.default(false),
  exercises: exercisesInputSchema,
});

/** Validates a partial update of a workout template: every field optional, `null` clears an optional one. */
export const patchWorkoutTemplateInputSchema = patchSchemaOf({
  ...pickFields(workoutTemplateFields, ['name', 'description', 'imageUrl', 'isPublic', 'metadata']),
  exercises: exercisesInputSchema,
});

/** One exercise of a workout template. */
export type TemplateExercise = z.output<typeof templateExerciseSchema>;
/** A workout template as the SDK returns it. */
export type WorkoutTemplate = z.output<typeof workoutTemplateSchema>;
/** A stored `workout_templates` document (see `storedWorkoutTemplateSchema`). */
export type StoredWorkoutTemplate = WorkoutTemplate;
/** What a caller passes to create a workout template (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateWorkoutTemplateInput = z.input<typeof createWorkoutTemplateInputSchema>;
/** A parsed create input of a workout template: normalised, branded ids, defaults filled. */
export type CreateWorkoutTemplateData = z.output<typeof createWorkoutTemplateInputSchema>;
/** What a caller passes to update a workout template: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchWorkoutTemplateInput = z.input<typeof patchWorkoutTemplateInputSchema>;
/** A parsed update of a workout template. */
export type PatchWorkoutTemplateData = z.output<typeof patchWorkoutTemplateInputSchema>;

import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { BODY_AREAS, DIFFICULTY_LEVELS } from '../../core/fitness-vocabulary.js';
import { idSchema } from '../../core/ids.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import { foldSearchText } from '../../core/search-text.js';
import {
  boundedArray,
  countSchema,
  labelListSchema,
  labelSchema,
  longTextSchema,
  nameSchema,
  optionalText,
  quantitySchema,
  requiredText,
  uniqueArray,
  urlSchema,
} from '../../core/schema-primitives.js';

/**
 * The exercise catalogue (seed: `exercises`): instructions, media, searchable metadata and
 * alternates. The stored document adds `searchName`, the Turkish-aware folded name that
 * backs case- and diacritic-insensitive search.
 *
 * @example
 * ```ts
 * createExerciseInputSchema.parse({ name: 'Şınav', metadata: { bodyAreas: ['chest'], type: 'strength', difficultyLevel: 'beginner' } })
 * ```
 */
export const EXERCISE_TYPES = ['strength', 'cardio', 'flexibility', 'balance', 'plyometric', 'mobility', 'endurance'] as const;
/** The kind of an exercise (strength, cardio, …). */
export type ExerciseType = (typeof EXERCISE_TYPES)[number];

/** A video, images and a thumbnail that show how an exercise is done. */
export const exerciseMediaSchema = z.strictObject({
  videoUrl: urlSchema.optional(),
  imageUrls: boundedArray(urlSchema, 20).optional(),
  thumbnailUrl: urlSchema.optional(),
});

/**
 * What an exercise works and needs: body areas (the ones it trains mainly), body areas it
 * works secondarily (wger's secondary muscles; never one of `bodyAreas`), type, equipment,
 * difficulty, typical calories and duration, tags.
 */
export const exerciseMetadataSchema = z.strictObject({
  bodyAreas: uniqueArray(z.enum(BODY_AREAS), BODY_AREAS.length),
  secondaryBodyAreas: uniqueArray(z.enum(BODY_AREAS), BODY_AREAS.length).describe('Worked secondarily: half a set each in training statistics').optional(),
  type: z.enum(EXERCISE_TYPES),
  equipment: labelListSchema.default([]),
  difficultyLevel: z.enum(DIFFICULTY_LEVELS),
  calories: quantitySchema.max(5_000).describe('Estimated kcal burned over `duration`').optional(),
  duration: countSchema.max(24 * 60).describe('Typical duration in minutes').optional(),
  tags: labelListSchema.default([]),
}).refine((m) => !m.secondaryBodyAreas?.some((area) => m.bodyAreas.includes(area)), { error: M.secondaryBodyArea.en, path: ['secondaryBodyAreas'] });

const exerciseFields = {
  name: nameSchema,
  description: longTextSchema.optional(),
  instructions: boundedArray(requiredText(1_000), 50),
  media: exerciseMediaSchema,
  metadata: exerciseMetadataSchema,
  /** Absent for the platform's own catalogue entries. */
  createdBy: idSchema('UserId').optional(),
  isPublic: z.boolean(),
  alternateExercises: uniqueArray(idSchema('ExerciseId'), 20),
  /** The outside catalogue an imported exercise comes from (`free-exercise-db`); absent for our own. */
  source: labelSchema.optional(),
  /** The exercise's key in `source`, so a re-import updates instead of duplicating. */
  sourceId: requiredText(200).optional(),
};

/** A exercise as the SDK returns it; its TypeScript type is inferred from this schema. */
export const exerciseSchema = z.strictObject({ ...entityFields('ExerciseId'), ...exerciseFields });

/** Fields only the stored document has. */
export const exerciseDocumentFields = {
  searchName: optionalText(200).describe('foldSearchText(name), kept in step by the repository'),
};
/** A stored `exercises` document: the exercise with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedExerciseSchema = z.strictObject({ ...entityFields('ExerciseId'), ...exerciseFields, ...exerciseDocumentFields });

/** Validates the input that creates a exercise; fills its defaults. */
export const createExerciseInputSchema = z.strictObject({
  ...exerciseFields,
  instructions: exerciseFields.instructions.default([]),
  media: exerciseMediaSchema.default({}),
  isPublic: exerciseFields.isPublic.default(false),
  alternateExercises: exerciseFields.alternateExercises.default([]),
});

/** `createdBy` and the import key (`source`, `sourceId`) never change. */
export const patchExerciseInputSchema = patchSchemaOf(
  pickFields(exerciseFields, ['name', 'description', 'instructions', 'media', 'metadata', 'isPublic', 'alternateExercises']),
);

/** A exercise as the SDK returns it. */
export type Exercise = z.output<typeof exerciseSchema>;
/** A stored `exercises` document (see `storedExerciseSchema`). */
export type StoredExercise = z.output<typeof storedExerciseSchema>;
/** What a caller passes to create a exercise (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateExerciseInput = z.input<typeof createExerciseInputSchema>;
/** A parsed create input of a exercise: normalised, branded ids, defaults filled. */
export type CreateExerciseData = z.output<typeof createExerciseInputSchema>;
/** What a caller passes to update a exercise: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchExerciseInput = z.input<typeof patchExerciseInputSchema>;
/** A parsed update of a exercise. */
export type PatchExerciseData = z.output<typeof patchExerciseInputSchema>;

/** The stored-only fields of an exercise (merged over its encoded document). */
export function exerciseDerivedFields(exercise: Pick<Exercise, 'name'>): { searchName: string } {
  return { searchName: foldSearchText(exercise.name) };
}

/** The stored document of an exercise: adds the folded `searchName`. */
export function exerciseToStored(exercise: Exercise): StoredExercise {
  return { ...exercise, ...exerciseDerivedFields(exercise) };
}

/** The API view of a stored exercise. */
export function exerciseFromStored(stored: StoredExercise): Exercise {
  const { searchName: _derived, ...exercise } = stored;
  return exercise;
}

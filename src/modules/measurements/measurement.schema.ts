import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { boundedArray, instantSchema, longTextSchema, percentageSchema, urlSchema } from '../../core/schema-primitives.js';

/**
 * Body measurements of a user on a date (seed: `measurements`). Weights in kilograms,
 * circumferences in centimetres; one measurement per user per date (unique index).
 *
 * @example
 * ```ts
 * createMeasurementInputSchema.parse({ userId, date: '2026-03-01', measurements: { weight: 72.4, bodyFatPercentage: 18 } })
 * ```
 */
export const MEASUREMENT_PHOTO_POSITIONS = ['front', 'back', 'left', 'right', 'other'] as const;
/** The angle a progress photo was taken from. */
export type MeasurementPhotoPosition = (typeof MEASUREMENT_PHOTO_POSITIONS)[number];

const circumference = z.number().min(0).max(500).describe('Circumference in centimetres');

/** The body metrics of one measurement: weight and muscle mass in kilograms, circumferences in centimetres, body fat in percent. */
export const bodyMeasurementsSchema = z.strictObject({
  weight: z.number().min(2).max(700).describe('Body weight in kilograms').optional(),
  bodyFatPercentage: percentageSchema.optional(),
  muscleMass: z.number().min(0).max(300).describe('Muscle mass in kilograms').optional(),
  chestCircumference: circumference.optional(),
  waistCircumference: circumference.optional(),
  hipCircumference: circumference.optional(),
  armCircumference: circumference.optional(),
  thighCircumference: circumference.optional(),
});

/** A progress photo: its URL, the angle and when it was taken. */
export const measurementPhotoSchema = z.strictObject({
  url: urlSchema,
  position: z.enum(MEASUREMENT_PHOTO_POSITIONS),
  date: instantSchema,
});

const measurementFields = {
  userId: idSchema('UserId'),
  date: instantSchema,
  measurements: bodyMeasurementsSchema,
  photos: boundedArray(measurementPhotoSchema, 20),
  notes: longTextSchema.optional(),
};

/** A measurement as the SDK returns it; its TypeScript type is inferred from this schema. */
export const measurementSchema = z.strictObject({ ...entityFields('MeasurementId'), ...measurementFields });
/** A stored `measurements` document: the measurement with its stored-only fields; the collection's `$jsonSchema` validator is generated from it. */
export const storedMeasurementSchema = measurementSchema;

/** Validates the input that creates a measurement; fills its defaults. */
export const createMeasurementInputSchema = z.strictObject({
  ...measurementFields,
  photos: measurementFields.photos.default([]),
});

/** The owner (`userId`) never changes. */
export const patchMeasurementInputSchema = patchSchemaOf(pickFields(measurementFields, ['date', 'measurements', 'photos', 'notes']));

/** The body metrics of one measurement (see {@link bodyMeasurementsSchema}). */
export type BodyMeasurements = z.output<typeof bodyMeasurementsSchema>;
/** A measurement as the SDK returns it. */
export type Measurement = z.output<typeof measurementSchema>;
/** A stored `measurements` document (see `storedMeasurementSchema`). */
export type StoredMeasurement = Measurement;
/** What a caller passes to create a measurement (ids as strings, dates as `Date` or ISO strings, defaults optional). */
export type CreateMeasurementInput = z.input<typeof createMeasurementInputSchema>;
/** A parsed create input of a measurement: normalised, branded ids, defaults filled. */
export type CreateMeasurementData = z.output<typeof createMeasurementInputSchema>;
/** What a caller passes to update a measurement: any subset of its changeable fields, `null` to clear an optional one. */
export type PatchMeasurementInput = z.input<typeof patchMeasurementInputSchema>;
/** A parsed update of a measurement. */
export type PatchMeasurementData = z.output<typeof patchMeasurementInputSchema>;

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
export type MeasurementPhotoPosition = (typeof MEASUREMENT_PHOTO_POSITIONS)[number];

const circumference = z.number().min(0).max(500).describe('Circumference in centimetres');

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

export const measurementSchema = z.strictObject({ ...entityFields('MeasurementId'), ...measurementFields });
export const storedMeasurementSchema = measurementSchema;

export const createMeasurementInputSchema = z.strictObject({
  ...measurementFields,
  photos: measurementFields.photos.default([]),
});

/** The owner (`userId`) never changes. */
export const patchMeasurementInputSchema = patchSchemaOf(pickFields(measurementFields, ['date', 'measurements', 'photos', 'notes']));

export type BodyMeasurements = z.output<typeof bodyMeasurementsSchema>;
export type Measurement = z.output<typeof measurementSchema>;
export type StoredMeasurement = Measurement;
export type CreateMeasurementInput = z.input<typeof createMeasurementInputSchema>;
export type CreateMeasurementData = z.output<typeof createMeasurementInputSchema>;
export type PatchMeasurementInput = z.input<typeof patchMeasurementInputSchema>;
export type PatchMeasurementData = z.output<typeof patchMeasurementInputSchema>;

import { ObjectId } from 'mongodb';
import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedMeasurementSchema, type MeasurementReading } from './measurement.schema.js';

/**
 * The stored-only fields of a measurement: the ids of the categories its readings hold
 * values of, each once, as ObjectIds.
 */
export function measurementDerivedFields(measurement: { readonly readings?: readonly Pick<MeasurementReading, 'custom'>[] | undefined }): { customCategoryIds: ObjectId[] } {
  const ids = new Set((measurement.readings ?? []).flatMap((r) => r.custom.map((c) => c.categoryId as string)));
  return { customCategoryIds: [...ids].map((id) => ObjectId.createFromHexString(id)) };
}


/**
 * The `measurements` collection: one document per user per day holding that day's readings
 * and the day's value of each metric; the metrics, readings and notes encrypted at rest.
 *
 * @example
 * ```ts
 * MEASUREMENTS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const MEASUREMENTS_COLLECTION = {
  name: 'measurements',
  storedSchema: storedMeasurementSchema,
  // Format 2: the day's readings and the categories they hold values of.
  schemaVersion: 2,
  derive: measurementDerivedFields,
  hiddenFields: ['customCategoryIds'],
  // Body metrics, readings and notes are health data (metrics and notes stored in clear before layout 6).
  encryptedFields: ['measurements', 'readings', 'notes'],
  plaintextUntilRotated: ['measurements', 'notes'],
  indexes: [
    // Seed: userId + date; unique, one measurement per user per date. Descending serves "latest first".
    { key: { userId: 1, date: -1 }, name: 'userId_date_unique', unique: true },
    // The days holding values of a user-defined category: its history, and whether it is in use.
    { key: { userId: 1, customCategoryIds: 1, date: -1 }, name: 'userId_customCategoryIds_date' },
  ],
} as const satisfies MongoCollectionDefinition;

import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedMeasurementSchema } from './measurement.schema.js';

/**
 * The `measurements` collection: one body measurement per user per date; the metrics and
 * notes encrypted at rest.
 *
 * @example
 * ```ts
 * MEASUREMENTS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const MEASUREMENTS_COLLECTION = {
  name: 'measurements',
  storedSchema: storedMeasurementSchema,
  schemaVersion: 1,
  // Body metrics and notes are health data (stored in clear before layout 6).
  encryptedFields: ['measurements', 'notes'],
  plaintextUntilRotated: ['measurements', 'notes'],
  // Seed: userId + date; unique, one measurement per user per date. Descending serves "latest first".
  indexes: [{ key: { userId: 1, date: -1 }, name: 'userId_date_unique', unique: true }],
} as const satisfies MongoCollectionDefinition;

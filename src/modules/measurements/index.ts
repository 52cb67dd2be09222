/**
 * The measurements module: its only door. Schemas, the repository and the
 * {@link MeasurementService}.
 *
 * @example
 * ```ts
 * const { service: measurements } = createMeasurementsModule(db, pg, deps, { clients: usersModule.repository })
 * await measurements.record({ userId, measurements: { weight: 72.4 } })
 * ```
 */
import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import type { Database } from '../../stores/postgres/database.js';
import type { ServiceDeps } from '../service-deps.js';
import { MeasurementCategoryRepository } from './measurement-category.repository.js';
import { MeasurementRepository } from './measurement.repository.js';
import { MeasurementService, type ClientProfileReader } from './measurement.service.js';

export * from './measurement.schema.js';
export * from './measurement-category.schema.js';
export { MeasurementCategoryRepository } from './measurement-category.repository.js';
export { MEASUREMENT_DOCUMENT_MIGRATIONS, measurementsFormat2 } from './measurement.document-migrations.js';
export { MeasurementRepository, measurementDataSchema, type MeasurementDataInput } from './measurement.repository.js';
export {
  MeasurementService,
  BODY_METRICS,
  BMI_CATEGORIES,
  bmiCategoryOf,
  dayStart,
  recordMeasurementInputSchema,
  addProgressPhotoInputSchema,
  addReadingInputSchema,
  removeReadingInputSchema,
  defineMeasurementCategoryInputSchema,
  renameMeasurementCategoryInputSchema,
  type AddReadingInput,
  type RemoveReadingInput,
  type DefineMeasurementCategoryInput,
  type RenameMeasurementCategoryInput,
  type CategoryHistory,
  type CategoryReading,
  type BodyMetric,
  type BmiCategory,
  type BmiResult,
  type ClientProfileReader,
  type DayRangeInput,
  type MeasurementProgress,
  type MeasurementTrend,
  type MetricChange,
  type MetricTrend,
  type ProgressPhoto,
  type RecordMeasurementInput,
  type AddProgressPhotoInput,
} from './measurement.service.js';

/** The measurements module's repositories and service, built on the SDK's stores. */
export interface MeasurementsModule {
  readonly repository: MeasurementRepository;
  readonly categories: MeasurementCategoryRepository;
  readonly service: MeasurementService;
}

/**
 * Builds the measurements module. `clients` reads the client's height for the BMI — the
 * users module's repository, passed in because modules do not import each other.
 */
export function createMeasurementsModule(db: Db, _pg: Kysely<Database>, deps: ServiceDeps, collaborators: { readonly clients: ClientProfileReader }): MeasurementsModule {
  const repository = new MeasurementRepository(db, deps);
  const categories = new MeasurementCategoryRepository(db, deps);
  return { repository, categories, service: new MeasurementService(repository, collaborators.clients, deps, categories) };
}

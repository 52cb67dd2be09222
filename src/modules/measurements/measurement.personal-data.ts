import { allItems, jsonOfAll, type PersonalDataContributor, type PersonalDataDeclaration } from '../personal-data.js';
import { MEASUREMENTS_COLLECTION } from './measurement.collection.js';
import type { MeasurementRepository } from './measurement.repository.js';

/** The measurements module's user-linked data: a user's body measurements. */
export const MEASUREMENT_PERSONAL_DATA = {
  module: 'measurements',
  holds: [{ store: 'mongo', name: MEASUREMENTS_COLLECTION.name }],
} as const satisfies PersonalDataDeclaration;

/**
 * The measurements module's part in export and erasure: every measurement of the user is
 * exported, and deleted on erasure (data about the person that nobody else relies on).
 *
 * @example
 * ```ts
 * const contributor = measurementPersonalData(measurementsModule.repository);
 * ```
 */
export function measurementPersonalData(measurements: MeasurementRepository): PersonalDataContributor {
  return {
    ...MEASUREMENT_PERSONAL_DATA,
    async export(userId) {
      return { measurements: await jsonOfAll((p) => measurements.listByUser(userId, {}, p)) };
    },
    async erase(userId, { uow, personalStrings, subjectIds }) {
      const ctx = uow.ctx;
      let deleted = 0;
      for (const measurement of await allItems((p) => measurements.listByUser(userId, {}, p, ctx))) {
        if (measurement.notes) personalStrings.push(measurement.notes);
        subjectIds.add(measurement.id);
        await measurements.delete(measurement.id, {}, ctx);
        deleted++;
      }
      return { deleted: { measurements: deleted } };
    },
  };
}

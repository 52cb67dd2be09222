import { allItems, jsonOfAll, type PersonalDataContributor, type PersonalDataDeclaration } from '../personal-data.js';
import { MEASUREMENT_CATEGORIES_COLLECTION } from './measurement-category.collection.js';
import type { MeasurementCategoryRepository } from './measurement-category.repository.js';
import { MEASUREMENTS_COLLECTION } from './measurement.collection.js';
import type { MeasurementRepository } from './measurement.repository.js';

/** The measurements module's user-linked data: a user's body measurements and the measurement categories they defined. */
export const MEASUREMENT_PERSONAL_DATA = {
  module: 'measurements',
  holds: [
    { store: 'mongo', name: MEASUREMENTS_COLLECTION.name },
    { store: 'mongo', name: MEASUREMENT_CATEGORIES_COLLECTION.name },
  ],
} as const satisfies PersonalDataDeclaration;

/**
 * The measurements module's part in export and erasure: every measurement of the user (with
 * its readings) and every category the user defined are exported, and deleted on erasure
 * (data about the person that nobody else relies on).
 *
 * @example
 * ```ts
 * const contributor = measurementPersonalData(measurementsModule.repository, measurementsModule.categories);
 * ```
 */
export function measurementPersonalData(measurements: MeasurementRepository, categories: MeasurementCategoryRepository): PersonalDataContributor {
  return {
    ...MEASUREMENT_PERSONAL_DATA,
    async export(userId) {
      return {
        measurements: await jsonOfAll((p) => measurements.listByUser(userId, {}, p)),
        measurementCategories: await jsonOfAll((p) => categories.listByUser(userId, p)),
      };
    },
    async erase(userId, { uow, personalStrings, subjectIds }) {
      const ctx = uow.ctx;
      let deleted = 0;
      for (const measurement of await allItems((p) => measurements.listByUser(userId, {}, p, ctx))) {
        if (measurement.notes) personalStrings.push(measurement.notes);
        for (const reading of measurement.readings) if (reading.notes) personalStrings.push(reading.notes);
        subjectIds.add(measurement.id);
        await measurements.delete(measurement.id, {}, ctx);
        deleted++;
      }
      let deletedCategories = 0;
      for (const category of await allItems((p) => categories.listByUser(userId, p, ctx))) {
        personalStrings.push(category.name);
        subjectIds.add(category.id);
        await categories.delete(category.id, {}, ctx);
        deletedCategories++;
      }
      return { deleted: { measurements: deleted, measurementCategories: deletedCategories } };
    },
  };
}

import { describe, expectTypeOf, it } from 'vitest';
import type { FacilityId, UserId } from '../../../src/core/ids.js';
import type { Page } from '../../../src/core/pagination.js';
import type { MeasurementRepository } from '../../../src/modules/measurements/measurement.repository.js';
import type { Measurement } from '../../../src/modules/measurements/measurement.schema.js';

const measurements = {} as unknown as MeasurementRepository;
const userId = {} as unknown as UserId;
const facilityId = {} as unknown as FacilityId;

describe('MeasurementRepository types', () => {
  it('returns typed measurements and pages', () => {
    expectTypeOf(measurements.findByUserAndDate).returns.resolves.toEqualTypeOf<Measurement | null>();
    expectTypeOf(measurements.upsertForDate).returns.resolves.toEqualTypeOf<Measurement>();
    expectTypeOf(measurements.listByUser).returns.resolves.toEqualTypeOf<Page<Measurement>>();
    expectTypeOf<Measurement['userId']>().toEqualTypeOf<UserId>();
  });

  it('refuses a wrong field, a wrong photo position and another entity’s id at compile time', () => {
    const compileOnly = () => {
      // @ts-expect-error `height` is not a body measurement
      void measurements.upsertForDate(userId, '2026-03-01', { measurements: { height: 180 } });
      // @ts-expect-error `top` is not a photo position
      void measurements.upsertForDate(userId, '2026-03-01', { measurements: {}, photos: [{ url: 'https://x.co/a.jpg', position: 'top', date: '2026-03-01' }] });
      // @ts-expect-error a FacilityId is not a UserId
      void measurements.listByUser(facilityId);
      // @ts-expect-error a FacilityId is not a UserId
      void measurements.findByUserAndDate(facilityId, '2026-03-01');
      // @ts-expect-error `since` is not a window bound
      void measurements.listByUser(userId, { since: '2026-01-01' });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});

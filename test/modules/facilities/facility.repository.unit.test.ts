import { describe, expectTypeOf, it } from 'vitest';
import type { FacilityId, UserId } from '../../../src/core/ids.js';
import type { Page } from '../../../src/core/pagination.js';
import type { FacilityNearby, FacilityRepository } from '../../../src/modules/facilities/facility.repository.js';
import type { Facility } from '../../../src/modules/facilities/facility.schema.js';

const userId = '65f0c3a1e4b0a1b2c3d4e5f6' as UserId;
const facilityId = '65f0c3a1e4b0a1b2c3d4e5f7' as FacilityId;
const point = { latitude: 41, longitude: 29 };

/** Compiled, never run: each marked line must fail to type-check. */
function misuses(facilities: FacilityRepository): void {
  // @ts-expect-error an owner is a UserId, not a FacilityId
  void facilities.listByOwner(facilityId);
  // @ts-expect-error a plain string is not a UserId
  void facilities.listByStaffMember('65f0c3a1e4b0a1b2c3d4e5f6');
  // @ts-expect-error the facility comes first, as a FacilityId
  void facilities.addStaff(userId, { userId, role: 'coach', permissions: [] });
  // @ts-expect-error not a facility type
  void facilities.findNear(point, { maxDistanceMeters: 1_000, type: 'spa' });
  // @ts-expect-error the radius is required
  void facilities.findNear(point, { type: 'gym' });
  // @ts-expect-error coordinates are { latitude, longitude }, not a GeoJSON pair
  void facilities.findNear([29, 41], { maxDistanceMeters: 1_000 });
  // @ts-expect-error not a staff role
  void facilities.addStaff(facilityId, { userId, role: 'janitor', permissions: [] });
  // @ts-expect-error not a permission
  void facilities.updateStaff(facilityId, userId, { permissions: ['fly'] });
  // @ts-expect-error a staff member's user never changes
  void facilities.updateStaff(facilityId, userId, { userId });
  // @ts-expect-error an expected version is a number
  void facilities.removeStaff(facilityId, userId, { expectedVersion: '2' });
}

describe('FacilityRepository types', () => {
  it('takes branded ids and typed options, and returns API facilities', () => {
    expectTypeOf(misuses).toBeFunction();
    expectTypeOf<FacilityRepository['listByOwner']>().parameter(0).toEqualTypeOf<UserId>();
    expectTypeOf<ReturnType<FacilityRepository['listByOwner']>>().toEqualTypeOf<Promise<Page<Facility>>>();
    expectTypeOf<ReturnType<FacilityRepository['findNear']>>().toEqualTypeOf<Promise<FacilityNearby[]>>();
    expectTypeOf<FacilityNearby['distanceMeters']>().toEqualTypeOf<number>();
    expectTypeOf<ReturnType<FacilityRepository['addStaff']>>().toEqualTypeOf<Promise<Facility>>();
  });
});

import { describe, expectTypeOf, it } from 'vitest';
import type { ClassBookingId, ClassId, FacilityId, UserId } from '../../../src/core/ids.js';
import type { Page } from '../../../src/core/pagination.js';
import type { ClassBookingRepository } from '../../../src/modules/classes/class-booking.repository.js';
import type { ClassBooking } from '../../../src/modules/classes/class-booking.schema.js';
import type { ClassRepository } from '../../../src/modules/classes/class.repository.js';
import type { FitnessClass } from '../../../src/modules/classes/class.schema.js';

const userId = '65f0c3a1e4b0a1b2c3d4e5f6' as UserId;
const facilityId = '65f0c3a1e4b0a1b2c3d4e5f7' as FacilityId;
const classId = '65f0c3a1e4b0a1b2c3d4e5f8' as ClassId;
const start = new Date('2026-03-02T06:00:00Z');

/** Compiled, never run: each marked line must fail to type-check. */
function misuses(classes: ClassRepository, bookings: ClassBookingRepository): void {
  // @ts-expect-error a UserId is not a FacilityId
  void classes.listByFacility(userId);
  // @ts-expect-error the window is { from, to }
  void classes.listByFacility(facilityId, { start, end: start });
  // @ts-expect-error an instructor is a UserId
  void classes.listByInstructor(facilityId);
  // @ts-expect-error class, occurrence, then user
  void bookings.findActiveBooking(userId, start, classId);
  // @ts-expect-error a ClassId is not a ClassBookingId
  void bookings.markCancelled(classId);
  // @ts-expect-error a cancellation takes no reason here
  void bookings.markCancelled('65f0c3a1e4b0a1b2c3d4e5f9' as ClassBookingId, { reason: 'ill' });
  // @ts-expect-error not a booking status
  void bookings.create({ classId, userId, date: start, bookedAt: start, status: 'waiting' });
  // @ts-expect-error an unknown field
  void bookings.patch('65f0c3a1e4b0a1b2c3d4e5f9' as ClassBookingId, { seat: 4 });
}

describe('class repositories types', () => {
  it('take branded ids and typed windows', () => {
    expectTypeOf(misuses).toBeFunction();
    expectTypeOf<ClassRepository['listByFacility']>().parameter(0).toEqualTypeOf<FacilityId>();
    expectTypeOf<ReturnType<ClassRepository['listByFacility']>>().toEqualTypeOf<Promise<Page<FitnessClass>>>();
    expectTypeOf<ReturnType<ClassBookingRepository['countActiveForOccurrence']>>().toEqualTypeOf<Promise<number>>();
    expectTypeOf<ReturnType<ClassBookingRepository['findActiveBooking']>>().toEqualTypeOf<Promise<ClassBooking | null>>();
    expectTypeOf<ClassBooking>().not.toHaveProperty('holdsSeat');
  });
});

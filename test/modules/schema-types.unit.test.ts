import { describe, expectTypeOf, it } from 'vitest';
import type {
  ClassBookingStatus,
  CreateUserData,
  CreateUserInput,
  FacilityId,
  FitnessClass,
  Invoice,
  PatchUserInput,
  StoredUser,
  Transaction,
  User,
  UserId,
  UserRole,
} from '../support/all-schemas.js';

const userId = '65f0c3a1e4b0a1b2c3d4e5f6' as UserId;
const facilityById = (id: FacilityId): FacilityId => id;

describe('inferred types', () => {
  it('brands ids per entity', () => {
    expectTypeOf<User['id']>().toEqualTypeOf<UserId>();
    expectTypeOf<FitnessClass['facilityId']>().toEqualTypeOf<FacilityId>();
    // @ts-expect-error a UserId is not a FacilityId
    facilityById(userId);
    // @ts-expect-error a plain string is not a FacilityId either
    facilityById('65f0c3a1e4b0a1b2c3d4e5f6');
  });

  it('keeps passwordHash out of User and in StoredUser', () => {
    expectTypeOf<StoredUser['passwordHash']>().toEqualTypeOf<string>();
    expectTypeOf<User>().not.toHaveProperty('passwordHash');
  });

  it('types enums as literal unions', () => {
    expectTypeOf<ClassBookingStatus>().toEqualTypeOf<'booked' | 'waitlisted' | 'attended' | 'cancelled' | 'no-show'>();
    expectTypeOf<UserRole>().toExtend<string>();
    // @ts-expect-error not a role
    const role: UserRole = 'admin';
    void role;
  });

  it('makes defaults optional on input and present on parsed data', () => {
    expectTypeOf<CreateUserInput['isActive']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<CreateUserData['isActive']>().toEqualTypeOf<boolean>();
    // @ts-expect-error a create input has no id
    const withId: CreateUserInput = { email: 'a@b.co', firstName: 'A', lastName: 'B', role: ['client'], id: 'x' };
    void withId;
    // @ts-expect-error the e-mail is not patchable
    const patch: PatchUserInput = { email: 'a@b.co' };
    void patch;
  });

  it('types PostgreSQL rows with minor units and calendar dates', () => {
    expectTypeOf<Transaction['amount']>().toEqualTypeOf<number>();
    expectTypeOf<Invoice['dueDate']>().toEqualTypeOf<string>();
    expectTypeOf<Invoice['createdAt']>().toEqualTypeOf<Date>();
    expectTypeOf<Invoice['paymentDate']>().toEqualTypeOf<string | null>();
  });
});

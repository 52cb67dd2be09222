import { describe, expectTypeOf, it } from 'vitest';
import type { FacilityId, UserId } from '../../../src/core/ids.js';
import type { Page } from '../../../src/core/pagination.js';
import type { UserCredentials, UserRepository } from '../../../src/modules/users/user.repository.js';
import type { User } from '../../../src/modules/users/user.schema.js';

const users = {} as unknown as UserRepository;
const userId = {} as unknown as UserId;
const facilityId = {} as unknown as FacilityId;

describe('UserRepository types', () => {
  it('returns users without the password hash, except from the credential reads', () => {
    expectTypeOf(users.getById).returns.resolves.toEqualTypeOf<User>();
    expectTypeOf<User>().not.toHaveProperty('passwordHash');
    expectTypeOf(users.findByEmail).returns.resolves.toEqualTypeOf<User | null>();
    expectTypeOf(users.getWithPasswordHash).returns.resolves.toEqualTypeOf<UserCredentials>();
    expectTypeOf<UserCredentials['passwordHash']>().toEqualTypeOf<string>();
    expectTypeOf(users.listByRole).returns.resolves.toEqualTypeOf<Page<User>>();
  });

  it('refuses a wrong field, a wrong role and another entity’s id at compile time', () => {
    const compileOnly = () => {
      // @ts-expect-error `nickname` is not a user field
      void users.create({ email: 'a@b.co', firstName: 'A', lastName: 'B', role: ['client'], passwordHash: 'h', nickname: 'x' });
      // @ts-expect-error a user needs its password hash
      void users.create({ email: 'a@b.co', firstName: 'A', lastName: 'B', role: ['client'] });
      // @ts-expect-error `admin` is not a role
      void users.listByRole('admin');
      // @ts-expect-error a FacilityId is not a UserId
      void users.getWithPasswordHash(facilityId);
      // @ts-expect-error a FacilityId is not a UserId
      void users.setPasswordHash(facilityId, 'hash');
      // @ts-expect-error the e-mail is not patched through `patch`
      void users.patch(userId, { email: 'new@b.co' });
    };
    expectTypeOf(compileOnly).toBeFunction();
  });
});

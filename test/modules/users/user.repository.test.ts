import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ConcurrencyError, ConflictError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type UserId } from '../../../src/core/ids.js';
import { createTestKeyring } from '../../../src/core/keyring.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { UserRepository, type CreateUserRecordInput } from '../../../src/modules/users/user.repository.js';
import { userSchema } from '../../../src/modules/users/user.schema.js';
import { createInputs } from '../support/factories.js';
import { describeMongoRepositoryContract, HOSTILE_IDS, MISSING_ID } from '../../support/mongo-repository-contract.js';
import { indexesUsed } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

const HASH = 'scrypt$N=16384,r=8,p=1$c2FsdA$aGFzaA';

/** A valid new user with its password hash; `n` keeps the e-mail unique. */
function newUser(n: number, overrides: Partial<CreateUserRecordInput> = {}): CreateUserRecordInput {
  return { ...createInputs.users({ email: `user${n}@example.com` }), passwordHash: HASH, ...overrides };
}

describeMongoRepositoryContract({
  entity: 'user',
  collection: 'users',
  mongo,
  createRepository: (db, deps) => new UserRepository(db, deps),
  validInput: (n) => newUser(n),
  invalidInput: newUser(0, { email: 'not an e-mail' }),
  validPatch: { firstName: 'Elif' },
  list: (repository, page) => repository.listByRole('coach', page),
  entitySchema: userSchema,
});

describe('UserRepository', () => {
  let users: UserRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.users.name);

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.users] });
    users = new UserRepository(mongo.db, { clock: fixedClock('2026-03-01T09:00:00Z'), ids: defaultIdGenerator, keyring: createTestKeyring() });
  });

  describe('e-mail', () => {
    it('finds a user by e-mail normalised as the schema does', async () => {
      const created = await users.create(newUser(1, { email: 'Zeynep.Kaya@Example.COM' }));
      expect(created.email).toBe('zeynep.kaya@example.com');
      expect(await users.findByEmail('  ZEYNEP.KAYA@example.com ')).toEqual(created);
      expect(await users.findByEmail('nobody@example.com')).toBeNull();
    });

    it('refuses a second account with the same e-mail, in any case, as a duplicate', async () => {
      await users.create(newUser(2, { email: 'mert@example.com' }));
      const before = await collection().countDocuments();
      const error = await users.create(newUser(3, { email: 'MERT@Example.com' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ reason: 'duplicate' });
      expect(await collection().countDocuments()).toBe(before);
    });

    it.each(HOSTILE_IDS.filter((v) => typeof v !== 'string').map((v) => [JSON.stringify(v), v]))('refuses %s as an e-mail', async (_label, email) => {
      await expect(users.findByEmail(email as string)).rejects.toBeInstanceOf(ValidationError);
      await expect(users.findCredentialsByEmail(email as string)).rejects.toBeInstanceOf(ValidationError);
    });

    it('serves the e-mail look-up from the unique e-mail index', async () => {
      expect(await indexesUsed(collection(), { email: 'mert@example.com' })).toContain('email_unique');
    });
  });

  describe('password hash', () => {
    it('never returns the hash from ordinary reads, and keeps it through a patch', async () => {
      const created = await users.create(newUser(10));
      expect(created).not.toHaveProperty('passwordHash');
      expect(await users.getById(created.id)).not.toHaveProperty('passwordHash');
      expect(await users.findByEmail(created.email)).not.toHaveProperty('passwordHash');
      const patched = await users.patch(created.id, { lastName: 'Demir' });
      expect(patched).not.toHaveProperty('passwordHash');
      expect((await users.getWithPasswordHash(created.id)).passwordHash).toBe(HASH);
    });

    it('returns the hash beside the user from the two credential reads', async () => {
      const created = await users.create(newUser(11));
      const byId = await users.getWithPasswordHash(created.id);
      expect(byId).toEqual({ user: created, passwordHash: HASH });
      expect(byId.user).not.toHaveProperty('passwordHash');
      expect(await users.findCredentialsByEmail(created.email.toUpperCase())).toEqual(byId);
      expect(await users.findCredentialsByEmail('missing@example.com')).toBeNull();
      await expect(users.getWithPasswordHash(MISSING_ID as UserId)).rejects.toBeInstanceOf(NotFoundError);
      await expect(users.getWithPasswordHash({ $gt: '' } as never)).rejects.toBeInstanceOf(ValidationError);
    });

    it('refuses a user without a password hash and writes nothing', async () => {
      const before = await collection().countDocuments();
      const { passwordHash: _none, ...profile } = newUser(12);
      await expect(users.create(profile as CreateUserRecordInput)).rejects.toBeInstanceOf(ValidationError);
      await expect(users.create(newUser(13, { passwordHash: '' }))).rejects.toBeInstanceOf(ValidationError);
      expect(await collection().countDocuments()).toBe(before);
    });

    it('replaces the hash, bumping the version', async () => {
      const created = await users.create(newUser(14));
      const updated = await users.setPasswordHash(created.id, 'scrypt$new', { expectedVersion: 1 });
      expect(updated.version).toBe(2);
      expect(updated).not.toHaveProperty('passwordHash');
      expect(await users.getWithPasswordHash(created.id)).toEqual({ user: updated, passwordHash: 'scrypt$new' });
    });

    it('refuses a stale version, a missing user, and a hash that is not a string', async () => {
      const created = await users.create(newUser(15));
      await users.setPasswordHash(created.id, 'scrypt$second');
      await expect(users.setPasswordHash(created.id, 'scrypt$third', { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(users.setPasswordHash(MISSING_ID as UserId, 'scrypt$x')).rejects.toBeInstanceOf(NotFoundError);
      await expect(users.setPasswordHash(created.id, { $gt: '' } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(users.setPasswordHash({ $ne: null } as never, 'scrypt$x')).rejects.toBeInstanceOf(ValidationError);
      expect((await users.getWithPasswordHash(created.id)).passwordHash).toBe('scrypt$second');
    });
  });

  describe('roles', () => {
    it('lists only the users having a role', async () => {
      const owner = await users.create(newUser(20, { role: ['gym_owner'], roleSpecificData: { gym_owner: { businessName: 'Moda Gym' } } }));
      const page = await users.listByRole('gym_owner', { limit: 200 });
      expect(page.items.map((u) => u.id)).toEqual([owner.id]);
      expect(page.nextCursor).toBeNull();
    });

    it('refuses a role outside the role list', async () => {
      await expect(users.listByRole('admin' as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(users.listByRole({ $ne: 'client' } as never)).rejects.toBeInstanceOf(ValidationError);
    });

    it('serves the role list from the role index', async () => {
      expect(await indexesUsed(collection(), { role: 'coach' }, { _id: 1 })).toContain('role');
    });
  });

  describe('coach reviews', () => {
    it('adds a review to the average and the count', async () => {
      const coach = await users.create(newUser(40, { role: ['coach'], roleSpecificData: { coach: { ratings: 4, reviewCount: 2 } } }));
      const reviewed = await users.recordCoachReview(coach.id, 1);
      expect(reviewed.roleSpecificData.coach).toMatchObject({ ratings: 3, reviewCount: 3 });
      expect(reviewed.version).toBe(coach.version + 1);
      expect(await users.getById(coach.id)).toEqual(reviewed);
    });

    it('counts every one of 20 concurrent reviews', async () => {
      const coach = await users.create(newUser(41, { role: ['coach'], roleSpecificData: { coach: {} } }));
      const ratings = Array.from({ length: 20 }, (_, i) => (i % 5) + 1);
      await Promise.all(ratings.map((r) => users.recordCoachReview(coach.id, r)));
      const after = (await users.getById(coach.id)).roleSpecificData.coach;
      expect(after?.reviewCount).toBe(20);
      expect(after?.ratings).toBeCloseTo(3, 9);
    });

    it('refuses a user without coach data, a missing user and a rating outside 1-5', async () => {
      const client = await users.create(newUser(42, { role: ['client'], roleSpecificData: {} }));
      await expect(users.recordCoachReview(client.id, 5)).rejects.toMatchObject({ reason: 'not_a_coach' });
      await expect(users.recordCoachReview(MISSING_ID as UserId, 5)).rejects.toBeInstanceOf(NotFoundError);
      await expect(users.recordCoachReview(client.id, 6)).rejects.toBeInstanceOf(ValidationError);
    });
  });
});

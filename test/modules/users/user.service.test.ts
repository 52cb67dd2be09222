import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError, ConflictError, ForbiddenError, ValidationError } from '../../../src/core/errors.js';
import type { UserId } from '../../../src/core/ids.js';
import { AuditLogRepository } from '../../../src/modules/audit/audit-log.repository.js';
import {
  createUsersModule,
  PasswordHasher,
  type RegisterUserInput,
  type UserRepository,
  type UserService,
} from '../../../src/modules/users/index.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { useTestNexfit } from '../../support/nexfit.js';
import { oid } from '../support/factories.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

/** scrypt at N=1024: the same code path as production, a sixteenth of the cost. */
const fastHasher = new PasswordHasher({ N: 1_024 });
const PASSWORD = 'gizli-şifre-1';
const ACTOR = oid(900) as UserId;

let users: UserService;
let repository: UserRepository;
let audit: AuditLogRepository;
let counter = 0;

beforeAll(() => {
  ({ service: users, repository } = createUsersModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { hasher: fastHasher }));
  audit = new AuditLogRepository(t.nexfit.pg, t.deps);
});

/** A valid registration with a unique e-mail. */
function aRegistration(overrides: Partial<RegisterUserInput> = {}): RegisterUserInput {
  counter += 1;
  return { email: `uye${counter}@example.com`, password: PASSWORD, firstName: 'Ayşe', lastName: 'Yılmaz', role: ['client'], ...overrides };
}

const storedDocument = (email: string) => t.nexfit.mongo.db.collection(MONGO_COLLECTIONS.users.name).findOne({ email });
const countUsers = () => t.nexfit.mongo.db.collection(MONGO_COLLECTIONS.users.name).countDocuments();
const eventsOf = (type: string, userId: string) =>
  t.nexfit.pg.selectFrom('nexfit_outbox').select(['type', 'payload']).where('type', '=', type).where(sql<boolean>`payload->>'userId' = ${userId}`).execute();
const auditOf = async (userId: string) => (await audit.listByEntity('users', userId)).items;
/** Runs `work` as a unit of work acting for {@link ACTOR}. */
const asActor = <T>(work: (uow: Parameters<Parameters<typeof t.nexfit.unitOfWork>[0]>[0]) => Promise<T>) =>
  t.nexfit.unitOfWork(work, { context: { actorId: ACTOR, ipAddress: '203.0.113.7', userAgent: 'vitest' } });

describe('UserService', () => {
  describe('register', () => {
    it('registers a user with a normalised e-mail and a scrypt hash that carries its parameters', async () => {
      const user = await users.register(aRegistration({ email: '  Zeynep.Kaya@Example.COM ' }));
      expect(user).toMatchObject({ email: 'zeynep.kaya@example.com', isActive: true, role: ['client'], version: 1 });
      const stored = await storedDocument('zeynep.kaya@example.com');
      expect(stored?.['passwordHash']).toMatch(/^scrypt\$N=1024,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
      expect(JSON.stringify(stored)).not.toContain(PASSWORD);
    });

    it('never returns the password or its hash', async () => {
      const user = await users.register(aRegistration());
      const seen = [user, await users.getById(user.id as UserId), await users.findByEmail(user.email), await users.verifyCredentials(user.email, PASSWORD)];
      for (const view of seen) {
        expect(view).not.toHaveProperty('passwordHash');
        expect(JSON.stringify(view)).not.toMatch(/scrypt|gizli/);
      }
    });

    it('refuses a second account with the same e-mail in another case, writing nothing', async () => {
      await users.register(aRegistration({ email: 'mert@example.com' }));
      const before = await countUsers();
      const error = await users.register(aRegistration({ email: 'MERT@Example.com' })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ reason: 'duplicate' });
      expect(await countUsers()).toBe(before);
    });

    it('lets exactly one of several parallel registrations of an e-mail succeed', async () => {
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => users.register(aRegistration({ email: 'yaris@example.com' }))));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConflictError);
      expect(await t.nexfit.mongo.db.collection(MONGO_COLLECTIONS.users.name).countDocuments({ email: 'yaris@example.com' })).toBe(1);
    });

    it('emits user.registered once the registration commits', async () => {
      const user = await users.register(aRegistration());
      expect(await eventsOf('user.registered', user.id)).toEqual([{ type: 'user.registered', payload: { userId: user.id } }]);
    });

    it('refuses hostile or invalid input before writing anything', async () => {
      const before = await countUsers();
      const hostile = [
        aRegistration({ email: { $ne: null } as unknown as string }),
        aRegistration({ role: ['admin' as 'client'] }),
        aRegistration({ password: 'kısa' }),
        aRegistration({ roleSpecificData: { coach: { bio: 'no coach role' } } }),
        { ...aRegistration(), passwordHash: 'scrypt$N=2,r=1,p=1$AAAA$AAAA' } as RegisterUserInput,
      ];
      for (const input of hostile) await expect(users.register(input)).rejects.toBeInstanceOf(ValidationError);
      expect(await countUsers()).toBe(before);
    });

    it('keeps Turkish letters in names and e-mail local parts, and logs in with the address as typed', async () => {
      const user = await users.register(aRegistration({ email: 'İLKER@Example.COM', firstName: 'İlker', lastName: 'Işığ Şahin' }));
      expect(user).toMatchObject({ email: 'İlker@example.com', firstName: 'İlker', lastName: 'Işığ Şahin' });
      expect((await users.verifyCredentials('İLKER@Example.COM', PASSWORD))?.id).toBe(user.id);
      expect((await users.verifyCredentials('İlker@example.com', PASSWORD))?.id).toBe(user.id);
      // `i` without the dot is another mailbox: Unicode case is not folded.
      expect(await users.verifyCredentials('ilker@example.com', PASSWORD)).toBeNull();
    });
  });

  describe('verifyCredentials', () => {
    it('returns the user for the right password and null for a wrong one or an unknown e-mail', async () => {
      const user = await users.register(aRegistration());
      expect((await users.verifyCredentials(user.email, PASSWORD))?.id).toBe(user.id);
      expect(await users.verifyCredentials(user.email, 'yanlis-sifre-1')).toBeNull();
      expect(await users.verifyCredentials('kimse@example.com', PASSWORD)).toBeNull();
      expect(await users.verifyCredentials('not an e-mail', PASSWORD)).toBeNull();
      expect(await users.verifyCredentials(user.email, 'x'.repeat(500))).toBeNull();
    });

    it('matches a password typed with combining marks to the same password composed', async () => {
      const composed = 'Şifre-ğüçlü-1';
      const user = await users.register(aRegistration({ password: composed }));
      expect((await users.verifyCredentials(user.email, composed.normalize('NFD')))?.id).toBe(user.id);
    });

    it('refuses a non-string password as invalid input rather than as a failed login', async () => {
      await expect(users.verifyCredentials('a@example.com', { $gt: '' } as unknown as string)).rejects.toBeInstanceOf(ValidationError);
    });

    it('throws ForbiddenError for the right password of a deactivated account, null for a wrong one', async () => {
      const user = await users.register(aRegistration());
      await users.deactivate(user.id as UserId);
      await expect(users.verifyCredentials(user.email, PASSWORD)).rejects.toMatchObject({ code: 'FORBIDDEN', details: { reason: 'deactivated' } });
      expect(await users.verifyCredentials(user.email, 'yanlis-sifre-1')).toBeNull();
    });

    it('does the same key-derivation work for an unknown e-mail as for a wrong password', async () => {
      // Response time must not reveal which e-mails exist: both paths run one scrypt derivation
      // at the same cost. Counted here; the cost itself is measured by `npm run bench`, not by a timed test.
      const derivations: string[] = [];
      class CountingHasher extends PasswordHasher {
        override async verify(password: string, stored: string) { derivations.push(`verify:${stored.split('$')[1]}`); return super.verify(password, stored); }
        override async spendVerificationTime(password: string) { derivations.push(`dummy:${(await this.hash('x')).split('$')[1]}`); return super.spendVerificationTime(password); }
      }
      const hasher = new CountingHasher();
      const counted = createUsersModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { hasher }).service;
      const user = await counted.register(aRegistration());
      const stored = (await storedDocument(user.email))?.['passwordHash'] as string;
      derivations.length = 0;
      expect(await counted.verifyCredentials(user.email, 'yanlis-sifre-1')).toBeNull();
      expect(await counted.verifyCredentials('yok@example.com', 'yanlis-sifre-1')).toBeNull();
      expect(derivations).toEqual([`verify:${stored.split('$')[1]}`, `dummy:${stored.split('$')[1]}`]);
    });

    it('rehashes a password stored with weaker parameters at the next successful login, once', async () => {
      const user = await users.register(aRegistration()); // N=1024
      const strong = createUsersModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps).service; // N=16384
      const afterLogin = await strong.verifyCredentials(user.email, PASSWORD);
      expect(afterLogin?.version).toBe(user.version + 1);
      expect((await storedDocument(user.email))?.['passwordHash']).toMatch(/^scrypt\$N=16384,r=8,p=1\$/);
      const again = await strong.verifyCredentials(user.email, PASSWORD);
      expect(again?.version).toBe(afterLogin?.version);
      // The weaker service still verifies the stronger hash: the parameters travel with it.
      expect((await users.verifyCredentials(user.email, PASSWORD))?.id).toBe(user.id);
    });

    it('does not rehash after a failed login', async () => {
      const user = await users.register(aRegistration());
      const strong = createUsersModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps).service;
      expect(await strong.verifyCredentials(user.email, 'yanlis-sifre-1')).toBeNull();
      expect((await storedDocument(user.email))?.['passwordHash']).toMatch(/^scrypt\$N=1024,/);
    });
  });

  describe('changePassword', () => {
    it('replaces the password after checking the current one, and audits it without password material', async () => {
      const user = await users.register(aRegistration());
      await asActor((uow) => users.changePassword(user.id as UserId, { currentPassword: PASSWORD, newPassword: 'yeni-şifre-22' }, uow));
      expect(await users.verifyCredentials(user.email, PASSWORD)).toBeNull();
      expect((await users.verifyCredentials(user.email, 'yeni-şifre-22'))?.id).toBe(user.id);
      const [row] = await auditOf(user.id);
      expect(row).toMatchObject({ action: 'user.password_changed', userId: ACTOR, ipAddress: '203.0.113.7', previousState: null, newState: null });
    });

    it('refuses a wrong current password and leaves the old one working', async () => {
      const user = await users.register(aRegistration());
      const error = await users.changePassword(user.id as UserId, { currentPassword: 'yanlis-sifre-1', newPassword: 'yeni-şifre-22' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ForbiddenError);
      expect(error).toMatchObject({ details: { reason: 'invalid_credentials' } });
      expect((await users.verifyCredentials(user.email, PASSWORD))?.id).toBe(user.id);
      expect(await auditOf(user.id)).toEqual([]);
    });

    it('refuses a new password that is too short', async () => {
      const user = await users.register(aRegistration());
      await expect(users.changePassword(user.id as UserId, { currentPassword: PASSWORD, newPassword: 'kısa' })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('roles', () => {
    it('adds a role with its data validated against the role schema, and audits it as a privileged change', async () => {
      const user = await users.register(aRegistration());
      const facilityId = oid(40);
      const updated = await asActor((uow) => users.addRole(user.id as UserId, 'gym_member', { facilityId, memberSince: '2026-03-01' }, {}, uow));
      expect(updated.role).toEqual(['client', 'gym_member']);
      expect(updated.roleSpecificData.gym_member).toEqual({ facilityId, memberSince: new Date('2026-03-01T00:00:00Z') });
      const [row] = await auditOf(user.id);
      expect(row).toMatchObject({
        action: 'user.role_added',
        userId: ACTOR,
        previousState: { role: ['client'] },
        newState: { role: ['client', 'gym_member'], roleSpecificData: { gym_member: { facilityId, memberSince: '2026-03-01T00:00:00.000Z' } } },
      });
    });

    it('fills a coach role block with its defaults', async () => {
      const user = await users.register(aRegistration());
      const updated = await users.addRole(user.id as UserId, 'coach');
      expect(updated.roleSpecificData.coach).toEqual({ ratings: 0, reviewCount: 0, isFreelance: true });
    });

    it('refuses role data that does not match the role schema, writing nothing', async () => {
      const user = await users.register(aRegistration());
      await expect(users.addRole(user.id as UserId, 'gym_member', { memberSince: '2026-03-01' } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(users.addRole(user.id as UserId, 'coach', { hourlyRate: -5 })).rejects.toBeInstanceOf(ValidationError);
      await expect(users.addRole(user.id as UserId, 'superuser' as 'coach')).rejects.toBeInstanceOf(ValidationError);
      expect((await users.getById(user.id as UserId)).version).toBe(user.version);
      expect(await auditOf(user.id)).toEqual([]);
    });

    it('refuses a role the user already has', async () => {
      const user = await users.register(aRegistration());
      await expect(users.addRole(user.id as UserId, 'client')).rejects.toMatchObject({ reason: 'role_already_assigned' });
    });

    it('removes a role together with its data, and audits it', async () => {
      const user = await users.register(aRegistration({ role: ['client', 'coach'], roleSpecificData: { coach: { bio: 'Yoga' } } }));
      const updated = await users.removeRole(user.id as UserId, 'coach');
      expect(updated.role).toEqual(['client']);
      expect(updated.roleSpecificData).toEqual({});
      const [row] = await auditOf(user.id);
      expect(row).toMatchObject({ action: 'user.role_removed', previousState: { role: ['client', 'coach'], roleSpecificData: { coach: { bio: 'Yoga' } } }, newState: { role: ['client'] } });
    });

    it('keeps at least one role', async () => {
      const user = await users.register(aRegistration());
      await expect(users.removeRole(user.id as UserId, 'client')).rejects.toMatchObject({ reason: 'last_role' });
      await expect(users.removeRole(user.id as UserId, 'coach')).rejects.toMatchObject({ reason: 'role_not_assigned' });
      expect((await users.getById(user.id as UserId)).role).toEqual(['client']);
    });

    it('refuses a stale expected version', async () => {
      const user = await users.register(aRegistration());
      await users.addRole(user.id as UserId, 'coach');
      await expect(users.addRole(user.id as UserId, 'studio_client', { facilityId: oid(41) }, { expectedVersion: user.version })).rejects.toBeInstanceOf(ConcurrencyError);
    });

    it('loses no role when two roles are added in parallel', async () => {
      const user = await users.register(aRegistration());
      const results = await Promise.allSettled([
        users.addRole(user.id as UserId, 'coach'),
        users.addRole(user.id as UserId, 'studio_client', { facilityId: oid(41) }),
      ]);
      const added = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i === 0 ? 'coach' : 'studio_client'] : []));
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrencyError);
      const final = await users.getById(user.id as UserId);
      expect([...final.role].sort()).toEqual(['client', ...added].sort());
      expect((await auditOf(user.id)).length).toBe(added.length);
    });
  });

  describe('deactivate and reactivate', () => {
    it('deactivates once: drops the FCM token, emits user.deactivated and writes an audit row', async () => {
      const user = await users.register(aRegistration({ fcmToken: 'cihaz-1' }));
      const off = await asActor((uow) => users.deactivate(user.id as UserId, {}, uow));
      expect(off).toMatchObject({ isActive: false });
      expect(off).not.toHaveProperty('fcmToken');
      const again = await users.deactivate(user.id as UserId);
      expect(again.version).toBe(off.version);
      expect(await eventsOf('user.deactivated', user.id)).toHaveLength(1);
      const rows = await auditOf(user.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ action: 'user.deactivated', userId: ACTOR, previousState: { isActive: true }, newState: { isActive: false } });
    });

    it('reactivates a deactivated account so it can log in again', async () => {
      const user = await users.register(aRegistration());
      await users.deactivate(user.id as UserId);
      const on = await users.reactivate(user.id as UserId);
      expect(on.isActive).toBe(true);
      expect((await users.verifyCredentials(user.email, PASSWORD))?.id).toBe(user.id);
      expect((await auditOf(user.id)).map((r) => r.action)).toEqual(['user.reactivated', 'user.deactivated']);
    });

    it('rolls the deactivation back with the caller’s unit: no change, no event, no audit row', async () => {
      const user = await users.register(aRegistration());
      await expect(t.nexfit.unitOfWork(async (uow) => {
        await users.deactivate(user.id as UserId, {}, uow);
        throw new Error('caller refused');
      })).rejects.toThrow('caller refused');
      expect((await users.getById(user.id as UserId)).isActive).toBe(true);
      expect(await eventsOf('user.deactivated', user.id)).toEqual([]);
      expect(await auditOf(user.id)).toEqual([]);
    });
  });

  describe('profile', () => {
    it('updates names with Turkish letters intact and clears an optional field with null', async () => {
      const user = await users.register(aRegistration({ phoneNumber: '+90 555 123 45 67' }));
      const updated = await users.updateProfile(user.id as UserId, { firstName: 'Şükrü', lastName: 'Ağaoğlu İnce', phoneNumber: null });
      expect(updated).toMatchObject({ firstName: 'Şükrü', lastName: 'Ağaoğlu İnce' });
      expect(updated).not.toHaveProperty('phoneNumber');
    });

    it('replaces the block of a role the user has and refuses a block of a role it has not', async () => {
      const user = await users.register(aRegistration({ roleSpecificData: { client: { height: 170 } } }));
      const updated = await users.updateProfile(user.id as UserId, { roleSpecificData: { client: { height: 172, fitnessLevel: 'intermediate' } } });
      expect(updated.roleSpecificData.client).toEqual({ height: 172, fitnessLevel: 'intermediate' });
      await expect(users.updateProfile(user.id as UserId, { roleSpecificData: { gym_owner: { businessName: 'X' } } })).rejects.toBeInstanceOf(ValidationError);
    });

    it('keeps a coach’s computed rating and refuses to set it through the profile', async () => {
      const user = await users.register(aRegistration({ role: ['coach'], roleSpecificData: { coach: { ratings: 4.5, reviewCount: 12 } } }));
      const updated = await users.updateProfile(user.id as UserId, { roleSpecificData: { coach: { bio: 'Pilates' } } });
      expect(updated.roleSpecificData.coach).toMatchObject({ bio: 'Pilates', ratings: 4.5, reviewCount: 12 });
      await expect(users.updateProfile(user.id as UserId, { roleSpecificData: { coach: { ratings: 5 } as never } })).rejects.toBeInstanceOf(ValidationError);
    });

    it('refuses fields that have their own methods, an empty patch and a stale version', async () => {
      const user = await users.register(aRegistration());
      for (const patch of [{ role: ['coach'] }, { isActive: false }, { email: 'x@example.com' }, {}]) {
        await expect(users.updateProfile(user.id as UserId, patch as never)).rejects.toBeInstanceOf(ValidationError);
      }
      await users.updateProfile(user.id as UserId, { firstName: 'Elif' });
      await expect(users.updateProfile(user.id as UserId, { firstName: 'Ece' }, { expectedVersion: user.version })).rejects.toBeInstanceOf(ConcurrencyError);
    });

    it('sets and clears the FCM token, and refuses a device for a deactivated account', async () => {
      const user = await users.register(aRegistration());
      expect((await users.setFcmToken(user.id as UserId, 'cihaz-2')).fcmToken).toBe('cihaz-2');
      expect(await users.setFcmToken(user.id as UserId, null)).not.toHaveProperty('fcmToken');
      await users.deactivate(user.id as UserId);
      await expect(users.setFcmToken(user.id as UserId, 'cihaz-3')).rejects.toBeInstanceOf(ForbiddenError);
    });
  });
});

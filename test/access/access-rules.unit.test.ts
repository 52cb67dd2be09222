import { describe, expect, it } from 'vitest';
import type { AccessLookups } from '../../src/access/access-lookups.js';
import { maskEmail, redactUserFor } from '../../src/access/access-redaction.js';
import {
  activeClientOf,
  activeCoachOf,
  allOf,
  anyAuthenticated,
  anyOf,
  arg,
  facilityManager,
  grantsOnlyHeldPermissions,
  hasRole,
  input,
  loaded,
  ownerOfFacility,
  self,
  selfOrAbsent,
  staffWithPermission,
  systemOnly,
  type AccessRequest,
} from '../../src/access/access-rules.js';
import type { ActingUser } from '../../src/access/actor.js';
import type { FacilityPermission } from '../../src/modules/facilities/facility.schema.js';
import type { User } from '../../src/modules/users/user.schema.js';

/** The relationships a rule reads, held in memory: who coaches whom, who owns and staffs which facility. */
function relationships(init: { active?: [string, string][]; owners?: [string, string][]; staff?: [string, string, FacilityPermission[]][] }) {
  let loads = 0;
  const lookups = {
    isActiveCoachOf: async (coach: string, client: string) => (init.active ?? []).some(([c, k]) => c === coach && k === client),
    ownsFacility: async (user: string, facility: string | undefined) => (init.owners ?? []).some(([u, f]) => u === user && f === facility),
    staffHasPermission: async (user: string, facility: string | undefined, p: FacilityPermission) =>
      (init.staff ?? []).some(([u, f, ps]) => u === user && f === facility && ps.includes(p)),
    measurement: async (id: string) => {
      loads += 1;
      return id === 'm1' ? { userId: 'client-1' } : null;
    },
  };
  return { lookups: lookups as unknown as AccessLookups, loads: () => loads };
}

const actor = (id: string, roles: ActingUser['roles'] = ['client']): ActingUser => ({ kind: 'user', id: id as ActingUser['id'], roles });
const request = (a: ActingUser, args: unknown[], lookups: AccessLookups): AccessRequest => ({ actor: a, args, lookups, memo: new Map() });

describe('access rule predicates', () => {
  const { lookups } = relationships({
    active: [['coach-1', 'client-1']],
    owners: [['owner-1', 'gym-1']],
    staff: [['desk-1', 'gym-1', ['check_in_members', 'manage_staff']]],
  });

  it('self holds only when the referenced user is the actor', async () => {
    expect(await self(arg(0)).check(request(actor('client-1'), ['client-1'], lookups))).toBe(true);
    expect(await self(arg(0)).check(request(actor('client-1'), ['client-2'], lookups))).toBe(false);
    expect(await self(input('userId')).check(request(actor('client-1'), [{}], lookups))).toBe(false);
  });

  it('selfOrAbsent lets an optional actor argument be left out, never name someone else', async () => {
    expect(await selfOrAbsent(arg(1)).check(request(actor('client-1'), ['x'], lookups))).toBe(true);
    expect(await selfOrAbsent(arg(1)).check(request(actor('client-1'), ['x', 'client-1'], lookups))).toBe(true);
    expect(await selfOrAbsent(arg(1)).check(request(actor('client-1'), ['x', 'client-2'], lookups))).toBe(false);
  });

  it('activeCoachOfSubject holds for the coach of an active relationship, in that direction only', async () => {
    expect(await activeCoachOf(arg(0)).check(request(actor('coach-1'), ['client-1'], lookups))).toBe(true);
    expect(await activeCoachOf(arg(0)).check(request(actor('coach-1'), ['client-2'], lookups))).toBe(false);
    expect(await activeCoachOf(arg(0)).check(request(actor('client-1'), ['coach-1'], lookups))).toBe(false);
    expect(await activeClientOf(arg(0)).check(request(actor('client-1'), ['coach-1'], lookups))).toBe(true);
  });

  it('ownerOfFacility and staffWithPermission read the facility of the call', async () => {
    expect(await ownerOfFacility(arg(0)).check(request(actor('owner-1'), ['gym-1'], lookups))).toBe(true);
    expect(await ownerOfFacility(arg(0)).check(request(actor('owner-1'), ['gym-2'], lookups))).toBe(false);
    expect(await staffWithPermission('check_in_members', arg(0)).check(request(actor('desk-1'), ['gym-1'], lookups))).toBe(true);
    expect(await staffWithPermission('manage_billing', arg(0)).check(request(actor('desk-1'), ['gym-1'], lookups))).toBe(false);
  });

  it('facilityManager admits the owner and staff holding any of the listed permissions', async () => {
    const rule = facilityManager(arg(0), 'manage_bookings', 'check_in_members');
    expect(rule.name).toBe("ownerOfFacility | staffWithPermission('manage_bookings') | staffWithPermission('check_in_members')");
    expect(await rule.check(request(actor('owner-1'), ['gym-1'], lookups))).toBe(true);
    expect(await rule.check(request(actor('desk-1'), ['gym-1'], lookups))).toBe(true);
    expect(await facilityManager(arg(0), 'view_reports').check(request(actor('desk-1'), ['gym-1'], lookups))).toBe(false);
  });

  it('grantsOnlyHeldPermissions keeps staff from handing out permissions they lack; the owner grants any', async () => {
    const granted = (ps: FacilityPermission[]) => grantsOnlyHeldPermissions(arg(0), () => ps);
    expect(await granted(['check_in_members']).check(request(actor('desk-1'), ['gym-1'], lookups))).toBe(true);
    expect(await granted(['check_in_members', 'manage_billing']).check(request(actor('desk-1'), ['gym-1'], lookups))).toBe(false);
    expect(await granted(['manage_billing']).check(request(actor('owner-1'), ['gym-1'], lookups))).toBe(true);
  });

  it('hasRole reads the roles loaded for the actor', async () => {
    expect(await hasRole('gym_owner', 'studio_owner').check(request(actor('u', ['studio_owner']), [], lookups))).toBe(true);
    expect(await hasRole('gym_owner').check(request(actor('u', ['client', 'coach']), [], lookups))).toBe(false);
  });

  it('systemOnly refuses every user and anyAuthenticated admits every user', async () => {
    expect(await systemOnly.check(request(actor('owner-1', ['gym_owner']), [], lookups))).toBe(false);
    expect(await anyAuthenticated.check(request(actor('client-1'), [], lookups))).toBe(true);
  });

  it('anyOf and allOf combine rules and name the combination', async () => {
    const either = anyOf(self(arg(0)), activeCoachOf(arg(0)));
    expect(either.name).toBe('self | activeCoachOfSubject');
    expect(allOf(self(arg(1)), either).name).toBe('self & (self | activeCoachOfSubject)');
    expect(await allOf(self(arg(1)), either).check(request(actor('coach-1'), ['client-1', 'coach-1'], lookups))).toBe(true);
    expect(await allOf(self(arg(1)), either).check(request(actor('coach-1'), ['client-1', 'coach-2'], lookups))).toBe(false);
  });

  it('loads the record a rule is about once per call, however many predicates read it', async () => {
    const world = relationships({ active: [['coach-1', 'client-1']] });
    const owner = loaded((l, id) => (l as unknown as { measurement(id: string): Promise<{ userId: string } | null> }).measurement(id), (m) => m.userId);
    const rule = anyOf(self(owner), activeCoachOf(owner));
    expect(await rule.check(request(actor('coach-1'), ['m1'], world.lookups))).toBe(true);
    expect(world.loads()).toBe(1);
    expect(await rule.check(request(actor('coach-1'), ['missing'], world.lookups))).toBe(false);
  });
});

describe('redactUserFor', () => {
  const user = {
    id: 'u1',
    email: 'ayse@example.com',
    firstName: 'Ayşe',
    lastName: 'Yılmaz',
    role: ['client', 'gym_member'],
    isActive: true,
    phoneNumber: '+90 555 123 45 67',
    fcmToken: 'device-token',
    roleSpecificData: {
      client: { fitnessLevel: 'beginner', height: 170, weight: 70, dateOfBirth: new Date('1990-05-01'), medicalConditions: ['astım'], dietaryRestrictions: ['gluten'] },
      gym_member: { facilityId: 'f1', memberSince: new Date('2026-01-01'), emergencyContact: { name: 'Ali', phoneNumber: '+90 555 000 00 00' } },
    },
  } as unknown as User;

  it('shows a user everything of their own profile', () => {
    expect(redactUserFor(user, { self: true, activeCoach: false })).toEqual(user);
  });

  it('hides health data, emergency contacts, the phone number and the device token from other users', () => {
    const seen = redactUserFor(user, { self: false, activeCoach: false });
    expect(seen).not.toHaveProperty('phoneNumber');
    expect(seen.roleSpecificData.client).toEqual({ fitnessLevel: 'beginner' });
    expect(seen.roleSpecificData.gym_member).toEqual({ facilityId: 'f1', memberSince: new Date('2026-01-01') });
    expect(seen).not.toHaveProperty('fcmToken');
  });

  it('shows the active coach the health data and phone number, not the emergency contacts or the token', () => {
    const seen = redactUserFor(user, { self: false, activeCoach: true });
    expect(seen.roleSpecificData.client?.medicalConditions).toEqual(['astım']);
    expect(seen.phoneNumber).toBe('+90 555 123 45 67');
    expect(seen.roleSpecificData.gym_member).not.toHaveProperty('emergencyContact');
    expect(seen).not.toHaveProperty('fcmToken');
  });

  it("masks other users' e-mail address, and shows it to the active coach and the member's facility", () => {
    expect(redactUserFor(user, { self: false, activeCoach: false }).email).toBe('a***@example.com');
    expect(redactUserFor(user, { self: false, activeCoach: false, managesMembership: false }).email).toBe('a***@example.com');
    expect(redactUserFor(user, { self: false, activeCoach: true }).email).toBe('ayse@example.com');
    const byGym = redactUserFor(user, { self: false, activeCoach: false, managesMembership: true });
    expect(byGym.email).toBe('ayse@example.com');
    // The facility sees the address, not the coach's share of the profile.
    expect(byGym).not.toHaveProperty('phoneNumber');
    expect(byGym.roleSpecificData.client).toEqual({ fitnessLevel: 'beginner' });
  });
});

describe('maskEmail', () => {
  it('keeps the first character and the domain, and hides the length of the local part', () => {
    expect(maskEmail('ayse.yilmaz@example.com')).toBe('a***@example.com');
    expect(maskEmail('a@example.com')).toBe('a***@example.com');
    expect(maskEmail('ömer@örnek.com.tr')).toBe('ö***@örnek.com.tr');
    expect(maskEmail('not-an-address')).toBe('***');
  });

  it('still gives an address the user schema accepts', async () => {
    const { userSchema } = await import('../../src/modules/users/user.schema.js');
    const email = userSchema.shape.email;
    expect(email.safeParse(maskEmail('deniz.kaya@example.com')).success).toBe(true);
  });
});

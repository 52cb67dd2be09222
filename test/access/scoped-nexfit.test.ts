import { beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_POLICY } from '../../src/access/access-policy.js';
import { AccessDeniedError, systemActor } from '../../src/access/actor.js';
import type { FacilityId, UserId } from '../../src/core/ids.js';
import type { FacilityPermission } from '../../src/modules/facilities/facility.schema.js';
import type { UserRole } from '../../src/modules/users/user.schema.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

/** Behaviour of `nexfit.as(actor)` beyond the allowed/denied matrix: who may act, what reads show, and that relationships are read afresh. */

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
let n = 0;

async function user(role: UserRole, roleSpecificData: Record<string, unknown> = {}): Promise<UserId> {
  n += 1;
  const created = await t.nexfit.users.register({ ...createInputs.users({ email: `scoped-${n}@example.com`, role: [role], roleSpecificData }), password: 'gizli-şifre-1' } as never);
  return created.id;
}
const clientData = { client: { fitnessLevel: 'beginner', height: 170, weight: 70, medicalConditions: ['astım'] } };

async function denial(promise: Promise<unknown>): Promise<AccessDeniedError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AccessDeniedError);
  return error as AccessDeniedError;
}

let owner: UserId;
let gym: FacilityId;

beforeAll(async () => {
  owner = await user('gym_owner', { gym_owner: { businessName: 'Moda Gym', taxId: '1234567890' } });
  gym = (await t.nexfit.facilities.create(createInputs.facilities({ ownerId: owner, staff: [] }) as never)).id;
});

describe('nexfit.as', () => {
  it('refuses an unknown user and a deactivated one', async () => {
    await denial(t.nexfit.as(t.nexfit.ids.newObjectId() as UserId));
    const leaver = await user('client');
    await t.nexfit.users.deactivate(leaver);
    await denial(t.nexfit.as(leaver));
  });

  it('gives the unscoped services for the explicit system actor', async () => {
    const system = await t.nexfit.as(systemActor);
    expect(system.actor).toBeNull();
    expect(system.context).toEqual({ actorId: null });
    expect(Object.keys(system.measurements).sort()).toEqual(Object.keys(ACCESS_POLICY).filter((k) => k.startsWith('measurements.')).map((k) => k.slice('measurements.'.length)).sort());
    expect(system).not.toHaveProperty('repositories');
    // Unrestricted: the system reads any user's records.
    const someone = await user('client', clientData);
    await t.nexfit.measurements.record({ userId: someone, date: '2026-03-01', measurements: { weight: 70 } });
    expect((await system.measurements.history(someone, {})).items).toHaveLength(1);
  });

  it('refuses with a stable code, the operation and the rule, and without running the operation', async () => {
    const client = await user('client', clientData);
    const stranger = await user('client', clientData);
    const asStranger = await t.nexfit.as(stranger);
    const error = await denial(asStranger.measurements.record({ userId: client, date: '2026-03-01', measurements: { weight: 70 } }));
    expect(error.code).toBe('FORBIDDEN');
    expect(error.details).toEqual({ reason: 'access_denied', operation: 'measurements.record', rule: 'self', actorId: stranger });
    expect((await t.nexfit.measurements.history(client, {})).items).toEqual([]);
  });

  it("lets a coach read a client's measurements only while their relationship is active", async () => {
    const coach = await user('coach', { coach: {} });
    const client = await user('client', clientData);
    await t.nexfit.measurements.record({ userId: client, date: '2026-03-01', measurements: { weight: 70 } });
    const asCoach = await t.nexfit.as(coach);
    const asClient = await t.nexfit.as(client);
    const relation = await asClient.coaching.requestCoaching({ coachId: coach, clientId: client, goals: [] });
    await denial(asCoach.measurements.history(client, {}));
    await asCoach.coaching.acceptRequest(relation.id, coach);
    expect((await asCoach.measurements.history(client, {})).items).toHaveLength(1);
    await asClient.coaching.endRelationship(relation.id, client);
    await denial(asCoach.measurements.history(client, {}));
  });

  it("shows other users a profile without health data, tax id or password hash; the active coach sees the health data", async () => {
    const coach = await user('coach', { coach: {} });
    const client = await user('client', clientData);
    const stranger = await user('client');
    const relation = await t.nexfit.coaching.requestCoaching({ coachId: coach, clientId: client, goals: [] });
    await t.nexfit.coaching.acceptRequest(relation.id, coach);

    const byStranger = await (await t.nexfit.as(stranger)).users.getById(client);
    expect(byStranger.roleSpecificData.client).toEqual({ fitnessLevel: 'beginner' });
    expect(byStranger).not.toHaveProperty('passwordHash');
    const byCoach = await (await t.nexfit.as(coach)).users.getById(client);
    expect(byCoach.roleSpecificData.client?.medicalConditions).toEqual(['astım']);
    const bySelf = await (await t.nexfit.as(client)).users.getById(client);
    expect(bySelf.roleSpecificData.client?.height).toBe(170);
    expect(bySelf).not.toHaveProperty('passwordHash');
    const ownerSeenByStranger = await (await t.nexfit.as(stranger)).users.getById(owner);
    expect(ownerSeenByStranger.roleSpecificData.gym_owner).toEqual({ businessName: 'Moda Gym' });
  });

  it("never shows the client the coach's private notes", async () => {
    const coach = await user('coach', { coach: {} });
    const client = await user('client');
    const asCoach = await t.nexfit.as(coach);
    const asClient = await t.nexfit.as(client);
    const relation = await asClient.coaching.requestCoaching({ coachId: coach, clientId: client, goals: [] });
    await asCoach.coaching.acceptRequest(relation.id, coach);
    await asCoach.coaching.addNote(relation.id, coach, { text: 'diz sakatlığı', visibility: 'private' });
    await asCoach.coaching.addNote(relation.id, coach, { text: 'harika gidiyorsun', visibility: 'visible' });
    expect((await asCoach.coaching.getRelationForCoach(relation.id, coach)).notes.private.map((x) => x.text)).toEqual(['diz sakatlığı']);
    const seen = await asClient.coaching.getRelationForClient(relation.id, client);
    expect(seen.notes).toEqual({ visible: [expect.objectContaining({ text: 'harika gidiyorsun' })] });
    await denial(asClient.coaching.getRelationForCoach(relation.id, client));
  });

  it("refuses a coach acting under another coach's id", async () => {
    const coach = await user('coach', { coach: {} });
    const otherCoach = await user('coach', { coach: {} });
    const client = await user('client');
    const relation = await t.nexfit.coaching.requestCoaching({ coachId: otherCoach, clientId: client, goals: [] });
    await denial((await t.nexfit.as(coach)).coaching.acceptRequest(relation.id, otherCoach));
    expect((await t.nexfit.repositories.coachClients.getById(relation.id)).relationship.status).toBe('pending');
  });

  describe('facility staff', () => {
    async function staff(permissions: FacilityPermission[]): Promise<UserId> {
      const id = await user('gym_coach', { gym_coach: { facilityId: gym } });
      await t.nexfit.facilities.addStaff(gym, { userId: id, role: 'other', permissions });
      return id;
    }

    it('lose a right the moment the permission is taken away', async () => {
      const instructor = await staff(['manage_classes']);
      const asInstructor = await t.nexfit.as(instructor);
      const created = await asInstructor.classes.createClass(createInputs.classes({ facilityId: gym }) as never);
      await t.nexfit.facilities.changeStaff(gym, instructor, { permissions: [] });
      await denial(asInstructor.classes.updateClass(created.id, { description: 'yeni' }));
    });

    it('cannot grant a permission they do not hold', async () => {
      const manager = await staff(['manage_staff', 'manage_classes']);
      const hire = await user('gym_coach', { gym_coach: { facilityId: gym } });
      const asManager = await t.nexfit.as(manager);
      await denial(asManager.facilities.addStaff(gym, { userId: hire, role: 'other', permissions: ['manage_billing'] }));
      const after = await asManager.facilities.addStaff(gym, { userId: hire, role: 'other', permissions: ['manage_classes'] });
      expect(after.staff.find((s) => s.userId === hire)?.permissions).toEqual(['manage_classes']);
    });

    it('cannot hand out permissions through a facility patch, and nobody but the system changes the platform plan', async () => {
      const editor = await staff(['manage_facility']);
      const asEditor = await t.nexfit.as(editor);
      const joinedAt = new Date('2026-03-01T00:00:00Z');
      await denial(asEditor.facilities.update(gym, { staff: [{ userId: editor, role: 'manager', permissions: ['manage_billing'], joinedAt }] }));
      expect((await t.nexfit.facilities.getById(gym)).staff.find((s) => s.userId === editor)?.permissions).toEqual(['manage_facility']);
      await asEditor.facilities.update(gym, { description: 'Moda sahilinde' });
      const plan = { planId: 'platform-free', startDate: joinedAt, isActive: true };
      await denial((await t.nexfit.as(owner)).facilities.update(gym, { subscriptionPlan: plan }));
    });

    it('are listed on the facility page for the owner and the staff, not for outsiders', async () => {
      const member = await staff([]);
      const outsider = await user('client');
      expect((await (await t.nexfit.as(outsider)).facilities.getById(gym)).staff).toEqual([]);
      expect((await (await t.nexfit.as(member)).facilities.getById(gym)).staff.map((s) => s.userId)).toContain(member);
      expect((await (await t.nexfit.as(owner)).facilities.getById(gym)).staff.map((s) => s.userId)).toContain(member);
    });

    it("see a member's subscription, but its payments only with manage_billing", async () => {
      const member = await user('gym_member', { gym_member: { facilityId: gym, memberSince: new Date('2026-01-01T00:00:00Z') } });
      const plan = await t.nexfit.memberships.createPlan(createInputs.memberships({ facilityId: gym }) as never);
      const subscription = await t.nexfit.repositories.memberSubscriptions.create(createInputs.member_subscriptions({ userId: member, facilityId: gym, membershipId: plan.id }) as never);
      const desk = await t.nexfit.as(await staff(['view_members']));
      const accounts = await t.nexfit.as(await staff(['manage_billing']));
      expect((await desk.memberships.getSubscription(subscription.id)).paymentHistory).toEqual([]);
      expect((await accounts.memberships.getSubscription(subscription.id)).paymentHistory).toHaveLength(1);
      expect((await (await t.nexfit.as(member)).memberships.getSubscription(subscription.id)).paymentHistory).toHaveLength(1);
    });
  });
});

describe("other users' e-mail addresses through a scope", () => {
  async function member(facilityId: FacilityId, status: 'active' | 'pending'): Promise<UserId> {
    const id = await user('gym_member', { gym_member: { facilityId, memberSince: new Date('2026-01-01T00:00:00Z') } });
    const plan = await t.nexfit.memberships.createPlan(createInputs.memberships({ facilityId }) as never);
    await t.nexfit.repositories.memberSubscriptions.create(createInputs.member_subscriptions({ userId: id, facilityId, membershipId: plan.id, status }) as never);
    return id;
  }
  async function staffOf(facilityId: FacilityId, permissions: FacilityPermission[]): Promise<UserId> {
    const id = await user('gym_coach', { gym_coach: { facilityId } });
    await t.nexfit.facilities.addStaff(facilityId, { userId: id, role: 'other', permissions });
    return id;
  }
  const emailSeenBy = async (viewer: UserId, subject: UserId) => (await (await t.nexfit.as(viewer)).users.getById(subject)).email;

  it('are masked for a stranger and shown in full to the user and their active coach', async () => {
    const coach = await user('coach', { coach: {} });
    const client = await user('client', clientData);
    const stranger = await user('client');
    const relation = await t.nexfit.coaching.requestCoaching({ coachId: coach, clientId: client, goals: [] });
    const { email } = await t.nexfit.users.getById(client);
    expect(email).toMatch(/^scoped-\d+@example\.com$/);

    expect(await emailSeenBy(stranger, client)).toBe('s***@example.com');
    expect(await emailSeenBy(client, client)).toBe(email);
    // A pending request is not a coaching relationship yet.
    expect(await emailSeenBy(coach, client)).toBe('s***@example.com');
    await t.nexfit.coaching.acceptRequest(relation.id, coach);
    expect(await emailSeenBy(coach, client)).toBe(email);
    await t.nexfit.coaching.endRelationship(relation.id, client);
    expect(await emailSeenBy(coach, client)).toBe('s***@example.com');
  });

  it("are shown to the owner and member-record staff of a facility where the user is an active member, and to nobody else there", async () => {
    const active = await member(gym, 'active');
    const pending = await member(gym, 'pending');
    const { email } = await t.nexfit.users.getById(active);
    const desk = await staffOf(gym, ['view_members']);
    const instructor = await staffOf(gym, ['manage_classes']);
    const otherOwner = await user('gym_owner', { gym_owner: { businessName: 'Başka Gym' } });
    await t.nexfit.facilities.create(createInputs.facilities({ ownerId: otherOwner, staff: [] }) as never);

    expect(await emailSeenBy(owner, active)).toBe(email);
    expect(await emailSeenBy(desk, active)).toBe(email);
    expect(await emailSeenBy(instructor, active)).toBe('s***@example.com');
    expect(await emailSeenBy(otherOwner, active)).toBe('s***@example.com');
    expect(await emailSeenBy(owner, pending)).toBe('s***@example.com');
    // The gym sees the address, not the coach's share of the profile.
    expect((await (await t.nexfit.as(owner)).users.getById(active)).roleSpecificData.gym_member).not.toHaveProperty('emergencyContact');
  });

  it('are masked in the coach directory for a stranger, not for the coach themself', async () => {
    const coach = await user('coach', { coach: {} });
    const stranger = await user('client');
    const { email } = await t.nexfit.users.getById(coach);
    const listed = async (viewer: UserId) => {
      const scope = await t.nexfit.as(viewer);
      for (let page = await scope.users.listByRole('coach', { limit: 200 }); ; page = await scope.users.listByRole('coach', { limit: 200, after: page.nextCursor! })) {
        const found = page.items.find((u) => u.id === coach);
        if (found || !page.nextCursor) return found;
      }
    };
    expect((await listed(stranger))?.email).toBe('s***@example.com');
    expect((await listed(coach))?.email).toBe(email);
  });
});


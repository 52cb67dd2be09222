import { beforeAll, describe, expect, it } from 'vitest';
import { AccessDeniedError } from '../../src/access/actor.js';
import type { ScopedNexfit } from '../../src/access/scoped-nexfit.js';
import type { ClassId, FacilityId, MembershipId, UserId } from '../../src/core/ids.js';
import { TestPaymentProvider } from '../../src/modules/billing/payment-provider.js';
import type { UserRole } from '../../src/modules/users/user.schema.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

/**
 * "My records" through a scope: a member lists their own bookings (with the classes),
 * subscriptions, invoices, payments, PT sessions, workout logs, measurements and nutrition
 * plans, page by page; another member asking for them is refused.
 */

const payments = new TestPaymentProvider();
const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z', nexfit: { payments } });
let n = 0;

async function user(role: UserRole, roleSpecificData: Record<string, unknown> = {}): Promise<UserId> {
  n += 1;
  const created = await t.nexfit.users.register({ ...createInputs.users({ email: `own-records-${n}@example.com`, role: [role], roleSpecificData }), password: 'gizli-şifre-1' } as never);
  return created.id;
}

let member: UserId;
let other: UserId;
let coach: UserId;
let gym: FacilityId;
let yoga: ClassId;
let asMember: ScopedNexfit;
let asOther: ScopedNexfit;
let asCoach: ScopedNexfit;
const WEEK_MS = 7 * 24 * 3_600_000;

beforeAll(async () => {
  const owner = await user('gym_owner', { gym_owner: { businessName: 'Moda Gym' } });
  member = await user('client');
  other = await user('client');
  coach = await user('coach', { coach: {} });
  gym = (await t.nexfit.facilities.create(createInputs.facilities({ ownerId: owner, staff: [] }) as never)).id;
  const plan: MembershipId = (await t.nexfit.memberships.createPlan({ facilityId: gym, name: 'Aylık', duration: { value: 1, unit: 'month' }, price: 1_500_00 })).id;
  await t.nexfit.workflows.purchaseMembership({ userId: member, membershipId: plan, paymentMethod: 'card', autoRenew: false, idempotencyKey: `own-${t.nexfit.ids.newUuid()}` });
  await t.nexfit.workflows.purchaseMembership({ userId: other, membershipId: plan, paymentMethod: 'card', autoRenew: false, idempotencyKey: `own-${t.nexfit.ids.newUuid()}` });
  const repos = t.nexfit.repositories;
  yoga = (await repos.classes.create(createInputs.classes({ facilityId: gym, name: 'Sabah Yogası', instructor: { userId: coach, name: 'Elif' } } as never))).id;
  for (let week = 0; week < 3; week += 1) {
    await repos.classBookings.create(createInputs.class_bookings({ classId: yoga, userId: member, date: new Date(Date.parse('2026-03-03T06:00:00Z') + week * WEEK_MS) } as never));
  }
  await repos.classBookings.create(createInputs.class_bookings({ classId: yoga, userId: other, date: new Date('2026-03-03T06:00:00Z') } as never));
  const relation = await t.nexfit.coaching.requestCoaching({ coachId: coach, clientId: member, goals: [] });
  await t.nexfit.coaching.acceptRequest(relation.id, coach);
  await t.nexfit.coaching.scheduleSession(createInputs.pt_sessions({ coachId: coach, clientId: member, coachClientId: relation.id, facilityId: gym, startTime: new Date('2026-03-09T09:00:00Z'), endTime: new Date('2026-03-09T10:00:00Z'), workout: { exercises: [] } } as never));
  asMember = await t.nexfit.as(member);
  asOther = await t.nexfit.as(other);
  asCoach = await t.nexfit.as(coach);
}, 60_000);

async function denied(promise: Promise<unknown>): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(AccessDeniedError);
}

describe("a member's own records through a scope", () => {
  it('lists their bookings with the class of each, newest first, page by page', async () => {
    const first = await asMember.bookings.listMemberBookings(member, {}, { limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await asMember.bookings.listMemberBookings(member, {}, { limit: 2, after: first.nextCursor! });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items];
    expect(all.every((b) => b.booking.userId === member && b.class?.id === yoga && b.class.name === 'Sabah Yogası')).toBe(true);
    const starts = all.map((b) => b.booking.date.getTime());
    expect(starts).toEqual([...starts].sort((a, b) => b - a));
    await denied(asOther.bookings.listMemberBookings(member));
  });

  it('lists their subscriptions, invoices and payments, and nobody else sees them', async () => {
    expect((await asMember.memberships.listSubscriptionsByUser(member)).items.map((s) => s.userId)).toEqual([member]);
    const invoices = await asMember.billing.listUserInvoices(member);
    expect(invoices.items).toHaveLength(1);
    expect(invoices.items[0]).toMatchObject({ userId: member, businessId: gym, status: 'paid' });
    const transactions = await asMember.billing.listUserTransactions(member, { status: 'completed' });
    expect(transactions.items.map((x) => [x.userId, x.amount])).toEqual([[member, 1_500_00]]);
    await denied(asOther.billing.listUserInvoices(member));
    await denied(asOther.billing.listUserTransactions(member));
    await denied(asOther.memberships.listSubscriptionsByUser(member));
  });

  it('lists their PT sessions; the coach lists their agenda; a stranger neither', async () => {
    expect((await asMember.coaching.listClientSessions(member)).items.map((s) => s.coachId)).toEqual([coach]);
    expect((await asCoach.coaching.listCoachSessions(coach, { from: '2026-03-08', to: '2026-03-15' })).items.map((s) => s.clientId)).toEqual([member]);
    expect((await asCoach.coaching.listCoachSessions(coach, { from: '2026-04-01' })).items).toEqual([]);
    await denied(asOther.coaching.listClientSessions(member));
    await denied(asMember.coaching.listCoachSessions(coach));
  });

  it('lists their workout logs, measurements and nutrition plans; the active coach reads the logs too', async () => {
    await t.nexfit.repositories.workoutLogs.create(createInputs.workout_logs({ userId: member } as never));
    await asMember.measurements.record({ userId: member, date: '2026-03-01', measurements: { weight: 71 } });
    const logs = await asMember.workoutLogs.listLogs(member);
    expect(logs.items.length).toBeGreaterThanOrEqual(1);
    expect(logs.items.every((l) => l.userId === member)).toBe(true);
    expect((await asCoach.workoutLogs.listLogs(member)).items.map((l) => l.id)).toEqual(logs.items.map((l) => l.id));
    expect((await asMember.measurements.history(member, {})).items.map((m) => m.userId)).toEqual([member]);
    expect((await asMember.nutrition.listForClient(member)).items).toEqual([]);
    await denied(asOther.workoutLogs.listLogs(member));
    await denied(asOther.measurements.history(member, {}));
    await denied(asOther.nutrition.listForClient(member));
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { addCalendarDays, calendarDayOf } from '../../src/modules/memberships/index.js';
import { systemActor, type Actor } from '../../src/access/actor.js';
import type { ScopedNexfit } from '../../src/access/scoped-nexfit.js';
import type { fixedClock } from '../../src/core/clock.js';
import type { FacilityId, MembershipId, UserId } from '../../src/core/ids.js';
import { createTestKeyring } from '../../src/core/keyring.js';
import { createNexfit } from '../../src/create-nexfit.js';
import { TestPaymentProvider } from '../../src/modules/billing/payment-provider.js';
import { BookingSuspensionRepository } from '../../src/modules/classes/booking-strike.repository.js';
import { BookingFeeRepository } from '../../src/modules/classes/booking-fee.repository.js';
import type { UserRole } from '../../src/modules/users/user.schema.js';
import { SimulatedCrash, type UowProtocolStep } from '../../src/uow/protocol-steps.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

/**
 * Who acted, everywhere: every audited operation is run through a scope made with a request
 * origin, and every audit row the run wrote must name that scope's actor (none for the
 * system) with its IP address, user agent and request id. The audited actions are read from
 * the source, so a new audited action that this walk does not reach fails the test.
 */

const payments = new TestPaymentProvider();
const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z', nexfit: { payments } });
const clock = () => t.clock as ReturnType<typeof fixedClock>;
const PASSWORD = 'gizli-şifre-1';
let n = 0;

async function user(role: UserRole, roleSpecificData: Record<string, unknown> = {}): Promise<UserId> {
  n += 1;
  const created = await t.nexfit.users.register({ ...createInputs.users({ email: `audit-actor-${n}@example.com`, role: [role], roleSpecificData }), password: PASSWORD } as never);
  return created.id;
}

/** What each request id stands for: the actor the audit rows of that request must name. */
const requests = new Map<string, { actorId: string | null; ipAddress: string; userAgent: string }>();

async function scope(actor: Actor, label: string): Promise<ScopedNexfit> {
  const requestId = `req-${label}-${requests.size + 1}`;
  const origin = { ipAddress: `203.0.113.${requests.size + 1}`, userAgent: `nexfit-test/${label}`, requestId };
  requests.set(requestId, { actorId: typeof actor === 'string' ? actor : null, ipAddress: origin.ipAddress, userAgent: origin.userAgent });
  return t.nexfit.as(actor, origin);
}

/** Every audit action the source can write: literals of `audit.record` calls, staff actions and the compensation's `void`. */
function auditedActionsInSource(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (path.endsWith('.ts')) files.push(path);
    }
  };
  walk(join(import.meta.dirname, '../../src'));
  const actions = new Set<string>();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    if (!/audit\.record\(|insertInto\('audit_logs'\)/.test(source)) continue;
    for (const m of source.matchAll(/action: (?:[a-zA-Z]+ \? )?'([a-z_.]+)'(?: : '([a-z_.]+)')?/g)) {
      actions.add(m[1]!);
      if (m[2]) actions.add(m[2]);
    }
    for (const m of source.matchAll(/#auditStaff\(u, [a-zA-Z]+, '([a-z_.]+)'/g)) actions.add(m[1]!);
  }
  return [...actions].sort();
}

interface AuditRow {
  id: string;
  entity_type: string;
  action: string;
  user_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
}

async function rowsAfter(mark: string): Promise<AuditRow[]> {
  const { rows } = await sql<AuditRow>`SELECT id::text, entity_type, action, user_id, ip_address, user_agent, request_id FROM audit_logs WHERE id > ${mark} ORDER BY id`.execute(t.nexfit.pg);
  return rows;
}

async function auditMark(): Promise<string> {
  const { rows } = await sql<{ mark: string }>`SELECT coalesce(max(id), 0)::text AS mark FROM audit_logs`.execute(t.nexfit.pg);
  return rows[0]!.mark;
}

function expectRowsNameTheirRequest(rows: readonly AuditRow[]): void {
  const wrong = rows.filter((row) => {
    const request = row.request_id === null ? undefined : requests.get(row.request_id);
    return !request || row.user_id !== request.actorId || row.ip_address !== request.ipAddress || row.user_agent !== request.userAgent;
  });
  expect(wrong, 'audit rows without their request context').toEqual([]);
}

let owner: UserId;
let gym: FacilityId;
let plan: MembershipId;
let shortPlan: MembershipId;

beforeAll(async () => {
  owner = await user('gym_owner', { gym_owner: { businessName: 'Moda Gym', taxId: '1234567890' } });
  gym = (await t.nexfit.facilities.create(createInputs.facilities({ ownerId: owner, staff: [] }) as never)).id;
  plan = (await t.nexfit.memberships.createPlan({ facilityId: gym, name: 'Aylık', duration: { value: 1, unit: 'month' }, price: 1_500_00 })).id;
  shortPlan = (await t.nexfit.memberships.createPlan({ facilityId: gym, name: 'Haftalık', duration: { value: 1, unit: 'week' }, price: 500_00 })).id;
}, 60_000);

describe('audit rows name who acted and from where', () => {
  it('for every audited operation, run through scopes of members, an owner and the system', async () => {
    const staffer = await user('client');
    const buyer = await user('client');
    const canceller = await user('client');
    const renewer = await user('client');
    const lapser = await user('client');
    const defaulter = await user('client');
    const leaver = await user('client');
    const promoted = await user('client');
    const erased = await user('client');
    const changer = await user('client');
    const mark = await auditMark();
    const key = (label: string) => `${label}-${t.nexfit.ids.newUuid()}`;

    // The owner runs the business.
    const asOwner = await scope(owner, 'owner');
    const second = await asOwner.facilities.create(createInputs.facilities({ ownerId: owner, staff: [] }) as never);
    await asOwner.facilities.update(second.id, { name: 'Moda Gym 2' });
    await asOwner.facilities.addStaff(gym, { userId: staffer, role: 'receptionist' });
    await asOwner.facilities.changeStaff(gym, staffer, { role: 'manager' });
    await asOwner.facilities.removeStaff(gym, staffer);
    const extra = await asOwner.memberships.createPlan({ facilityId: gym, name: 'Yıllık', duration: { value: 1, unit: 'year' }, price: 12_000_00 });
    await asOwner.memberships.updatePlan(extra.id, { price: 11_000_00 });
    // The owner lifts a member's booking suspension.
    const suspended = await user('client');
    const now = t.clock.now();
    await new BookingSuspensionRepository(t.nexfit.mongo.db, t.deps).create({ userId: suspended, facilityId: gym, from: now, until: new Date(now.getTime() + 7 * 86_400_000), strikes: 3 });
    await asOwner.bookings.liftSuspension({ userId: suspended, facilityId: gym, reason: 'doktor raporu' });
    // The owner publishes a waiver at the second facility (the gym's members book without one).
    await asOwner.waivers.publish({ facilityId: second.id, title: 'Sorumluluk feragatnamesi', body: 'Derslere kendi sorumluluğumda katılıyorum.' });
    // The owner waives a member's unpaid no-show fee.
    const feeClass = await t.nexfit.repositories.classes.create(createInputs.classes({ facilityId: gym }));
    const feeBooking = await t.nexfit.repositories.classBookings.create(createInputs.class_bookings({ classId: feeClass.id, userId: suspended }));
    await new BookingFeeRepository(t.nexfit.mongo.db, t.deps).create({ userId: suspended, facilityId: gym, bookingId: feeBooking.id, kind: 'no_show', amount: 150_00, currency: 'TRY', status: 'unpaid', attempts: 1 });
    await asOwner.workflows.waiveFee({ bookingId: feeBooking.id, reason: 'doktor raporu' });
    // The owner links a parent to a member as payer; the parent revokes the link.
    const [payer, payee] = [await user('client'), await user('client')];
    const payerLink = await asOwner.accountLinks.link({ accountUserId: payer, dependantUserId: payee, relation: 'payer', facilityId: gym });
    await (await scope(payer, 'payer')).accountLinks.revoke(payerLink.id);
    // The owner runs a promotion and ends it.
    const promo = await asOwner.promoCodes.create({ facilityId: gym, code: 'acilis', kind: 'percent', value: 10 });
    await asOwner.promoCodes.deactivate(gym, promo.id);

    // Members buy, stop renewing, cancel, change their password and export their data.
    const asBuyer = await scope(buyer, 'buyer');
    await asBuyer.users.changePassword(buyer, { currentPassword: PASSWORD, newPassword: 'yeni-şifre-22' });
    const bought = await asBuyer.workflows.purchaseMembership({ userId: buyer, membershipId: plan, paymentMethod: 'card', autoRenew: true, idempotencyKey: key('buy') });
    await asBuyer.memberships.stopAutoRenew(bought.memberSubscription.id, 'moving away');
    await asBuyer.privacy.exportUserData(buyer);
    const asCanceller = await scope(canceller, 'canceller');
    const cancelled = await asCanceller.workflows.purchaseMembership({ userId: canceller, membershipId: plan, paymentMethod: 'card', autoRenew: true, idempotencyKey: key('cancel') });
    await asCanceller.workflows.cancelMembership({ memberSubscriptionId: cancelled.memberSubscription.id, when: 'immediately' });
    // A member moves to a dearer plan of the same gym.
    const premium = await asOwner.memberships.createPlan({ facilityId: gym, name: 'Premium', duration: { value: 1, unit: 'month' }, price: 2_000_00 });
    const asChanger = await scope(changer, 'changer');
    const changing = await asChanger.workflows.purchaseMembership({ userId: changer, membershipId: plan, paymentMethod: 'card', autoRenew: true, idempotencyKey: key('change') });
    await asChanger.workflows.changeMembershipPlan({ memberSubscriptionId: changing.memberSubscription.id, membershipId: premium.id, paymentMethod: 'card', idempotencyKey: key('upgrade') });
    // A member freezes from tomorrow, calls it off, and freezes again (the nightly job ends it).
    const freezer = await user('client');
    const asFreezer = await scope(freezer, 'freezer');
    const frozen = await asFreezer.workflows.purchaseMembership({ userId: freezer, membershipId: plan, paymentMethod: 'card', autoRenew: true, idempotencyKey: key('freeze') });
    const tomorrow = addCalendarDays(calendarDayOf(t.clock.now(), 'Europe/Istanbul'), 1);
    const firstFreeze = await asFreezer.workflows.freezeMembership({ memberSubscriptionId: frozen.memberSubscription.id, startDate: tomorrow, resumeDate: addCalendarDays(tomorrow, 3) });
    await asFreezer.workflows.unfreezeMembership({ memberSubscriptionId: frozen.memberSubscription.id, freezeId: firstFreeze.freeze.freezeId });
    await asFreezer.workflows.freezeMembership({ memberSubscriptionId: frozen.memberSubscription.id, startDate: tomorrow, resumeDate: addCalendarDays(tomorrow, 3) });
    // The owner refunds the buyer.
    await (await scope(owner, 'owner-refund')).workflows.refundMembership({ memberSubscriptionId: bought.memberSubscription.id, idempotencyKey: key('refund') });
    // A member buys a class pack; the owner adjusts its credits.
    const packer = await user('client');
    const pack = await asOwner.memberships.createPlan({
      facilityId: gym,
      name: '10 Ders',
      duration: { value: 3, unit: 'month' },
      price: 2_000_00,
      limitations: { classesIncluded: true },
      credits: { count: 10, validFor: { value: 1, unit: 'week' }, activation: 'on_purchase' },
    });
    const packed = await (await scope(packer, 'packer')).workflows.purchaseMembership({ userId: packer, membershipId: pack.id, paymentMethod: 'card', autoRenew: false, idempotencyKey: key('pack') });
    await asOwner.memberships.grantCredits(packed.memberSubscription.id, { amount: 2, reason: 'studio closed' });
    await asOwner.memberships.revokeCredits(packed.memberSubscription.id, { amount: 1, reason: 'sold by mistake' });

    // A member leaves; the system brings them back, changes roles and erases another user.
    await (await scope(leaver, 'leaver')).users.deactivate(leaver);
    const asOperator = await scope(systemActor, 'operator');
    await asOperator.users.reactivate(leaver);
    await asOperator.users.addRole(promoted, 'coach', { specializations: ['yoga'] });
    await asOperator.users.removeRole(promoted, 'coach');
    await asOperator.privacy.eraseUser(erased, { reason: 'KVKK request 2026-118' });
    // The operator loads data (`nexfit import`).
    await asOperator.workflows.bulkCreate({ entity: 'foods', rows: [createInputs.foods({ name: 'Toplu yulaf' })] });

    // The nightly jobs, as the system with the run's request id.
    await (await scope(renewer, 'renewer')).workflows.purchaseMembership({ userId: renewer, membershipId: plan, paymentMethod: 'card', autoRenew: true, idempotencyKey: key('renew') });
    await (await scope(lapser, 'lapser')).workflows.purchaseMembership({ userId: lapser, membershipId: shortPlan, paymentMethod: 'card', autoRenew: false, idempotencyKey: key('lapse') });
    await (await scope(defaulter, 'defaulter')).workflows.purchaseMembership({ userId: defaulter, membershipId: shortPlan, paymentMethod: 'card', autoRenew: true, idempotencyKey: key('default') });
    clock().advance(35 * 24 * 3_600_000);
    const nightly = await scope(systemActor, 'nightly');
    await nightly.workflows.applyFreezes({ asOf: t.clock.now() });
    // The defaulter's card is declined from now on (the runs charge one subscription at a time).
    const charge = payments.charge.bind(payments);
    payments.charge = async (request) => {
      if (request.userId === defaulter) payments.declineNextCharge();
      return charge(request);
    };
    const renewals = await nightly.workflows.renewDueSubscriptions({ asOf: t.clock.now() });
    expect(renewals.results.filter((r) => r.outcome === 'renewed').length).toBeGreaterThan(0);
    expect(await nightly.workflows.expireEnded(t.clock.now())).not.toEqual([]);
    expect(await nightly.memberships.expireCredits(t.clock.now())).not.toEqual([]);
    // The dunning runs retry the declined renewal 1, 4 and 11 days later, then write it off.
    for (const days of [1, 3, 7]) {
      clock().advance(days * 24 * 3_600_000);
      await nightly.workflows.retryOverdueRenewals({ asOf: t.clock.now() });
    }
    payments.charge = charge;

    const rows = await rowsAfter(mark);
    expectRowsNameTheirRequest(rows);
    // The members' and the owner's rows name them; the jobs' rows name nobody but carry the run's request id.
    expect(rows.filter((r) => r.user_id === buyer).map((r) => `${r.entity_type}:${r.action}`)).toEqual(
      expect.arrayContaining(['users:user.password_changed', 'member_subscriptions:create', 'transactions:create', 'invoices:create', 'member_subscriptions:auto_renew_off', 'users:export']),
    );
    expect(rows.filter((r) => r.user_id === owner).map((r) => `${r.entity_type}:${r.action}`)).toEqual(
      expect.arrayContaining(['facilities:create', 'facilities:update', 'facilities:staff.add', 'facilities:staff.change', 'facilities:staff.remove', 'memberships:create', 'memberships:update', 'transactions:status_change', 'booking_suspensions:booking_suspension.lifted', 'waivers:waiver.published', 'promo_codes:create', 'promo_codes:deactivate']),
    );
    expect(rows.filter((r) => r.request_id?.startsWith('req-nightly-')).map((r) => r.action)).toEqual(expect.arrayContaining(['renew', 'expire', 'apply_freezes', 'dunning', 'write_off']));

    // Every action the source can audit was reached, except the compensation's `void` (next test).
    const reached = new Set(rows.map((r) => r.action));
    expect(auditedActionsInSource().filter((a) => !reached.has(a))).toEqual(['void']);
  }, 120_000);

  it('for the void row an ordered-mode compensation writes after a crash, and for the purchase recovery completes', async () => {
    const crashes: UowProtocolStep[] = ['before-decision'];
    const ordered = await createNexfit({
      mongo: { uri: t.mongo.uri, dbName: t.mongo.dbName },
      postgres: { connectionString: t.pg.url },
      keyring: createTestKeyring(),
      payments,
      unitOfWork: { mode: 'ordered', faults: (step) => { if (crashes[0] === step) { crashes.shift(); throw new SimulatedCrash(step); } } },
    });
    try {
      const member = await user('client');
      const mark = await auditMark();
      const asMember = await ordered.as(member, { ipAddress: '198.51.100.9', userAgent: 'nexfit-test/ordered', requestId: 'req-ordered-1' });
      requests.set('req-ordered-1', { actorId: member, ipAddress: '198.51.100.9', userAgent: 'nexfit-test/ordered' });
      await expect(asMember.workflows.purchaseMembership({ userId: member, membershipId: plan, paymentMethod: 'card', autoRenew: false, idempotencyKey: `ordered-${t.nexfit.ids.newUuid()}` })).rejects.toBeInstanceOf(SimulatedCrash);
      await ordered.recoverInDoubt({ olderThanMs: 0 });
      const rows = await rowsAfter(mark);
      expect(rows.filter((r) => r.action === 'void')).toHaveLength(1);
      // Recovery bought the membership again from the intent: audited as the member's request, not as the job.
      expect(rows.map((r) => `${r.entity_type}:${r.action}`)).toEqual(expect.arrayContaining(['member_subscriptions:create', 'transactions:create', 'invoices:create']));
      expectRowsNameTheirRequest(rows);
    } finally {
      await ordered.close();
    }
  }, 60_000);

  it('refuses a malformed origin before anything runs', async () => {
    const member = await user('client');
    await expect(t.nexfit.as(member, { ipAddress: 'not-an-address' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(t.nexfit.as(systemActor, { requestId: 'x'.repeat(101) })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(t.nexfit.as(member, { userAgent: 'a'.repeat(1_001) })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

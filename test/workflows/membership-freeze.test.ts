import { beforeAll, describe, expect, it } from 'vitest';
import type { fixedClock } from '../../src/core/clock.js';
import { ConflictError, ValidationError } from '../../src/core/errors.js';
import type { FacilityId, MemberSubscriptionId, UserId } from '../../src/core/ids.js';
import { calendarDaysBetween, DEFAULT_FREEZE_POLICY, shiftByCalendarDays, type FreezePolicy } from '../../src/modules/memberships/index.js';
import { cancelMembership } from '../../src/workflows/membership-lifecycle/membership-lifecycle.workflow.js';
import { applyFreezes, freezeMembership, unfreezeMembership, type MembershipFreezeDeps } from '../../src/workflows/membership-freeze/membership-freeze.workflow.js';
import { purchaseMembership } from '../../src/workflows/purchase-membership/purchase-membership.workflow.js';
import { renewDueSubscriptions } from '../../src/workflows/renew-memberships/renew-memberships.workflow.js';
import { useTestNexfit } from '../support/nexfit.js';
import { membershipWorld } from './membership-fixtures.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const clock = () => t.deps.clock as ReturnType<typeof fixedClock>;

describe('freeze calendar (hand-computed)', () => {
  it.each([
    ['2026-03-10', '2026-03-24', 14],
    ['2026-01-31', '2026-02-10', 10],
    ['2027-02-25', '2027-03-04', 7],
    ['2028-02-25', '2028-03-03', 7],
    ['2028-02-20', '2028-03-05', 14],
    ['2027-02-20', '2027-03-05', 13],
    ['2026-03-25', '2026-04-01', 7],
  ])('counts %s to %s as %i calendar days', (from, to, days) => {
    expect(calendarDaysBetween(from, to)).toBe(days);
  });

  it.each([
    // spring forward in Berlin (29 March 2026): 10 calendar days are 239 hours, the local time stays 10:00
    ['2026-03-20T09:00:00Z', 10, 'Europe/Berlin', '2026-03-30T08:00:00Z'],
    // fall back in Berlin (25 October 2026): 10 calendar days are 241 hours
    ['2026-10-20T08:00:00Z', 10, 'Europe/Berlin', '2026-10-30T09:00:00Z'],
    // Istanbul keeps +03:00 all year
    ['2026-02-28T09:00:00Z', 10, 'Europe/Istanbul', '2026-03-10T09:00:00Z'],
    ['2026-01-31T09:00:00Z', 10, 'Europe/Istanbul', '2026-02-10T09:00:00Z'],
    ['2028-02-28T09:00:00Z', 2, 'Europe/Istanbul', '2028-03-01T09:00:00Z'],
    ['2026-04-16T09:00:00Z', -14, 'Europe/Istanbul', '2026-04-02T09:00:00Z'],
  ] as const)('moves %s by %i days in %s to %s', (from, days, zone, expected) => {
    expect(shiftByCalendarDays(new Date(from), days, zone).toISOString()).toBe(new Date(expected).toISOString());
  });
});

describe('membership freezes', () => {
  let w: ReturnType<typeof membershipWorld>;
  let deps: MembershipFreezeDeps;
  const withPolicy = (policy: Partial<FreezePolicy>): MembershipFreezeDeps => ({ ...deps, policy: { ...DEFAULT_FREEZE_POLICY, ...policy } });
  beforeAll(() => {
    w = membershipWorld(t);
    deps = { memberships: w.memberships.service, billing: w.billing.service, facilities: w.facilities.service, units: t.deps.units, clock: t.deps.clock, policy: DEFAULT_FREEZE_POLICY };
  });

  async function bought(options: { at?: string; timezone?: string; autoRenew?: boolean } = {}) {
    clock().set(options.at ?? '2026-03-02T09:00:00Z');
    const facility = await w.facility(options.timezone ? { timezone: options.timezone } : {});
    const plan = await w.plan({ facilityId: facility.id as FacilityId });
    const user = w.newUser();
    const result = await purchaseMembership(w.deps, { userId: user, membershipId: plan.id, paymentMethod: 'card', autoRenew: options.autoRenew ?? true, idempotencyKey: w.newKey() });
    return { plan, user, facility, id: result.memberSubscription.id as MemberSubscriptionId, billingId: result.billingSubscription!.subscriptionId };
  }

  const subscriptionOf = (id: MemberSubscriptionId) => w.memberships.service.getSubscription(id);
  const billingEndOf = async (billingId: string) => (await w.billing.service.getBillingSubscription(billingId)).endDate;

  describe('freezeMembership', () => {
    it('moves the period end and the billing end by a scheduled fixed freeze of 14 days', async () => {
      const { id, billingId } = await bought();
      const { subscription, freeze, shiftedDays } = await freezeMembership(deps, { memberSubscriptionId: id, startDate: '2026-03-10', resumeDate: '2026-03-24', reason: 'seyahat', fee: { amount: 50_00, currency: 'TRY' } });
      expect(shiftedDays).toBe(14);
      expect(freeze).toMatchObject({ status: 'scheduled', days: 14, fee: { amount: 50_00, currency: 'TRY' }, reason: 'seyahat' });
      // 00:00 in Istanbul (+03:00)
      expect(freeze.startsAt).toEqual(new Date('2026-03-09T21:00:00Z'));
      expect(freeze.resumesAt).toEqual(new Date('2026-03-23T21:00:00Z'));
      expect(subscription.endDate).toEqual(new Date('2026-04-16T09:00:00Z'));
      expect((await subscriptionOf(id)).freezes).toHaveLength(1);
      expect(await billingEndOf(billingId)).toBe('2026-04-16');
    });

    it('counts a freeze across a DST change in calendar days of the facility zone', async () => {
      const { id, billingId } = await bought({ timezone: 'Europe/Berlin' });
      // bought 2 March 10:00 CET: the month ends 2 April 10:00 CEST
      expect((await subscriptionOf(id)).endDate).toEqual(new Date('2026-04-02T08:00:00Z'));
      const { freeze, subscription } = await freezeMembership(deps, { memberSubscriptionId: id, startDate: '2026-03-25', resumeDate: '2026-04-01' });
      expect(freeze.days).toBe(7);
      expect(freeze.startsAt).toEqual(new Date('2026-03-24T23:00:00Z'));
      expect(freeze.resumesAt).toEqual(new Date('2026-03-31T22:00:00Z'));
      expect(subscription.endDate).toEqual(new Date('2026-04-09T08:00:00Z'));
      expect(await billingEndOf(billingId)).toBe('2026-04-09');
    });

    it('freezes from 31 January, a month end, starting today', async () => {
      const { id, billingId } = await bought({ at: '2026-01-31T09:00:00Z' });
      expect((await subscriptionOf(id)).endDate).toEqual(new Date('2026-02-28T09:00:00Z'));
      const { freeze, subscription } = await freezeMembership(deps, { memberSubscriptionId: id, resumeDate: '2026-02-10' });
      expect(freeze).toMatchObject({ status: 'active', days: 10 });
      expect(freeze.startsAt).toEqual(new Date('2026-01-30T21:00:00Z'));
      expect(subscription.endDate).toEqual(new Date('2026-03-10T09:00:00Z'));
      expect(await billingEndOf(billingId)).toBe('2026-03-10');
    });

    it('counts the leap day of 2028', async () => {
      const { id } = await bought({ at: '2028-02-20T09:00:00Z' });
      expect((await subscriptionOf(id)).endDate).toEqual(new Date('2028-03-20T09:00:00Z'));
      const { freeze, subscription } = await freezeMembership(deps, { memberSubscriptionId: id, startDate: '2028-02-25', resumeDate: '2028-03-03' });
      expect(freeze.days).toBe(7);
      expect(subscription.endDate).toEqual(new Date('2028-03-27T09:00:00Z'));
    });
  });

  describe('bad input writes nothing', () => {
    async function expectNothingWritten(id: MemberSubscriptionId, billingId: string, call: () => Promise<unknown>) {
      const before = await subscriptionOf(id);
      const billingBefore = await w.billing.service.getBillingSubscription(billingId);
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(await subscriptionOf(id)).toEqual(before);
      expect(await w.billing.service.getBillingSubscription(billingId)).toEqual(billingBefore);
      return error;
    }

    it.each([
      ['a start in the past', { startDate: '2026-03-01', resumeDate: '2026-03-05' }, 'startDate'],
      ['a start on the last day of the period', { startDate: '2026-04-02', resumeDate: '2026-04-05' }, 'startDate'],
      ['a resume date not after the start', { startDate: '2026-03-10', resumeDate: '2026-03-10' }, 'resumeDate'],
      ['a freeze of 91 days', { startDate: '2026-03-10', resumeDate: '2026-06-09' }, 'resumeDate'],
      ['a malformed date', { startDate: '2026-02-30', resumeDate: '2026-03-05' }, 'startDate'],
      ['a negative fee', { startDate: '2026-03-10', resumeDate: '2026-03-12', fee: { amount: -1, currency: 'TRY' } }, 'fee'],
    ] as const)('refuses %s with VALIDATION_FAILED', async (_, request, field) => {
      const { id, billingId } = await bought();
      const error = await expectNothingWritten(id, billingId, () => freezeMembership(deps, { memberSubscriptionId: id, ...request }));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
      expect((error as ValidationError).issues[0]!.path[0]).toBe(field);
    });

    it('refuses days beyond the yearly allowance', async () => {
      const { id, billingId } = await bought();
      await freezeMembership(withPolicy({ maxDaysPerYear: 20 }), { memberSubscriptionId: id, startDate: '2026-03-03', resumeDate: '2026-03-18' });
      const error = await expectNothingWritten(id, billingId, () => freezeMembership(withPolicy({ maxDaysPerYear: 20 }), { memberSubscriptionId: id, startDate: '2026-03-20', resumeDate: '2026-03-26' }));
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).message).toMatch(/per year/);
    });

    it('refuses an overlapping freeze with freeze_overlap', async () => {
      const { id, billingId } = await bought();
      await freezeMembership(deps, { memberSubscriptionId: id, startDate: '2026-03-10', resumeDate: '2026-03-20' });
      const error = await expectNothingWritten(id, billingId, () => freezeMembership(deps, { memberSubscriptionId: id, startDate: '2026-03-19', resumeDate: '2026-03-25' }));
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).reason).toBe('freeze_overlap');
    });

    it('refuses to freeze a cancelled membership', async () => {
      const { id, billingId } = await bought();
      await cancelMembership(w.deps, { memberSubscriptionId: id, when: 'immediately' });
      const error = await expectNothingWritten(id, billingId, () => freezeMembership(deps, { memberSubscriptionId: id, startDate: '2026-03-10', resumeDate: '2026-03-12' }));
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).reason).toBe('subscription_not_active');
    });
  });

  describe('while frozen', () => {
    it('refuses a check-in with membership_frozen and allows it again after the freeze', async () => {
      const { id, user, facility } = await bought();
      await freezeMembership(deps, { memberSubscriptionId: id, startDate: '2026-03-10', resumeDate: '2026-03-12' });
      const visit = (at: string) => w.memberships.service.recordVisit({ userId: user as UserId, facilityId: facility.id as FacilityId, at, isoWeek: '2026-W11' });
      const error = await visit('2026-03-11T10:00:00Z').then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).reason).toBe('membership_frozen');
      await expect(visit('2026-03-12T10:00:00Z')).resolves.toMatchObject({ visitsThisWeek: 1 });
    });

    it('does not charge an open-ended freeze at renewal, and moves the dates when it is unfrozen', async () => {
      const { id, user, plan, billingId } = await bought();
      await freezeMembership(deps, { memberSubscriptionId: id, startDate: '2026-03-30' });
      expect((await subscriptionOf(id)).endDate).toEqual(new Date('2026-04-02T09:00:00Z'));
      clock().set('2026-04-02T10:00:00Z');
      const report = await renewDueSubscriptions(w.deps, { asOf: clock().now() });
      expect(report.results).toContainEqual({ memberSubscriptionId: id, outcome: 'frozen' });
      expect(w.payments.netCharged(user)).toBe(plan.price);
      clock().set('2026-04-05T07:00:00Z');
      const { freeze, subscription, shiftedDays } = await unfreezeMembership(deps, { memberSubscriptionId: id });
      // frozen 30 and 31 March, 1 to 4 April: 6 days
      expect(shiftedDays).toBe(6);
      expect(freeze).toMatchObject({ status: 'ended', days: 6 });
      expect(subscription.endDate).toEqual(new Date('2026-04-08T09:00:00Z'));
      expect(await billingEndOf(billingId)).toBe('2026-04-08');
    });

    it('gives the days back when a scheduled freeze is cancelled before its first day', async () => {
      const { id, billingId } = await bought();
      const { freeze } = await freezeMembership(deps, { memberSubscriptionId: id, startDate: '2026-03-10', resumeDate: '2026-03-20' });
      const { subscription, shiftedDays, freeze: cancelled } = await unfreezeMembership(deps, { memberSubscriptionId: id, freezeId: freeze.freezeId });
      expect(shiftedDays).toBe(-10);
      expect(cancelled.status).toBe('cancelled');
      expect(subscription.endDate).toEqual(new Date('2026-04-02T09:00:00Z'));
      expect(await billingEndOf(billingId)).toBe('2026-04-02');
    });

    it('refuses to unfreeze when no freeze is open', async () => {
      const { id } = await bought();
      const error = await unfreezeMembership(deps, { memberSubscriptionId: id }).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect((error as ConflictError).reason).toBe('freeze_not_open');
    });
  });

  describe('applyFreezes', () => {
    it('starts and ends scheduled freezes on their days, idempotently', async () => {
      const { id } = await bought();
      await freezeMembership(deps, { memberSubscriptionId: id, startDate: '2026-03-10', resumeDate: '2026-03-13' });
      clock().set('2026-03-10T01:00:00Z');
      const started = await applyFreezes(deps, { asOf: clock().now() });
      expect(started.results).toContainEqual({ memberSubscriptionId: id, outcome: 'applied', freezes: 1 });
      expect((await subscriptionOf(id)).freezes![0]!.status).toBe('active');
      const again = await applyFreezes(deps, { asOf: clock().now() });
      expect(again.results.find((r) => r.memberSubscriptionId === id)).toBeUndefined();
      clock().set('2026-03-13T01:00:00Z');
      await applyFreezes(deps, { asOf: clock().now() });
      const after = await subscriptionOf(id);
      expect(after.freezes![0]!.status).toBe('ended');
      // a fixed freeze moved the end when it was made, and only then
      expect(after.endDate).toEqual(new Date('2026-04-05T09:00:00Z'));
    });

    it('ends an open-ended freeze at the most days the policy allows and moves the dates', async () => {
      const { id, billingId } = await bought();
      const limited = withPolicy({ maxDaysPerFreeze: 10 });
      await freezeMembership(limited, { memberSubscriptionId: id, startDate: '2026-03-05' });
      clock().set('2026-03-15T01:00:00Z');
      await applyFreezes(limited, { asOf: clock().now() });
      const after = await subscriptionOf(id);
      expect(after.freezes![0]).toMatchObject({ status: 'ended', days: 10 });
      expect(after.endDate).toEqual(new Date('2026-04-12T09:00:00Z'));
      expect(await billingEndOf(billingId)).toBe('2026-04-12');
      await applyFreezes(limited, { asOf: clock().now() });
      expect((await subscriptionOf(id)).endDate).toEqual(new Date('2026-04-12T09:00:00Z'));
    });
  });

  describe('races', () => {
    it('lets exactly one of many concurrent overlapping freezes win', async () => {
      const { id, billingId } = await bought();
      const attempts = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => freezeMembership(deps, { memberSubscriptionId: id, startDate: `2026-03-1${i}`, resumeDate: '2026-03-25' })),
      );
      const won = attempts.filter((a) => a.status === 'fulfilled');
      expect(won).toHaveLength(1);
      const after = await subscriptionOf(id);
      expect(after.freezes).toHaveLength(1);
      const days = after.freezes![0]!.days!;
      expect(after.endDate).toEqual(shiftByCalendarDays(new Date('2026-04-02T09:00:00Z'), days, 'Europe/Istanbul'));
      expect(await billingEndOf(billingId)).toBe(after.endDate.toISOString().slice(0, 10));
    });

    it('a freeze racing the renewal run: the renewal is charged before the freeze applies or not at all', async () => {
      const { id, user, plan } = await bought();
      // the period ends 2 April; the freeze starts 1 April, while the run renews the 2 April period
      clock().set('2026-04-01T06:00:00Z');
      const [renewal, freeze] = await Promise.allSettled([
        renewDueSubscriptions(w.deps, { asOf: new Date('2026-04-02T06:00:00Z') }),
        freezeMembership(deps, { memberSubscriptionId: id, startDate: '2026-04-01', resumeDate: '2026-04-08' }),
      ]);
      expect(renewal.status).toBe('fulfilled');
      const outcome = renewal.status === 'fulfilled' ? renewal.value.results.find((r) => r.memberSubscriptionId === id)?.outcome : undefined;
      const after = await subscriptionOf(id);
      const renewedCharges = w.payments.netCharged(user) - plan.price;
      if (outcome === 'renewed') {
        expect(renewedCharges).toBe(plan.price);
        // 2 April + 1 month = 2 May, then + 7 frozen days when the freeze landed after it
        expect(after.endDate).toEqual(new Date(freeze.status === 'fulfilled' ? '2026-05-09T09:00:00Z' : '2026-05-02T09:00:00Z'));
      } else {
        expect(renewedCharges).toBe(0);
        expect(freeze.status).toBe('fulfilled');
        expect(after.endDate).toEqual(new Date('2026-04-09T09:00:00Z'));
      }
      expect(after.paymentHistory.filter((p) => p.status === 'completed')).toHaveLength(outcome === 'renewed' ? 2 : 1);
    });
  });
});

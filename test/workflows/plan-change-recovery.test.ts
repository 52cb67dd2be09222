import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../src/core/errors.js';
import type { fixedClock } from '../../src/core/clock.js';
import type { FacilityId, MemberSubscriptionId } from '../../src/core/ids.js';
import { TestPaymentProvider } from '../../src/modules/billing/payment-provider.js';
import { SimulatedCrash, type UowProtocolStep } from '../../src/uow/protocol-steps.js';
import { useTestNexfit } from '../support/nexfit.js';

/** The steps at which the next unit of work "dies"; each entry is used once. */
const crashes: UowProtocolStep[] = [];
const payments = new TestPaymentProvider();
const t = useTestNexfit({
  clock: '2026-03-02T09:00:00Z',
  nexfit: {
    payments,
    unitOfWork: {
      faults: (step) => {
        if (crashes[0] === step) {
          crashes.shift();
          throw new SimulatedCrash(step);
        }
      },
    },
  },
});
const clock = () => t.deps.clock as ReturnType<typeof fixedClock>;

let n = 0;
const key = () => `plan-${t.nexfit.ids.newUuid()}`;
const recover = () => t.nexfit.recoverInDoubt({ olderThanMs: 0 });
const chargedTo = (userId: string) => payments.netCharged(userId);

/** A member on a 1 000,00 plan bought on 2 March (period to 2 April), and a 1 600,00 plan of the same studio. */
async function memberOnPlan(fromPrice = 1_000_00, toPrice = 1_600_00) {
  n += 1;
  clock().set('2026-03-02T09:00:00Z');
  const facility = await t.nexfit.facilities.create({
    name: `Stüdyo ${n}`,
    type: 'studio',
    ownerId: t.nexfit.ids.newObjectId(),
    address: { street: 'Bağdat Cd. 5', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.96, longitude: 29.07 } },
  });
  const plan = (name: string, price: number) => t.nexfit.memberships.createPlan({ facilityId: facility.id as FacilityId, name, duration: { value: 1, unit: 'month' }, price });
  const from = await plan('Temel', fromPrice);
  const to = await plan('Premium', toPrice);
  const userId = (await t.nexfit.users.register({ email: `plan${n}@example.com`, password: 'correct horse battery', firstName: 'Deniz', lastName: 'Kaya', role: ['client'], phoneNumber: '+905551112233' })).id;
  const bought = await t.nexfit.workflows.purchaseMembership({ userId, membershipId: from.id, paymentMethod: 'card', autoRenew: true, idempotencyKey: key() });
  clock().set('2026-03-17T09:00:00Z');
  return { from, to, userId, id: bought.memberSubscription.id as MemberSubscriptionId, bought };
}

/** A plan change whose process dies inside its unit of work, after the provider moved the money. */
async function changeThatDies(id: string, membershipId: string, idempotencyKey = key()) {
  crashes.push('before-prepare');
  await expect(t.nexfit.workflows.changeMembershipPlan({ memberSubscriptionId: id, membershipId, paymentMethod: 'card', idempotencyKey })).rejects.toBeInstanceOf(SimulatedCrash);
  return idempotencyKey;
}

describe('plan changes after a crash', () => {
  it('completes an upgrade whose process died after the charge, and the retry replays it', async () => {
    const { from, to, userId, id } = await memberOnPlan();
    const idempotencyKey = await changeThatDies(id, to.id);
    // 16 of 31 days: 82 581 − 51 613 = 30 968 taken, nothing stored yet.
    expect(chargedTo(userId)).toBe(1_000_00 + 30_968);
    expect((await t.nexfit.memberships.getSubscription(id)).membershipId).toBe(from.id);

    const report = await recover();
    expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `plan-change:${idempotencyKey}`, outcome: 'completed' }));
    const after = await t.nexfit.memberships.getSubscription(id);
    expect(after.membershipId).toBe(to.id);
    expect(after.paymentHistory.map((p) => p.amount)).toEqual([1_000_00, 30_968]);
    const retry = await t.nexfit.workflows.changeMembershipPlan({ memberSubscriptionId: id, membershipId: to.id, paymentMethod: 'card', idempotencyKey });
    expect(retry).toMatchObject({ replayed: true, transaction: { amount: 30_968 } });
    expect(chargedTo(userId)).toBe(1_000_00 + 30_968);
  });

  it('records a downgrade refund the provider made before its process died', async () => {
    const { to, userId, id } = await memberOnPlan(1_600_00, 1_000_00);
    const idempotencyKey = await changeThatDies(id, to.id);
    expect(chargedTo(userId)).toBe(1_600_00 - 30_968);
    const report = await recover();
    expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `plan-change:${idempotencyKey}`, outcome: 'completed' }));
    const after = await t.nexfit.memberships.getSubscription(id);
    expect(after.membershipId).toBe(to.id);
    expect(after.paymentHistory.map((p) => [p.amount, p.status])).toEqual([[1_600_00, 'partially_refunded'], [30_968, 'refunded']]);
    expect(chargedTo(userId)).toBe(1_600_00 - 30_968);
  });

  it('refunds an upgrade whose membership was cancelled before recovery, and the retry is told so', async () => {
    const { from, to, userId, id } = await memberOnPlan();
    const idempotencyKey = await changeThatDies(id, to.id);
    await t.nexfit.workflows.cancelMembership({ memberSubscriptionId: id, when: 'immediately' });
    const report = await recover();
    expect(report.paymentIntents.results).toContainEqual(expect.objectContaining({ idempotencyKey: `plan-change:${idempotencyKey}`, outcome: 'refunded', reason: 'plan_change_not_applicable' }));
    expect(chargedTo(userId)).toBe(1_000_00);
    expect((await t.nexfit.memberships.getSubscription(id)).membershipId).toBe(from.id);
    const retry = await t.nexfit.workflows.changeMembershipPlan({ memberSubscriptionId: id, membershipId: to.id, paymentMethod: 'card', idempotencyKey }).catch((e: unknown) => e);
    expect(retry).toBeInstanceOf(ConflictError);
    expect((retry as ConflictError).reason).toBe('payment_refunded');
  });
});

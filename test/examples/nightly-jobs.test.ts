import { describe, expect, it } from 'vitest';
import { runNightlyJobs } from '../../examples/nightly-jobs.js';
import { TestPaymentProvider } from '../../src/testing.js';
import type { FixedClock } from '../support/clock-type.js';
import { useTestNexfit } from '../support/nexfit.js';

const payments = new TestPaymentProvider();
const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z', nexfit: { payments } });

describe('the nightly jobs script', () => {
  it('renews what is due, rolls up yesterday, and does nothing twice', async () => {
    const { nexfit } = t;
    const clock = t.deps.clock as FixedClock;
    const owner = await nexfit.users.register({ email: 'owner@example.com', password: 'correct horse battery', firstName: 'O', lastName: 'W', role: ['gym_owner'], roleSpecificData: { gym_owner: { businessName: 'Moda' } } });
    const member = await nexfit.users.register({ email: 'member@example.com', password: 'correct horse battery', firstName: 'M', lastName: 'B', role: ['client'] });
    const gym = await nexfit.facilities.create({ name: 'Moda', type: 'gym', ownerId: owner.id, address: { street: 'Moda 1', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.98, longitude: 29.02 } } });
    const plan = await nexfit.memberships.createPlan({ facilityId: gym.id, name: 'Haftalık', duration: { value: 1, unit: 'week' }, price: 300_00, limitations: { classesIncluded: true } });
    const purchase = await nexfit.workflows.purchaseMembership({ userId: member.id, membershipId: plan.id, paymentMethod: 'card', autoRenew: true, idempotencyKey: 'nightly-test-0001' });

    clock.set(new Date(purchase.memberSubscription.endDate.getTime() + 3_600_000));
    const first = await runNightlyJobs(nexfit);
    expect(first.renewals).toEqual({ renewed: 1 });
    expect(first.rolledUpBusinesses).toBe(1);
    expect(payments.charges).toHaveLength(2);

    const again = await runNightlyJobs(nexfit);
    expect(again.renewals).toEqual({});
    expect(payments.charges).toHaveLength(2);
    expect(again.partitionsCreated).toEqual([]);
    expect(again.recovered).toEqual({ committed: 0, rolledBack: 0 });
  });
});

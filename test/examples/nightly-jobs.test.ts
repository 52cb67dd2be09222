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
    expect(first.reconciliation).toEqual({ findings: 0, repaired: 0, ok: true });

    const again = await runNightlyJobs(nexfit);
    expect(again.renewals).toEqual({});
    expect(payments.charges).toHaveLength(2);
    expect(again.partitionsCreated).toEqual([]);
    expect(again.recovered).toEqual({ committed: 0, rolledBack: 0 });
    expect(again.paymentIntents).toEqual({});
    expect(again.reconciliation.ok).toBe(true);
  });

  it('repairs a billing row that drifted from its membership, with an audit row, and reports it', async () => {
    const { nexfit } = t;
    const drifted = await nexfit.pg.selectFrom('subscriptions').select(['subscription_id', 'end_date']).executeTakeFirstOrThrow();
    await nexfit.pg.updateTable('subscriptions').set({ end_date: '2030-01-01' }).where('subscription_id', '=', drifted.subscription_id).execute();
    const report = await runNightlyJobs(nexfit);
    expect(report.reconciliation).toEqual({ findings: 1, repaired: 1, ok: false });
    const repaired = await nexfit.pg.selectFrom('subscriptions').select('end_date').where('subscription_id', '=', drifted.subscription_id).executeTakeFirstOrThrow();
    expect(repaired.end_date).toBe(drifted.end_date);
    const audit = await nexfit.pg.selectFrom('audit_logs').select(['action', 'new_state']).where('entity_id', '=', drifted.subscription_id).where('action', '=', 'reconcile_repair').execute();
    expect(audit).toHaveLength(1);
    expect((await runNightlyJobs(nexfit)).reconciliation.ok).toBe(true);
  });

  it('forfeits the credits of expired class packs once', async () => {
    const { nexfit } = t;
    const clock = t.deps.clock as FixedClock;
    const member = await nexfit.users.register({ email: 'pack@example.com', password: 'correct horse battery', firstName: 'P', lastName: 'K', role: ['client'] });
    const owner = await nexfit.users.register({ email: 'studio@example.com', password: 'correct horse battery', firstName: 'S', lastName: 'O', role: ['studio_owner'], roleSpecificData: { studio_owner: { businessName: 'Pilates' } } });
    const gym = await nexfit.facilities.create({ name: 'Pilates', type: 'studio', ownerId: owner.id, address: { street: 'Moda 2', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.98, longitude: 29.02 } } });
    const pack = await nexfit.memberships.createPlan({
      facilityId: gym.id,
      name: '10 Ders',
      duration: { value: 3, unit: 'month' },
      price: 2_000_00,
      limitations: { classesIncluded: true },
      credits: { count: 10, validFor: { value: 1, unit: 'week' }, activation: 'on_purchase' },
    });
    await nexfit.workflows.purchaseMembership({ userId: member.id, membershipId: pack.id, paymentMethod: 'card', autoRenew: false, idempotencyKey: 'nightly-pack-0001' });
    clock.advance(8 * 86_400_000);
    expect((await runNightlyJobs(nexfit)).creditsExpired).toBe(1);
    expect((await runNightlyJobs(nexfit)).creditsExpired).toBe(0);
  });
});

import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError, ConflictError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import type { UserId } from '../../../src/core/ids.js';
import { SubscriptionRepository } from '../../../src/modules/billing/subscription.repository.js';
import type { CreateSubscriptionInput } from '../../../src/modules/billing/subscription.schema.js';
import { oid } from '../support/factories.js';
import { countRows, explain, expectIndexScan, lastQuery, useRepositoryDb } from '../support/postgres-repositories.js';

const test = useRepositoryDb();
let subscriptions: SubscriptionRepository;

beforeAll(() => {
  subscriptions = new SubscriptionRepository(test.db, test.deps);
});

const userId = (n: number) => oid(n) as UserId;

function aSubscription(overrides: Partial<CreateSubscriptionInput> = {}): CreateSubscriptionInput {
  return {
    subscriptionId: randomUUID(),
    userId: userId(1),
    planId: oid(40),
    status: 'active',
    startDate: '2026-03-01',
    endDate: '2026-03-31',
    billingCycle: 'monthly',
    amount: 1_500_00,
    paymentMethod: 'card',
    ...overrides,
  };
}

describe('SubscriptionRepository', () => {
  it('records a subscription with calendar dates and reads it back', async () => {
    const input = aSubscription({ billingDay: 1, metadata: { source: 'web' } });
    const created = await subscriptions.create(input);
    expect(created).toMatchObject({ startDate: '2026-03-01', endDate: '2026-03-31', amount: 1_500_00, autoRenew: true, currency: 'TRY', billingDay: 1, metadata: { source: 'web' } });
    expect(await subscriptions.getBySubscriptionId(input.subscriptionId)).toEqual(created);
  });

  it('refuses a duplicate id, invalid periods and operator objects, writing nothing', async () => {
    const input = aSubscription();
    await subscriptions.create(input);
    const before = await countRows(test.db, 'subscriptions');
    await expect(subscriptions.create(input)).rejects.toMatchObject({ constructor: ConflictError, reason: 'duplicate' });
    await expect(subscriptions.create(aSubscription({ endDate: '2026-02-01' }))).rejects.toBeInstanceOf(ValidationError);
    await expect(subscriptions.create(aSubscription({ billingCycle: 'fortnightly' as never }))).rejects.toBeInstanceOf(ValidationError);
    await expect(subscriptions.listDueForRenewal({ $lte: '2030-01-01' } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(subscriptions.getBySubscriptionId({ $gt: '' } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(await countRows(test.db, 'subscriptions')).toBe(before);
  });

  it('throws NotFoundError for an unknown subscription', async () => {
    await expect(subscriptions.getBySubscriptionId(randomUUID())).rejects.toBeInstanceOf(NotFoundError);
    await expect(subscriptions.patch(randomUUID(), { autoRenew: false })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('patches a subscription, validating the merged state and the updatedAt read', async () => {
    const s = await subscriptions.create(aSubscription());
    const renewed = await subscriptions.patch(s.subscriptionId, { endDate: '2026-04-30', amount: 1_650_00 }, { expectedUpdatedAt: s.updatedAt });
    expect(renewed).toMatchObject({ endDate: '2026-04-30', amount: 1_650_00, startDate: '2026-03-01' });
    await expect(subscriptions.patch(s.subscriptionId, { autoRenew: false }, { expectedUpdatedAt: s.updatedAt })).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(subscriptions.patch(s.subscriptionId, { endDate: '2026-02-28' })).rejects.toMatchObject({ constructor: ValidationError, issues: [{ path: ['endDate'] }] });
    await expect(subscriptions.patch(s.subscriptionId, { startDate: '2026-01-01' } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(await subscriptions.getBySubscriptionId(s.subscriptionId)).toEqual(renewed);
  });

  it('lists a user’s subscriptions newest first across pages', async () => {
    const user = userId(60);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await subscriptions.create(aSubscription({ userId: user, status: i === 1 ? 'cancelled' : 'active' }))).subscriptionId);
    const first = await subscriptions.listByUser(user, {}, { limit: 2 });
    const second = await subscriptions.listByUser(user, {}, { limit: 2, after: first.nextCursor! });
    expect([...first.items, ...second.items].map((s) => s.subscriptionId)).toEqual([...ids].reverse());
    expect(second.nextCursor).toBeNull();
    expect((await subscriptions.listByUser(user, { status: 'cancelled' })).items.map((s) => s.subscriptionId)).toEqual([ids[1]]);
  });

  it('lists active auto-renewing subscriptions due on or before a date, earliest end first', async () => {
    const due = async (o: Partial<CreateSubscriptionInput>) => (await subscriptions.create(aSubscription({ userId: userId(61), startDate: '2020-01-01', ...o }))).subscriptionId;
    const a = await due({ endDate: '2020-05-03' });
    const b = await due({ endDate: '2020-05-01' });
    await due({ endDate: '2020-05-02', autoRenew: false });
    await due({ endDate: '2020-05-02', status: 'cancelled' });
    await due({ endDate: '2020-05-09' });
    const c = await due({ endDate: '2020-05-01' });
    const first = await subscriptions.listDueForRenewal('2020-05-03', { limit: 2 });
    const second = await subscriptions.listDueForRenewal('2020-05-03', { limit: 2, after: first.nextCursor! });
    expect([...first.items, ...second.items].map((s) => s.subscriptionId)).toEqual([b, c, a]);
  });

  describe('query plans (2 000 rows, analysed)', () => {
    beforeAll(async () => {
      await sql`
        INSERT INTO subscriptions (subscription_id, user_id, plan_id, status, start_date, end_date, billing_cycle, amount, payment_method)
        SELECT gen_random_uuid()::text, lpad(to_hex(g), 24, '0'), 'plan', CASE WHEN g % 4 = 0 THEN 'cancelled' ELSE 'active' END,
               date '2024-01-01', date '2025-01-01' + g % 700, 'monthly', 100, 'card'
        FROM generate_series(1, 2000) AS g`.execute(test.db);
      await sql`ANALYZE subscriptions`.execute(test.db);
    });

    it('finds subscriptions due for renewal through the partial idx_subscriptions_due_for_renewal', async () => {
      await subscriptions.listDueForRenewal('2025-01-10', { limit: 50 });
      const plan = await explain(test, lastQuery(test.queries, /from "subscriptions" where "status"/));
      expectIndexScan(plan, 'idx_subscriptions_due_for_renewal', 'subscriptions');
    });
  });
});

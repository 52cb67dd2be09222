import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type FacilityId, type MemberSubscriptionId, type UserId } from '../../../src/core/ids.js';
import type { Page } from '../../../src/core/pagination.js';
import { MemberSubscriptionRepository } from '../../../src/modules/memberships/member-subscription.repository.js';
import {
  memberSubscriptionSchema,
  type CreateMemberSubscriptionInput,
  type MemberSubscription,
  type PaymentRecord,
} from '../../../src/modules/memberships/member-subscription.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs, oid, T0, uuid } from '../support/factories.js';
import { describeMongoRepositoryContract, HOSTILE_IDS, MISSING_ID } from '../../support/mongo-repository-contract.js';
import { indexesUsed } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

const user = (n: number) => oid(n) as UserId;
const facility = (n: number) => oid(n) as FacilityId;
const CONTRACT_USER = user(900);

/** A subscription of `userId` at `facilityId` for `[startDate, endDate)`. */
function subscription(userId: UserId, facilityId: FacilityId, overrides: Partial<CreateMemberSubscriptionInput> = {}): CreateMemberSubscriptionInput {
  return createInputs.member_subscriptions({ userId, facilityId, paymentHistory: [], ...overrides });
}

/** A completed card payment with its own transaction id. */
function payment(n: number): PaymentRecord {
  return { amount: 1_500_00, currency: 'TRY', date: T0, method: 'card', status: 'completed', transactionId: uuid(n) };
}

async function allPages(next: (after?: string) => Promise<Page<MemberSubscription>>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: string | undefined;
  let pages = 0;
  do {
    const page = await next(after);
    ids.push(...page.items.map((s) => s.id));
    after = page.nextCursor ?? undefined;
    pages++;
  } while (after !== undefined);
  return { ids, pages };
}

describeMongoRepositoryContract({
  entity: 'member subscription',
  collection: 'member_subscriptions',
  mongo,
  createRepository: (db, deps) => new MemberSubscriptionRepository(db, deps),
  validInput: () => subscription(CONTRACT_USER, facility(40)),
  invalidInput: subscription(CONTRACT_USER, facility(40), { startDate: '2026-04-01', endDate: '2026-03-01' }),
  validPatch: { autoRenew: false },
  list: (repository, page) => repository.listByUser(CONTRACT_USER, {}, page),
  entitySchema: memberSubscriptionSchema,
});

describe('MemberSubscriptionRepository', () => {
  let subscriptions: MemberSubscriptionRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.member_subscriptions.name);
  const clock = fixedClock('2026-03-01T09:00:00Z');

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.member_subscriptions] });
    subscriptions = new MemberSubscriptionRepository(mongo.db, { clock, ids: defaultIdGenerator });
  });

  describe('lists by user and by facility', () => {
    it("lists a user's subscriptions, optionally of one status", async () => {
      const active = await subscriptions.create(subscription(user(100), facility(40), { status: 'active' }));
      const pending = await subscriptions.create(subscription(user(100), facility(41)));
      await subscriptions.create(subscription(user(101), facility(40), { status: 'active' }));
      expect((await subscriptions.listByUser(user(100))).items).toEqual([active, pending]);
      expect((await subscriptions.listByUser(user(100), { status: 'active' })).items).toEqual([active]);
      expect((await subscriptions.listByUser(user(100), { status: 'expired' })).items).toEqual([]);
    });

    it("lists a facility's subscriptions, optionally of one status", async () => {
      const a = await subscriptions.create(subscription(user(110), facility(120), { status: 'active' }));
      const b = await subscriptions.create(subscription(user(111), facility(120), { status: 'cancelled', cancelledAt: T0 }));
      await subscriptions.create(subscription(user(110), facility(121), { status: 'active' }));
      expect((await subscriptions.listByFacility(facility(120))).items).toEqual([a, b]);
      expect((await subscriptions.listByFacility(facility(120), { status: 'cancelled' })).items).toEqual([b]);
    });

    it('refuses hostile ids, unknown statuses and unknown filter keys', async () => {
      for (const id of HOSTILE_IDS) {
        await expect(subscriptions.listByUser(id as UserId)).rejects.toBeInstanceOf(ValidationError);
        await expect(subscriptions.listByFacility(id as FacilityId)).rejects.toBeInstanceOf(ValidationError);
      }
      await expect(subscriptions.listByUser(user(100), { status: 'paused' } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(subscriptions.listByUser(user(100), { status: { $ne: 'active' } } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(subscriptions.listByFacility(facility(120), { autoRenew: true } as never)).rejects.toBeInstanceOf(ValidationError);
    });

    it('serves both lists from their (id, status) indexes', async () => {
      expect(await indexesUsed(collection(), { userId: new ObjectId(user(100)), status: 'active' }, { _id: 1 })).toContain('userId_status');
      expect(await indexesUsed(collection(), { facilityId: new ObjectId(facility(120)), status: 'active' }, { _id: 1 })).toContain('facilityId_status');
    });
  });

  describe('the active subscription of a user at a facility', () => {
    const at = new Date('2026-03-15T12:00:00Z');

    it('finds the active subscription whose period contains the instant', async () => {
      const current = await subscriptions.create(subscription(user(200), facility(50), { status: 'active' }));
      await subscriptions.create(subscription(user(200), facility(50), { startDate: '2026-03-10', endDate: '2026-04-10' }));
      await subscriptions.create(subscription(user(200), facility(51), { status: 'active' }));
      await subscriptions.create(subscription(user(201), facility(50), { status: 'active' }));
      expect(await subscriptions.findActiveForUserAtFacility(user(200), facility(50), at)).toEqual(current);
    });

    it('treats the period as [startDate, endDate)', async () => {
      const current = await subscriptions.create(subscription(user(210), facility(50), { status: 'active' }));
      expect(await subscriptions.findActiveForUserAtFacility(user(210), facility(50), new Date('2026-03-01T00:00:00Z'))).toEqual(current);
      expect(await subscriptions.findActiveForUserAtFacility(user(210), facility(50), new Date('2026-02-28T23:59:59.999Z'))).toBeNull();
      expect(await subscriptions.findActiveForUserAtFacility(user(210), facility(50), new Date('2026-04-01T00:00:00Z'))).toBeNull();
    });

    it('prefers, of overlapping active subscriptions, the one ending last', async () => {
      await subscriptions.create(subscription(user(220), facility(50), { status: 'active' }));
      const longer = await subscriptions.create(subscription(user(220), facility(50), { status: 'active', startDate: '2026-03-10', endDate: '2026-06-10' }));
      expect(await subscriptions.findActiveForUserAtFacility(user(220), facility(50), at)).toEqual(longer);
    });

    it('refuses a hostile instant or id', async () => {
      await expect(subscriptions.findActiveForUserAtFacility(user(220), facility(50), { $gt: new Date(0) } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(subscriptions.findActiveForUserAtFacility({ $ne: null } as never, facility(50), at)).rejects.toBeInstanceOf(ValidationError);
      await expect(subscriptions.findActiveForUserAtFacility(user(220), 'nope' as FacilityId, at)).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('renewal and expiry work lists', () => {
    // Periods of 2001, far from every other test's, since these lists span all facilities.
    const ending = (day: number, overrides: Partial<CreateMemberSubscriptionInput> = {}) =>
      subscription(user(300 + day), facility(60), { status: 'active', startDate: '2001-01-01', endDate: new Date(Date.UTC(2001, 4, day)), ...overrides });
    const before = new Date('2001-05-20T00:00:00Z');
    let renewing: MemberSubscription[];
    let expiring: MemberSubscription[];

    beforeAll(async () => {
      renewing = [];
      expiring = [];
      for (const day of [12, 3, 20, 7, 15]) renewing.push(await subscriptions.create(ending(day)));
      for (const day of [9, 4]) expiring.push(await subscriptions.create(ending(day, { autoRenew: false })));
      await subscriptions.create(ending(21));
      await subscriptions.create(ending(5, { status: 'cancelled', cancelledAt: T0 }));
      await subscriptions.create(ending(6, { status: 'expired' }));
      await subscriptions.create(ending(8, { status: 'pending' }));
    });

    const byEnd = (list: MemberSubscription[]) => [...list].sort((a, b) => a.endDate.getTime() - b.endDate.getTime()).map((s) => s.id);

    it('lists active, auto-renewing subscriptions ending by the date, soonest first, across pages', async () => {
      const { ids, pages } = await allPages((after) => subscriptions.listDueForRenewal(before, after === undefined ? { limit: 2 } : { limit: 2, after }));
      expect(ids).toEqual(byEnd(renewing));
      expect(pages).toBe(3);
    });

    it('lists active subscriptions that end by the date without renewing, soonest first', async () => {
      expect((await subscriptions.listExpiring(before)).items.map((s) => s.id)).toEqual(byEnd(expiring));
      expect((await subscriptions.listExpiring(new Date('2001-05-05T00:00:00Z'))).items.map((s) => s.id)).toEqual([expiring[1]!.id]);
    });

    it('refuses a hostile date', async () => {
      await expect(subscriptions.listDueForRenewal({ $gt: new Date(0) } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(subscriptions.listExpiring('soon' as never)).rejects.toBeInstanceOf(ValidationError);
    });

    it('serves the renewal list from the endDate_status index', async () => {
      const filter = { endDate: { $lte: before }, status: 'active', autoRenew: true };
      expect(await indexesUsed(collection(), filter, { endDate: 1, _id: 1 })).toContain('endDate_status');
    });
  });

  describe('payments', () => {
    it('appends a payment atomically, bumping the version', async () => {
      clock.set('2026-03-02T10:00:00Z');
      const created = await subscriptions.create(subscription(user(400), facility(70), { paymentHistory: [payment(1)] }));
      const updated = await subscriptions.appendPayment(created.id, payment(2));
      expect(updated.paymentHistory).toEqual([payment(1), payment(2)]);
      expect(updated.version).toBe(2);
      expect(updated.updatedAt).toEqual(new Date('2026-03-02T10:00:00Z'));
      expect(await subscriptions.getById(created.id)).toEqual(updated);
    });

    it('keeps every one of many concurrent payments', async () => {
      const created = await subscriptions.create(subscription(user(401), facility(70)));
      await Promise.all(Array.from({ length: 12 }, (_, i) => subscriptions.appendPayment(created.id, payment(100 + i))));
      const after = await subscriptions.getById(created.id);
      expect(after.paymentHistory.map((p) => p.transactionId).sort()).toEqual(Array.from({ length: 12 }, (_, i) => uuid(100 + i)).sort());
      expect(after.version).toBe(13);
    });

    it('refuses a payment whose transaction is already recorded, changing nothing', async () => {
      const created = await subscriptions.create(subscription(user(402), facility(70), { paymentHistory: [payment(7)] }));
      const error = await subscriptions.appendPayment(created.id, { ...payment(7), amount: 1 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ reason: 'duplicate_payment' });
      expect(await subscriptions.getById(created.id)).toEqual(created);
    });

    it('sets the status of one recorded payment and leaves the others alone', async () => {
      const created = await subscriptions.create(subscription(user(404), facility(70), { paymentHistory: [payment(20), payment(21)] }));
      const updated = await subscriptions.setPaymentStatus(created.id, uuid(21), 'refunded');
      expect(updated.paymentHistory).toEqual([payment(20), { ...payment(21), status: 'refunded' }]);
      expect(updated.version).toBe(2);
      await expect(subscriptions.setPaymentStatus(created.id, uuid(99), 'refunded')).rejects.toBeInstanceOf(NotFoundError);
      await expect(subscriptions.setPaymentStatus(created.id, uuid(20), 'stolen' as never)).rejects.toBeInstanceOf(ValidationError);
    });

    it('refuses an invalid payment and a hostile id, changing nothing', async () => {
      const created = await subscriptions.create(subscription(user(403), facility(70)));
      for (const invalid of [{ ...payment(8), amount: -5 }, { ...payment(8), method: 'barter' }, { ...payment(8), $inc: { version: 1 } }, { ...payment(8), transactionId: { $ne: '' } }]) {
        await expect(subscriptions.appendPayment(created.id, invalid as never)).rejects.toBeInstanceOf(ValidationError);
      }
      await expect(subscriptions.appendPayment({ $gt: '' } as unknown as MemberSubscriptionId, payment(8))).rejects.toBeInstanceOf(ValidationError);
      expect(await subscriptions.getById(created.id)).toEqual(created);
    });

    it('answers NotFoundError for a missing subscription', async () => {
      await expect(subscriptions.appendPayment(MISSING_ID as MemberSubscriptionId, payment(9))).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  it("appends payments in the caller's session: an aborted transaction records nothing", async () => {
    const created = await subscriptions.create(subscription(user(600), facility(80), { status: 'active' }));
    const session = mongo.client.startSession();
    try {
      session.startTransaction();
      const ctx = { mongo: session };
      await subscriptions.appendPayment(created.id, payment(600), ctx);
      expect((await subscriptions.listByUser(user(600), {}, {}, ctx)).items[0]?.paymentHistory).toHaveLength(1);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await subscriptions.getById(created.id)).toEqual(created);
  });
});

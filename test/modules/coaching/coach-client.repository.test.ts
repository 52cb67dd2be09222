import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type CoachClientId, type UserId } from '../../../src/core/ids.js';
import { createTestKeyring } from '../../../src/core/keyring.js';
import { CoachClientRepository } from '../../../src/modules/coaching/coach-client.repository.js';
import { coachClientSchema, type CoachClient, type CreateCoachClientInput } from '../../../src/modules/coaching/coach-client.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs, oid, T0 } from '../support/factories.js';
import { describeMongoRepositoryContract, HOSTILE_IDS, MISSING_ID } from '../../support/mongo-repository-contract.js';
import { indexesUsed } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

const user = (n: number) => oid(n) as UserId;
const CONTRACT_COACH = user(900);

/** A relationship between `coachId` and `clientId` with a package of `total` unused sessions. */
function relation(coachId: UserId, clientId: UserId, total = 10, overrides: Partial<CreateCoachClientInput> = {}): CreateCoachClientInput {
  return createInputs.coach_clients({
    coachId,
    clientId,
    package: { name: `${total} seans`, sessions: { total, used: 0, remaining: total }, price: 5_000_00, startDate: T0 },
    ...overrides,
  });
}

describeMongoRepositoryContract({
  entity: 'coach client',
  collection: 'coach_clients',
  mongo,
  createRepository: (db, deps) => new CoachClientRepository(db, deps),
  validInput: (n) => relation(CONTRACT_COACH, user(1_000 + n)),
  invalidInput: relation(CONTRACT_COACH, user(1), 10, {
    package: { name: 'Bozuk', sessions: { total: 10, used: 2, remaining: 9 }, price: 1, startDate: T0 },
  }),
  validPatch: { goals: ['kas kazanmak'] },
  list: (repository, page) => repository.listByCoach(CONTRACT_COACH, {}, page),
  entitySchema: coachClientSchema,
});

describe('CoachClientRepository', () => {
  let relations: CoachClientRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.coach_clients.name);
  const clock = fixedClock('2026-03-01T09:00:00Z');

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.coach_clients] });
    relations = new CoachClientRepository(mongo.db, { clock, ids: defaultIdGenerator, keyring: createTestKeyring() });
  });

  describe('one open relationship per coach and client', () => {
    it('refuses a second pending or active relationship of the same pair', async () => {
      await relations.create(relation(user(100), user(101)));
      const before = await collection().countDocuments();
      await expect(relations.create(relation(user(100), user(101), 5, { relationship: { status: 'active', startDate: T0 } }))).rejects.toBeInstanceOf(ConflictError);
      expect(await collection().countDocuments()).toBe(before);
    });

    it('finds the open relationship of a pair, and allows a new one once it ended', async () => {
      const first = await relations.create(relation(user(110), user(111)));
      expect(await relations.findByPair(user(110), user(111))).toEqual(first);
      expect(await relations.findByPair(user(111), user(110))).toBeNull();
      const ended = await relations.patch(first.id, { relationship: { status: 'ended', startDate: T0, endDate: T0 } });
      expect(await relations.findByPair(user(110), user(111))).toBeNull();
      const second = await relations.create(relation(user(110), user(111)));
      expect(await relations.findByPair(user(110), user(111))).toEqual(second);
      expect((await relations.listByCoach(user(110))).items).toEqual([ended, second]);
    });

    it('keeps the derived open flag in the document and out of reads', async () => {
      const created = await relations.create(relation(user(120), user(121)));
      expect(created).not.toHaveProperty('isOpen');
      expect((await collection().findOne({ _id: new ObjectId(created.id) }))?.['isOpen']).toBe(true);
      await relations.patch(created.id, { relationship: { status: 'declined' } });
      expect((await collection().findOne({ _id: new ObjectId(created.id) }))?.['isOpen']).toBe(false);
    });
  });

  describe('lists by coach and by client', () => {
    let active: CoachClient;
    let pending: CoachClient;
    let otherCoach: CoachClient;

    beforeAll(async () => {
      active = await relations.create(relation(user(200), user(201), 10, { relationship: { status: 'active', startDate: T0 } }));
      pending = await relations.create(relation(user(200), user(202)));
      otherCoach = await relations.create(relation(user(203), user(201)));
    });

    it("lists a coach's relationships, optionally of one status", async () => {
      expect((await relations.listByCoach(user(200))).items).toEqual([active, pending]);
      expect((await relations.listByCoach(user(200), { status: 'pending' })).items).toEqual([pending]);
    });

    it("lists a client's relationships, optionally of one status", async () => {
      expect((await relations.listByClient(user(201))).items).toEqual([active, otherCoach]);
      expect((await relations.listByClient(user(201), { status: 'active' })).items).toEqual([active]);
    });

    it('refuses hostile ids and filters', async () => {
      for (const id of HOSTILE_IDS) {
        await expect(relations.listByCoach(id as UserId)).rejects.toBeInstanceOf(ValidationError);
        await expect(relations.listByClient(id as UserId)).rejects.toBeInstanceOf(ValidationError);
        await expect(relations.findByPair(user(200), id as UserId)).rejects.toBeInstanceOf(ValidationError);
      }
      await expect(relations.listByCoach(user(200), { status: 'paused' } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(relations.listByClient(user(201), { 'relationship.status': 'active' } as never)).rejects.toBeInstanceOf(ValidationError);
    });

    it('serves both lists from their (id, status) indexes', async () => {
      expect(await indexesUsed(collection(), { coachId: new ObjectId(user(200)), 'relationship.status': 'active' }, { _id: 1 })).toContain('coachId_status');
      expect(await indexesUsed(collection(), { clientId: new ObjectId(user(201)) }, { _id: 1 })).toContain('clientId_status');
    });
  });

  describe('session packages', () => {
    let n = 300;
    const fresh = (total = 10) => relations.create(relation(user(299), user(n++), total));

    it('consumes a session: used + 1, remaining - 1, version + 1', async () => {
      clock.set('2026-03-03T08:00:00Z');
      const created = await fresh();
      const after = await relations.consumeSession(created.id);
      expect(after.package?.sessions).toEqual({ total: 10, used: 1, remaining: 9 });
      expect(after.version).toBe(2);
      expect(after.updatedAt).toEqual(new Date('2026-03-03T08:00:00Z'));
      expect(await relations.getById(created.id)).toEqual(after);
    });

    it('gives exactly 10 of 30 concurrent consumptions of a 10-session package', async () => {
      const created = await fresh(10);
      const results = await Promise.allSettled(Array.from({ length: 30 }, () => relations.consumeSession(created.id)));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
      for (const r of results) {
        if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT', reason: 'package_exhausted' });
      }
      const after = await relations.getById(created.id);
      expect(after.package?.sessions).toEqual({ total: 10, used: 10, remaining: 0 });
      expect(after.version).toBe(11);
    });

    it('refuses to consume from an exhausted package or a relationship without one', async () => {
      const empty = await fresh(0);
      await expect(relations.consumeSession(empty.id)).rejects.toMatchObject({ reason: 'package_exhausted' });
      const { package: _none, ...withoutPackage } = relation(user(299), user(n++));
      const bare = await relations.create(withoutPackage);
      await expect(relations.consumeSession(bare.id)).rejects.toBeInstanceOf(ConflictError);
      expect(await relations.getById(bare.id)).toEqual(bare);
    });

    it('gives a consumed session back, and refuses when none was used', async () => {
      const created = await fresh(3);
      await relations.consumeSession(created.id);
      expect((await relations.returnSession(created.id)).package?.sessions).toEqual({ total: 3, used: 0, remaining: 3 });
      await expect(relations.returnSession(created.id)).rejects.toMatchObject({ reason: 'no_session_used' });
    });

    it('answers NotFoundError for a missing relationship and ValidationError for a hostile id', async () => {
      await expect(relations.consumeSession(MISSING_ID as CoachClientId)).rejects.toBeInstanceOf(NotFoundError);
      await expect(relations.returnSession(MISSING_ID as CoachClientId)).rejects.toBeInstanceOf(NotFoundError);
      for (const id of HOSTILE_IDS) await expect(relations.consumeSession(id as CoachClientId)).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('notes', () => {
    it('appends a visible or a private note dated now', async () => {
      clock.set('2026-03-04T18:30:00Z');
      const created = await relations.create(relation(user(400), user(401), 10, { notes: { visible: [], private: [] } }));
      await relations.addNote(created.id, { visibility: 'visible', text: 'Harika iş çıkardın' });
      const after = await relations.addNote(created.id, { visibility: 'private', text: 'Sol diz hassas' });
      expect(after.notes).toEqual({
        visible: [{ text: 'Harika iş çıkardın', date: new Date('2026-03-04T18:30:00Z') }],
        private: [{ text: 'Sol diz hassas', date: new Date('2026-03-04T18:30:00Z') }],
      });
      expect(after.version).toBe(3);
    });

    it('keeps every one of several concurrent notes', async () => {
      const created = await relations.create(relation(user(410), user(411), 10, { notes: { visible: [], private: [] } }));
      await Promise.all(Array.from({ length: 6 }, (_, i) => relations.addNote(created.id, { visibility: 'private', text: `not ${i}` })));
      const after = await relations.getById(created.id);
      expect(after.notes.private.map((note) => note.text).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `not ${i}`));
      expect(after.version).toBe(7);
    });

    it('refuses an invalid note, changing nothing', async () => {
      const created = await relations.create(relation(user(420), user(421)));
      for (const invalid of [{ visibility: 'public', text: 'x' }, { visibility: 'private', text: '' }, { visibility: 'private', text: { $gt: '' } }, { visibility: 'private', text: 'x', date: T0 }]) {
        await expect(relations.addNote(created.id, invalid as never)).rejects.toBeInstanceOf(ValidationError);
      }
      await expect(relations.addNote(MISSING_ID as CoachClientId, { visibility: 'visible', text: 'x' })).rejects.toBeInstanceOf(NotFoundError);
      expect(await relations.getById(created.id)).toEqual(created);
    });
  });

  it("runs its atomic updates in the caller's session: an aborted transaction consumes nothing", async () => {
    const created = await relations.create(relation(user(500), user(501), 5));
    const session = mongo.client.startSession();
    try {
      session.startTransaction();
      const ctx = { mongo: session };
      await relations.consumeSession(created.id, ctx);
      await relations.addNote(created.id, { visibility: 'visible', text: 'İyi gidiyor' }, ctx);
      expect((await relations.getById(created.id, ctx)).package?.sessions.used).toBe(1);
      expect((await relations.findByPair(user(500), user(501), ctx))?.version).toBe(3);
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await relations.getById(created.id)).toEqual(created);
  });
});

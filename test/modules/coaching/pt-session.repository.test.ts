import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ConcurrencyError, ConflictError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type PtSessionId, type UserId } from '../../../src/core/ids.js';
import { PtSessionRepository } from '../../../src/modules/coaching/pt-session.repository.js';
import { ptSessionSchema, type CreatePtSessionInput, type PtSession } from '../../../src/modules/coaching/pt-session.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs, oid } from '../support/factories.js';
import { describeMongoRepositoryContract, HOSTILE_IDS, MISSING_ID } from '../../support/mongo-repository-contract.js';
import { indexesUsed } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

const user = (n: number) => oid(n) as UserId;
const CONTRACT_COACH = user(900);
/** 2026-03-02 at `hh:mm` UTC. */
const at = (hhmm: string) => new Date(`2026-03-02T${hhmm}:00Z`);

/** A session of `coachId` with `clientId` from `start` to `end` (`hh:mm` on 2026-03-02). */
function session(coachId: UserId, clientId: UserId, start: string, end: string, overrides: Partial<CreatePtSessionInput> = {}): CreatePtSessionInput {
  const startTime = at(start);
  const endTime = at(end);
  return createInputs.pt_sessions({ coachId, clientId, startTime, endTime, duration: (endTime.getTime() - startTime.getTime()) / 60_000, ...overrides });
}

describeMongoRepositoryContract({
  entity: 'pt session',
  collection: 'pt_sessions',
  mongo,
  createRepository: (db, deps) => new PtSessionRepository(db, deps),
  validInput: (n) => createInputs.pt_sessions({ coachId: CONTRACT_COACH, startTime: new Date(Date.UTC(2026, 2, 1, n % 24)), endTime: new Date(Date.UTC(2026, 2, 1, n % 24, 45)), duration: 45 }),
  invalidInput: session(CONTRACT_COACH, user(1), '10:00', '09:00'),
  validPatch: { notes: { pre: 'Isınma: 10 dk bisiklet' } },
  list: (repository, page) => repository.listByCoach(CONTRACT_COACH, {}, page),
  entitySchema: ptSessionSchema,
});

describe('PtSessionRepository', () => {
  let sessions: PtSessionRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.pt_sessions.name);
  const clock = fixedClock('2026-03-01T09:00:00Z');
  const ids = (list: { items: readonly PtSession[] } | readonly PtSession[]) => ('items' in list ? list.items : list).map((s) => s.id);

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.pt_sessions] });
    sessions = new PtSessionRepository(mongo.db, { clock, ids: defaultIdGenerator });
  });

  describe('agendas', () => {
    let agenda: Record<'early' | 'noon' | 'evening' | 'otherClient', PtSession>;

    beforeAll(async () => {
      const coach = user(100);
      agenda = {
        evening: await sessions.create(session(coach, user(101), '18:00', '19:00')),
        early: await sessions.create(session(coach, user(101), '07:00', '08:00')),
        noon: await sessions.create(session(coach, user(101), '12:00', '13:00', { status: 'cancelled', cancelledAt: at('06:00') })),
        otherClient: await sessions.create(session(coach, user(102), '09:00', '10:00')),
      };
      await sessions.create(session(user(103), user(101), '08:00', '09:00'));
    });

    it("lists a coach's sessions earliest first, within a window [from, to)", async () => {
      const { early, noon, evening, otherClient } = agenda;
      expect(ids(await sessions.listByCoach(user(100)))).toEqual([early.id, otherClient.id, noon.id, evening.id]);
      expect(ids(await sessions.listByCoach(user(100), { from: at('09:00'), to: at('18:00') }))).toEqual([otherClient.id, noon.id]);
    });

    it("lists a client's sessions with every coach", async () => {
      const { early, noon, evening } = agenda;
      const page = await sessions.listByClient(user(101), { from: at('00:00') }, { limit: 2 });
      const rest = await sessions.listByClient(user(101), { from: at('00:00') }, { limit: 2, after: page.nextCursor! });
      expect(page.items.map((s) => s.startTime)).toEqual([at('07:00'), at('08:00')]);
      expect(ids(page)[0]).toBe(early.id);
      expect(ids(rest)).toEqual([noon.id, evening.id]);
    });

    it('refuses hostile ids and windows', async () => {
      for (const id of HOSTILE_IDS) {
        await expect(sessions.listByCoach(id as UserId)).rejects.toBeInstanceOf(ValidationError);
        await expect(sessions.listByClient(id as UserId)).rejects.toBeInstanceOf(ValidationError);
      }
      await expect(sessions.listByCoach(user(100), { from: at('10:00'), to: at('09:00') })).rejects.toBeInstanceOf(ValidationError);
      await expect(sessions.listByCoach(user(100), { from: { $gt: '' } } as never)).rejects.toBeInstanceOf(ValidationError);
    });

    it("serves a coach's agenda from the coachId_startTime index", async () => {
      const filter = { coachId: new ObjectId(user(100)), startTime: { $gte: at('09:00'), $lt: at('18:00') } };
      expect(await indexesUsed(collection(), filter, { startTime: 1, _id: 1 })).toContain('coachId_startTime');
      expect(await indexesUsed(collection(), { clientId: new ObjectId(user(101)), startTime: { $gte: at('00:00') } }, { startTime: 1, _id: 1 })).toContain('clientId_startTime');
    });
  });

  describe('overlaps', () => {
    const coach = user(200);
    const client = user(201);
    let slot: Record<'ten' | 'eleven' | 'cancelledOne' | 'clientElsewhere', PtSession>;

    beforeAll(async () => {
      slot = {
        ten: await sessions.create(session(coach, user(202), '10:00', '11:00')),
        eleven: await sessions.create(session(coach, user(203), '11:00', '12:00')),
        cancelledOne: await sessions.create(session(coach, user(204), '13:00', '14:00', { status: 'cancelled', cancelledAt: at('08:00') })),
        clientElsewhere: await sessions.create(session(user(205), client, '15:00', '16:30')),
      };
    });

    it("finds the coach's scheduled sessions intersecting a slot, earliest first", async () => {
      expect(ids(await sessions.findOverlapping({ coachId: coach, start: at('10:30'), end: at('11:30') }))).toEqual([slot.ten.id, slot.eleven.id]);
      expect(ids(await sessions.findOverlapping({ coachId: coach, start: at('09:00'), end: at('13:00') }))).toEqual([slot.ten.id, slot.eleven.id]);
      expect(ids(await sessions.findOverlapping({ coachId: coach, start: at('10:15'), end: at('10:45') }))).toEqual([slot.ten.id]);
    });

    it('treats back-to-back sessions as not overlapping', async () => {
      expect(ids(await sessions.findOverlapping({ coachId: coach, start: at('09:00'), end: at('10:00') }))).toEqual([]);
      expect(ids(await sessions.findOverlapping({ coachId: coach, start: at('12:00'), end: at('13:00') }))).toEqual([]);
    });

    it('ignores cancelled sessions and the session being moved', async () => {
      expect(ids(await sessions.findOverlapping({ coachId: coach, start: at('13:00'), end: at('14:00') }))).toEqual([]);
      expect(ids(await sessions.findOverlapping({ coachId: coach, start: at('10:30'), end: at('11:30'), excludeId: slot.ten.id }))).toEqual([slot.eleven.id]);
    });

    it("checks the client's agenda too, with any coach", async () => {
      expect(ids(await sessions.findOverlapping({ clientId: client, start: at('16:00'), end: at('17:00') }))).toEqual([slot.clientElsewhere.id]);
      expect(ids(await sessions.findOverlapping({ coachId: coach, clientId: client, start: at('11:30'), end: at('15:30') }))).toEqual([slot.eleven.id, slot.clientElsewhere.id]);
    });

    it('refuses a slot without a person, an empty or reversed slot, and hostile values', async () => {
      const refused = [
        { start: at('10:00'), end: at('11:00') },
        { coachId: coach, start: at('11:00'), end: at('11:00') },
        { coachId: coach, start: at('11:00'), end: at('10:00') },
        { coachId: { $ne: null }, start: at('10:00'), end: at('11:00') },
        { coachId: coach, start: { $gt: new Date(0) }, end: at('11:00') },
        { coachId: coach, start: at('10:00'), end: at('11:00'), excludeId: { $in: [] } },
        { coachId: coach, start: at('10:00'), end: at('11:00'), status: 'cancelled' },
      ];
      for (const query of refused) await expect(sessions.findOverlapping(query as never)).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('status transitions', () => {
    let n = 0;
    const fresh = () => {
      n++;
      return sessions.create(session(user(300), user(301), `${String(n % 24).padStart(2, '0')}:00`, `${String(n % 24).padStart(2, '0')}:30`));
    };

    it('completes a scheduled session', async () => {
      const done = await sessions.markCompleted((await fresh()).id);
      expect(done).toMatchObject({ status: 'completed', version: 2 });
      expect(await sessions.getById(done.id)).toEqual(done);
    });

    it('cancels a scheduled session, recording when, by whom and why', async () => {
      clock.set('2026-03-01T21:00:00Z');
      const cancelled = await sessions.markCancelled((await fresh()).id, { by: user(301), reason: 'Hastayım' });
      expect(cancelled).toMatchObject({ status: 'cancelled', cancelledAt: new Date('2026-03-01T21:00:00Z'), cancelledBy: user(301), cancellationReason: 'Hastayım' });
      const quiet = await sessions.markCancelled((await fresh()).id);
      expect(quiet).not.toHaveProperty('cancelledBy');
      expect(quiet.cancelledAt).toEqual(new Date('2026-03-01T21:00:00Z'));
    });

    it('records a no-show', async () => {
      expect(await sessions.markNoShow((await fresh()).id)).toMatchObject({ status: 'no-show', version: 2 });
    });

    it('refuses every transition out of a final status, changing nothing', async () => {
      const done = await sessions.markCompleted((await fresh()).id);
      for (const change of [() => sessions.markCompleted(done.id), () => sessions.markCancelled(done.id), () => sessions.markNoShow(done.id)]) {
        await expect(change()).rejects.toMatchObject({ code: 'CONFLICT', reason: 'invalid_transition' });
      }
      expect(await sessions.getById(done.id)).toEqual(done);
    });

    it('refuses a stale expectedVersion, and lets one of two concurrent transitions win', async () => {
      const created = await fresh();
      await sessions.patch(created.id, { notes: { pre: 'Esneme' } });
      await expect(sessions.markCompleted(created.id, { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
      const raced = await fresh();
      const results = await Promise.allSettled([sessions.markCompleted(raced.id), sessions.markNoShow(raced.id)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const loser = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason;
      expect(loser instanceof ConcurrencyError || loser instanceof ConflictError).toBe(true);
    });

    it('answers NotFoundError for a missing session and ValidationError for hostile input', async () => {
      await expect(sessions.markCompleted(MISSING_ID as PtSessionId)).rejects.toBeInstanceOf(NotFoundError);
      const created = await fresh();
      await expect(sessions.markCompleted({ $gt: '' } as unknown as PtSessionId)).rejects.toBeInstanceOf(ValidationError);
      await expect(sessions.markCancelled(created.id, { by: { $ne: null } } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(sessions.markCancelled(created.id, { status: 'completed' } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(sessions.markNoShow(created.id, { expectedVersion: '1' } as never)).rejects.toBeInstanceOf(ValidationError);
      expect(await sessions.getById(created.id)).toEqual(created);
    });
  });
});

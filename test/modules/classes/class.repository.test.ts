import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type FacilityId, type UserId } from '../../../src/core/ids.js';
import { ClassRepository } from '../../../src/modules/classes/class.repository.js';
import { classSchema, type CreateClassInput, type FitnessClass } from '../../../src/modules/classes/class.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs, oid } from '../support/factories.js';
import { describeMongoRepositoryContract, HOSTILE_IDS } from '../../support/mongo-repository-contract.js';
import { indexesUsed } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

const facility = (n: number) => oid(n) as FacilityId;
const user = (n: number) => oid(n) as UserId;
const CONTRACT_FACILITY = facility(900);

/** A one-hour class at `facilityId` whose first occurrence starts at `start`. */
function classAt(facilityId: FacilityId, start: string, overrides: Partial<CreateClassInput> = {}): CreateClassInput {
  const startTime = new Date(start);
  const endTime = new Date(startTime.getTime() + 3_600_000);
  return createInputs.classes({ facilityId, schedule: { startTime, endTime }, ...overrides });
}

describeMongoRepositoryContract({
  entity: 'class',
  collection: 'classes',
  mongo,
  createRepository: (db, deps) => new ClassRepository(db, deps),
  // Same start time for all: the list's order then rests on the id tiebreaker.
  validInput: (n) => createInputs.classes({ facilityId: CONTRACT_FACILITY, name: `Class ${n}` }),
  invalidInput: createInputs.classes({ schedule: { startTime: '2026-03-02T07:00:00Z', endTime: '2026-03-02T06:00:00Z' } }),
  validPatch: { name: 'Akşam Yogası', location: { room: 'B', capacity: 20 } },
  list: (repository, page) => repository.listByFacility(CONTRACT_FACILITY, {}, page),
  entitySchema: classSchema,
});

describe('ClassRepository', () => {
  let classes: ClassRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.classes.name);
  const ids = (page: { items: readonly FitnessClass[] }) => page.items.map((c) => c.id);

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.classes] });
    classes = new ClassRepository(mongo.db, { clock: fixedClock('2026-03-01T09:00:00Z'), ids: defaultIdGenerator });
  });

  describe("a facility's timetable", () => {
    let timetable: Record<'mon' | 'tue' | 'wed' | 'nextMon', FitnessClass>;

    beforeAll(async () => {
      // Created out of order, so the list order can only come from the start times.
      const wed = await classes.create(classAt(facility(100), '2026-03-04T17:00:00Z'));
      const mon = await classes.create(classAt(facility(100), '2026-03-02T06:00:00Z'));
      const nextMon = await classes.create(classAt(facility(100), '2026-03-09T00:00:00Z'));
      const tue = await classes.create(classAt(facility(100), '2026-03-03T12:00:00Z'));
      await classes.create(classAt(facility(101), '2026-03-03T12:00:00Z'));
      timetable = { mon, tue, wed, nextMon };
    });

    it('lists the classes by first start time, earliest first', async () => {
      const { mon, tue, wed, nextMon } = timetable;
      expect(ids(await classes.listByFacility(facility(100)))).toEqual([mon.id, tue.id, wed.id, nextMon.id]);
    });

    it('keeps to the window [from, to): a class starting at `to` belongs to the next one', async () => {
      const { mon, tue, wed, nextMon } = timetable;
      const week = { from: new Date('2026-03-02T06:00:00Z'), to: new Date('2026-03-09T00:00:00Z') };
      expect(ids(await classes.listByFacility(facility(100), week))).toEqual([mon.id, tue.id, wed.id]);
      expect(ids(await classes.listByFacility(facility(100), { from: '2026-03-03T00:00:00Z' }))).toEqual([tue.id, wed.id, nextMon.id]);
      expect(ids(await classes.listByFacility(facility(100), { to: '2026-03-03T12:00:00Z' }))).toEqual([mon.id]);
    });

    it('pages through the timetable in the same order', async () => {
      const first = await classes.listByFacility(facility(100), {}, { limit: 3 });
      expect(first.nextCursor).not.toBeNull();
      const second = await classes.listByFacility(facility(100), {}, { limit: 3, after: first.nextCursor! });
      expect([...ids(first), ...ids(second)]).toEqual(ids(await classes.listByFacility(facility(100))));
      expect(second.nextCursor).toBeNull();
    });

    it('refuses an empty or reversed window and hostile bounds', async () => {
      const refused = [
        { from: '2026-03-09T00:00:00Z', to: '2026-03-02T00:00:00Z' },
        { from: '2026-03-02T00:00:00Z', to: '2026-03-02T00:00:00Z' },
        { from: { $gt: '' } },
        { to: 'next week' },
        { since: '2026-03-02T00:00:00Z' },
      ];
      for (const range of refused) await expect(classes.listByFacility(facility(100), range as never)).rejects.toBeInstanceOf(ValidationError);
      for (const id of HOSTILE_IDS) await expect(classes.listByFacility(id as FacilityId)).rejects.toBeInstanceOf(ValidationError);
    });

    it('serves the timetable from the facilityId_schedule_startTime index', async () => {
      const filter = { facilityId: new ObjectId(facility(100)), 'schedule.startTime': { $gte: new Date('2026-03-02T00:00:00Z'), $lt: new Date('2026-03-09T00:00:00Z') } };
      expect(await indexesUsed(collection(), filter, { 'schedule.startTime': 1, _id: 1 })).toContain('facilityId_schedule_startTime');
    });
  });

  describe("an instructor's classes", () => {
    it('lists the classes an instructor teaches, earliest first', async () => {
      const elif = { userId: user(200), name: 'Elif' };
      const later = await classes.create(classAt(facility(110), '2026-03-05T06:00:00Z', { instructor: elif }));
      const sooner = await classes.create(classAt(facility(111), '2026-03-04T06:00:00Z', { instructor: elif }));
      await classes.create(classAt(facility(110), '2026-03-04T06:00:00Z', { instructor: { userId: user(201), name: 'Can' } }));
      expect(ids(await classes.listByInstructor(user(200)))).toEqual([sooner.id, later.id]);
    });

    it('refuses hostile instructor ids', async () => {
      for (const id of HOSTILE_IDS) await expect(classes.listByInstructor(id as UserId)).rejects.toBeInstanceOf(ValidationError);
    });

    it('serves the list from the instructor.userId index', async () => {
      expect(await indexesUsed(collection(), { 'instructor.userId': new ObjectId(user(200)) }, { 'schedule.startTime': 1, _id: 1 })).toContain('instructor_userId');
    });
  });
});

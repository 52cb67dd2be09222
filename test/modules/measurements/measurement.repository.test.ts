import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/core/clock.js';
import { ConcurrencyError, ConflictError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import { defaultIdGenerator, type UserId } from '../../../src/core/ids.js';
import { MeasurementRepository } from '../../../src/modules/measurements/measurement.repository.js';
import { measurementSchema } from '../../../src/modules/measurements/measurement.schema.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { ensureMongoCollections } from '../../../src/mongo-layout.js';
import { createInputs, oid } from '../support/factories.js';
import { describeMongoRepositoryContract } from '../../support/mongo-repository-contract.js';
import { indexesUsed } from '../../support/mongo-explain.js';
import { useTestMongo } from '../../support/stores.js';
import { createTestKeyring } from '../../../src/core/keyring.js';

const mongo = useTestMongo();

const userId = (n: number): UserId => oid(n) as UserId;

/** UTC midnight `n` days after 2026-01-01. */
const day = (n: number): Date => new Date(Date.UTC(2026, 0, 1 + n));

describeMongoRepositoryContract({
  entity: 'measurement',
  collection: 'measurements',
  mongo,
  createRepository: (db, deps) => new MeasurementRepository(db, deps),
  validInput: (n) => createInputs.measurements({ userId: userId(1), date: day(n) }),
  invalidInput: createInputs.measurements({ measurements: { weight: -3 } }),
  validPatch: { measurements: { weight: 70.1 } },
  list: (repository, page) => repository.listByUser(userId(1), {}, page),
  entitySchema: measurementSchema,
});

describe('MeasurementRepository', () => {
  let measurements: MeasurementRepository;
  const collection = () => mongo.db.collection(MONGO_COLLECTIONS.measurements.name);
  const clock = fixedClock('2026-03-01T09:00:00Z');

  beforeAll(async () => {
    await ensureMongoCollections(mongo.db, { collections: [MONGO_COLLECTIONS.measurements] });
    measurements = new MeasurementRepository(mongo.db, { clock, ids: defaultIdGenerator , keyring: createTestKeyring() });
  });

  describe('one measurement per user per date', () => {
    it('finds the measurement of a user on a date, and only that one', async () => {
      const mine = await measurements.create(createInputs.measurements({ userId: userId(200), date: day(1) }));
      await measurements.create(createInputs.measurements({ userId: userId(201), date: day(1) }));
      expect(await measurements.findByUserAndDate(userId(200), day(1))).toEqual(mine);
      expect(await measurements.findByUserAndDate(userId(200), '2026-01-02')).toEqual(mine);
      expect(await measurements.findByUserAndDate(userId(200), day(2))).toBeNull();
    });

    it('refuses a second measurement of the same day as a duplicate, writing nothing', async () => {
      await measurements.create(createInputs.measurements({ userId: userId(202), date: day(1) }));
      const before = await collection().countDocuments();
      const error = await measurements.create(createInputs.measurements({ userId: userId(202), date: day(1) })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ reason: 'duplicate' });
      expect(await collection().countDocuments()).toBe(before);
    });

    it('refuses to move a measurement onto a day that already has one', async () => {
      await measurements.create(createInputs.measurements({ userId: userId(203), date: day(1) }));
      const second = await measurements.create(createInputs.measurements({ userId: userId(203), date: day(2) }));
      await expect(measurements.patch(second.id, { date: day(1) })).rejects.toBeInstanceOf(ConflictError);
      expect(await measurements.getById(second.id)).toEqual(second);
    });

    it('refuses operator objects as the user or the date', async () => {
      await expect(measurements.findByUserAndDate({ $gt: '' } as never, day(1))).rejects.toBeInstanceOf(ValidationError);
      await expect(measurements.findByUserAndDate(userId(200), { $gte: day(0) } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(measurements.findByUserAndDate(userId(200), 0 as never)).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('upsertForDate', () => {
    it('inserts the day at version 1, then replaces its content at the next version', async () => {
      clock.set('2026-03-01T09:00:00Z');
      const first = await measurements.upsertForDate(userId(210), day(5), { measurements: { weight: 80 }, notes: 'sabah, aç karnına' });
      expect(first).toMatchObject({ userId: userId(210), date: day(5), version: 1, schemaVersion: 2, measurements: { weight: 80 }, readings: [{ takenAt: day(5), measurements: { weight: 80 }, custom: [] }], photos: [], notes: 'sabah, aç karnına' });
      expect(first.createdAt).toEqual(first.updatedAt);
      clock.set('2026-03-02T09:00:00Z');
      const second = await measurements.upsertForDate(userId(210), day(5), { measurements: { weight: 79.5, bodyFatPercentage: 20 } });
      expect(second.id).toBe(first.id);
      expect(second).toMatchObject({ version: 2, measurements: { weight: 79.5, bodyFatPercentage: 20 }, createdAt: first.createdAt });
      expect(second.updatedAt).toEqual(new Date('2026-03-02T09:00:00Z'));
      expect(second).not.toHaveProperty('notes');
      expect(await measurements.getById(first.id)).toEqual(second);
      expect(await collection().countDocuments({ userId: ObjectId.createFromHexString(userId(210)) })).toBe(1);
    });

    it('keeps one document when first writes of the same day race', async () => {
      const results = await Promise.all(
        [70, 71, 72, 73, 74].map((weight) => measurements.upsertForDate(userId(211), day(6), { measurements: { weight } })),
      );
      expect(new Set(results.map((m) => m.id)).size).toBe(1);
      expect(results.map((m) => m.version).sort()).toEqual([1, 2, 3, 4, 5]);
      expect(await collection().countDocuments({ userId: ObjectId.createFromHexString(userId(211)) })).toBe(1);
    });

    it('writes only at the expected version', async () => {
      const first = await measurements.upsertForDate(userId(212), day(7), { measurements: { weight: 90 } });
      const second = await measurements.upsertForDate(userId(212), day(7), { measurements: { weight: 89 } }, { expectedVersion: 1 });
      expect(second.version).toBe(2);
      await expect(measurements.upsertForDate(userId(212), day(7), { measurements: { weight: 88 } }, { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
      await expect(measurements.upsertForDate(userId(212), day(8), { measurements: { weight: 88 } }, { expectedVersion: 1 })).rejects.toBeInstanceOf(NotFoundError);
      expect(await measurements.getById(first.id)).toEqual(second);
    });

    it('refuses invalid content and hostile keys, writing nothing', async () => {
      const before = await collection().countDocuments();
      await expect(measurements.upsertForDate(userId(213), day(1), { measurements: { weight: -1 } })).rejects.toBeInstanceOf(ValidationError);
      await expect(measurements.upsertForDate(userId(213), day(1), { measurements: {}, $set: { version: 1 } } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(measurements.upsertForDate(userId(213), day(1), { measurements: {}, userId: userId(9) } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(measurements.upsertForDate({ $ne: null } as never, day(1), { measurements: {} })).rejects.toBeInstanceOf(ValidationError);
      await expect(measurements.upsertForDate(userId(213), day(1), { measurements: {} }, { expectedVersion: { $gt: 0 } } as never)).rejects.toBeInstanceOf(ValidationError);
      expect(await collection().countDocuments()).toBe(before);
    });
  });

  describe('listByUser', () => {
    beforeAll(async () => {
      for (const n of [10, 11, 12, 13, 14]) await measurements.create(createInputs.measurements({ userId: userId(220), date: day(n) }));
      await measurements.create(createInputs.measurements({ userId: userId(221), date: day(12) }));
    });

    it('lists a user’s measurements newest first', async () => {
      const page = await measurements.listByUser(userId(220));
      expect(page.items.map((m) => m.date)).toEqual([day(14), day(13), day(12), day(11), day(10)]);
      expect(page.nextCursor).toBeNull();
    });

    it('keeps to the half-open window [from, to) across pages', async () => {
      const first = await measurements.listByUser(userId(220), { from: day(11), to: day(14) }, { limit: 2 });
      expect(first.items.map((m) => m.date)).toEqual([day(13), day(12)]);
      const second = await measurements.listByUser(userId(220), { from: day(11), to: day(14) }, { limit: 2, after: first.nextCursor! });
      expect(second.items.map((m) => m.date)).toEqual([day(11)]);
      expect(second.nextCursor).toBeNull();
      expect((await measurements.listByUser(userId(220), { from: '2026-01-14' })).items.map((m) => m.date)).toEqual([day(14), day(13)]);
    });

    it('refuses a reversed window, unknown keys and operator objects', async () => {
      await expect(measurements.listByUser(userId(220), { from: day(5), to: day(1) })).rejects.toBeInstanceOf(ValidationError);
      await expect(measurements.listByUser(userId(220), { from: { $gt: '' } } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(measurements.listByUser(userId(220), { since: day(1) } as never)).rejects.toBeInstanceOf(ValidationError);
      await expect(measurements.listByUser({ $gt: '' } as never)).rejects.toBeInstanceOf(ValidationError);
    });

    it('serves a user’s history in a date window from the userId + date index', async () => {
      const filter = { userId: ObjectId.createFromHexString(userId(220)), date: { $gte: day(11), $lt: day(14) } };
      expect(await indexesUsed(collection(), filter, { date: -1, _id: -1 })).toContain('userId_date_unique');
    });
  });
});

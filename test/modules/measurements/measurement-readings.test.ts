import { ObjectId } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import type { MeasurementCategoryId, UserId } from '../../../src/core/ids.js';
import { migrateDocumentsDown, migrateDocumentsUp } from '../../../src/mongo-layout.js';
import { createMeasurementsModule, measurementsFormat2, type MeasurementsModule } from '../../../src/modules/measurements/index.js';
import { UserRepository } from '../../../src/modules/users/index.js';
import { isEncryptedEnvelope } from '../../../src/stores/mongo/encrypted-fields.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

let english: MeasurementsModule;
let turkish: MeasurementsModule;
let users: UserRepository;
let counter = 0;

beforeAll(() => {
  users = new UserRepository(t.nexfit.mongo.db, t.deps);
  english = createMeasurementsModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { clients: users });
  turkish = createMeasurementsModule(t.nexfit.mongo.db, t.nexfit.pg, { ...t.deps, locale: 'tr' }, { clients: users });
});

async function aClient(): Promise<UserId> {
  counter += 1;
  const user = await users.create({
    email: `olcum${counter}@example.com`,
    firstName: 'Ece',
    lastName: 'Kaya',
    role: ['client'],
    roleSpecificData: { client: { height: 170 } },
    passwordHash: 'scrypt$N=1024,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==',
  });
  return user.id as UserId;
}

const raw = () => t.nexfit.mongo.db.collection('measurements');
const rawOf = (id: string) => raw().findOne({ _id: ObjectId.createFromHexString(id) });
const countOf = async (userId: UserId) =>
  (await raw().countDocuments({ userId: ObjectId.createFromHexString(userId) })) +
  (await t.nexfit.mongo.db.collection('measurement_categories').countDocuments({ userId: ObjectId.createFromHexString(userId) }));
const ISTANBUL = 'Europe/Istanbul';

/** The issues of the `ValidationError` the call throws. */
async function issuesOf(call: Promise<unknown>): Promise<{ path: (string | number)[]; message: string }[]> {
  const error = await call.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
  return (error as ValidationError).issues.map((i) => ({ path: [...i.path], message: i.message }));
}

describe('several readings a day', () => {
  it('keeps every reading of the day and takes each metric from the latest reading that has it', async () => {
    const userId = await aClient();
    const s = english.service;
    await s.addReading(userId, { takenAt: '2026-03-02T03:30:00Z', timeZone: ISTANBUL, measurements: { weight: 72.4, bodyFatPercentage: 18 } });
    await s.addReading(userId, { takenAt: '2026-03-02T16:10:00Z', timeZone: ISTANBUL, measurements: { weight: 73 } });
    // Added last, taken first: it is not the latest reading of its metrics.
    const day = await s.addReading(userId, { takenAt: '2026-03-01T22:15:00Z', timeZone: ISTANBUL, measurements: { weight: 71.8, waistCircumference: 80 }, notes: 'aç karnına' });
    expect(day.date).toEqual(new Date('2026-03-02T00:00:00Z'));
    expect(day.readings.map((r) => r.takenAt.toISOString())).toEqual(['2026-03-01T22:15:00.000Z', '2026-03-02T03:30:00.000Z', '2026-03-02T16:10:00.000Z']);
    expect(day.measurements).toEqual({ weight: 73, bodyFatPercentage: 18, waistCircumference: 80 });
    expect(day.readings[0]!.notes).toBe('aç karnına');
    expect(await s.getForDay(userId, '2026-03-02')).toEqual(day);
    expect(await raw().countDocuments({ userId: ObjectId.createFromHexString(userId) })).toBe(1);
  });

  it('replaces a reading taken at the same instant, so a retried call adds it once', async () => {
    const userId = await aClient();
    const reading = { takenAt: '2026-03-02T07:00:00Z', measurements: { weight: 80 } };
    await english.service.addReading(userId, reading);
    const again = await english.service.addReading(userId, { ...reading, measurements: { weight: 80.2 } });
    expect(again.readings).toHaveLength(1);
    expect(again.measurements).toEqual({ weight: 80.2 });
  });

  it('seals the readings at rest and keeps only the category ids in clear', async () => {
    const userId = await aClient();
    const neck = await english.service.defineCategory(userId, { name: 'Neck', unit: 'cm' });
    const day = await english.service.addReading(userId, { takenAt: '2026-03-02T07:00:00Z', measurements: { weight: 64 }, custom: [{ categoryId: neck.id, value: 33.5 }] });
    const stored = await rawOf(day.id);
    expect(isEncryptedEnvelope(stored!['readings'])).toBe(true);
    expect(isEncryptedEnvelope(stored!['measurements'])).toBe(true);
    expect(stored!['customCategoryIds']).toEqual([ObjectId.createFromHexString(neck.id)]);
    expect(JSON.stringify(stored)).not.toContain('33.5');
    expect(day).not.toHaveProperty('customCategoryIds');
  });

  it('feeds progress and trends with the day’s values', async () => {
    const userId = await aClient();
    const s = english.service;
    await s.addReading(userId, { takenAt: '2026-02-01T06:00:00Z', measurements: { weight: 70 } });
    await s.addReading(userId, { takenAt: '2026-02-01T20:00:00Z', measurements: { weight: 71 } });
    await s.addReading(userId, { takenAt: '2026-02-08T06:00:00Z', measurements: { weight: 69.5 } });
    const progress = await s.progress(userId, { from: '2026-02-01', to: '2026-02-28' });
    // The 1 February value is the evening reading (71), not the morning one.
    expect(progress.changes.weight).toEqual({ start: 71, end: 69.5, change: -1.5 });
    expect((await s.bmi(userId))).toMatchObject({ weightKg: 69.5, measuredOn: new Date('2026-02-08T00:00:00Z') });
  });

  it('lets record replace the whole day with one reading', async () => {
    const userId = await aClient();
    await english.service.addReading(userId, { takenAt: '2026-03-01T06:00:00Z', measurements: { weight: 90 } });
    await english.service.addReading(userId, { takenAt: '2026-03-01T18:00:00Z', measurements: { weight: 91 } });
    const recorded = await english.service.record({ userId, date: '2026-03-01T12:00:00Z', measurements: { weight: 89 } });
    expect(recorded.readings).toEqual([{ takenAt: new Date('2026-03-01T12:00:00Z'), measurements: { weight: 89 }, custom: [] }]);
    expect(recorded.measurements).toEqual({ weight: 89 });
  });

  it('removes a reading, recomputes the day, and deletes a day left empty', async () => {
    const userId = await aClient();
    const s = english.service;
    await s.addReading(userId, { takenAt: '2026-03-01T06:00:00Z', measurements: { weight: 60, bodyFatPercentage: 25 } });
    await s.addReading(userId, { takenAt: '2026-03-01T18:00:00Z', measurements: { weight: 61 } });
    const left = await s.removeReading(userId, { day: '2026-03-01', takenAt: '2026-03-01T18:00:00Z' });
    expect(left!.measurements).toEqual({ weight: 60, bodyFatPercentage: 25 });
    await expect(s.removeReading(userId, { day: '2026-03-01', takenAt: '2026-03-01T18:00:00Z' })).rejects.toBeInstanceOf(NotFoundError);
    expect(await s.removeReading(userId, { day: '2026-03-01', takenAt: '2026-03-01T06:00:00Z' })).toBeNull();
    expect(await s.getForDay(userId, '2026-03-01')).toBeNull();
  });
});

describe('measurements written before readings (format 1)', () => {
  async function formatOneDay(userId: UserId, weight: number) {
    const recorded = await english.service.record({ userId, date: '2026-02-10', measurements: { weight } });
    // As a format 1 SDK wrote it: no readings, no category ids, schemaVersion 1.
    await raw().updateOne({ _id: ObjectId.createFromHexString(recorded.id) }, { $set: { schemaVersion: 1 }, $unset: { readings: '', customCategoryIds: '' } });
    return recorded.id;
  }

  it('reads one as a single reading at the day’s start, and adds readings to it', async () => {
    const userId = await aClient();
    await formatOneDay(userId, 75);
    const read = await english.service.getForDay(userId, '2026-02-10');
    expect(read).toMatchObject({ schemaVersion: 2, measurements: { weight: 75 } });
    expect(read!.readings).toEqual([{ takenAt: new Date('2026-02-10T00:00:00Z'), measurements: { weight: 75 }, custom: [] }]);
    const added = await english.service.addReading(userId, { takenAt: '2026-02-10T19:00:00Z', measurements: { weight: 75.6, muscleMass: 30 } });
    expect(added.readings).toHaveLength(2);
    expect(added.measurements).toEqual({ weight: 75.6, muscleMass: 30 });
  });

  it('migrates down (readings dropped, the day’s values kept) and up again', async () => {
    const userId = await aClient();
    const neck = await english.service.defineCategory(userId, { name: 'Boyun', unit: 'cm' });
    await english.service.addReading(userId, { takenAt: '2026-02-11T06:00:00Z', measurements: { weight: 66 } });
    const day = await english.service.addReading(userId, { takenAt: '2026-02-11T20:00:00Z', measurements: { weight: 66.8 }, custom: [{ categoryId: neck.id, value: 34 }] });
    await migrateDocumentsDown(t.nexfit.mongo.db, measurementsFormat2, { clock: t.clock });
    const down = await rawOf(day.id);
    expect(down).toMatchObject({ schemaVersion: 1 });
    expect(down).not.toHaveProperty('readings');
    expect(down).not.toHaveProperty('customCategoryIds');
    const asFormatOne = await english.repository.getById(day.id);
    expect(asFormatOne.measurements).toEqual({ weight: 66.8 });
    expect(asFormatOne.readings).toEqual([{ takenAt: new Date('2026-02-11T00:00:00Z'), measurements: { weight: 66.8 }, custom: [] }]);
    await migrateDocumentsUp(t.nexfit.mongo.db, [measurementsFormat2], { clock: t.clock });
    expect(await rawOf(day.id)).toMatchObject({ schemaVersion: 2 });
    expect((await english.repository.getById(day.id)).measurements).toEqual({ weight: 66.8 });
  });
});

describe('measurements written without readings through the repository', () => {
  it('hold their values as one reading at the day’s start', async () => {
    const userId = await aClient();
    const upserted = await english.repository.upsertForDate(userId, '2026-02-12', { measurements: { weight: 81 } });
    expect(upserted.readings).toEqual([{ takenAt: new Date('2026-02-12T00:00:00Z'), measurements: { weight: 81 }, custom: [] }]);
    const created = await english.repository.create({ userId, date: '2026-02-13', measurements: { weight: 80.5 } });
    expect(created.readings).toEqual([{ takenAt: new Date('2026-02-13T00:00:00Z'), measurements: { weight: 80.5 }, custom: [] }]);
    expect((await english.repository.getById(created.id)).readings).toEqual(created.readings);
  });
});

describe('user-defined measurement categories', () => {
  it('defines, lists and renames categories; names are unique per user ignoring case', async () => {
    const userId = await aClient();
    const other = await aClient();
    const s = english.service;
    const pressure = await s.defineCategory(userId, { name: 'Blood pressure', unit: 'mmHg' });
    await s.defineCategory(userId, { name: 'Neck', unit: 'cm' });
    await s.defineCategory(other, { name: 'neck', unit: 'in' });
    expect((await s.listCategories(userId)).items.map((c) => [c.name, c.unit])).toEqual([['Blood pressure', 'mmHg'], ['Neck', 'cm']]);
    const renamed = await s.renameCategory(userId, pressure.id, { name: 'Systolic pressure' });
    expect(renamed).toMatchObject({ name: 'Systolic pressure', unit: 'mmHg', version: 2 });
    // Its own name in another case is not a clash.
    expect((await s.renameCategory(userId, pressure.id, { name: 'SYSTOLIC PRESSURE' })).name).toBe('SYSTOLIC PRESSURE');
    await expect(s.renameCategory(other, pressure.id, { name: 'Mine' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('gives the history of a category, one entry per reading, oldest first', async () => {
    const userId = await aClient();
    const s = english.service;
    const neck = await s.defineCategory(userId, { name: 'Neck', unit: 'cm' });
    const arm = await s.defineCategory(userId, { name: 'Forearm', unit: 'cm' });
    await s.addReading(userId, { takenAt: '2026-02-20T18:00:00Z', custom: [{ categoryId: neck.id, value: 38 }] });
    await s.addReading(userId, { takenAt: '2026-02-20T07:00:00Z', custom: [{ categoryId: neck.id, value: 37.5 }, { categoryId: arm.id, value: 27 }] });
    await s.addReading(userId, { takenAt: '2026-02-22T07:00:00Z', measurements: { weight: 70 } });
    await s.addReading(userId, { takenAt: '2026-02-25T07:00:00Z', custom: [{ categoryId: neck.id, value: 37 }] });
    const history = await s.categoryHistory(userId, neck.id, { from: '2026-02-01', to: '2026-02-28' });
    expect(history.category.unit).toBe('cm');
    expect(history.readings.map((r) => [r.takenAt.toISOString(), r.value])).toEqual([
      ['2026-02-20T07:00:00.000Z', 37.5],
      ['2026-02-20T18:00:00.000Z', 38],
      ['2026-02-25T07:00:00.000Z', 37],
    ]);
    expect((await s.categoryHistory(userId, neck.id, { from: '2026-02-21', to: '2026-02-28' })).readings.map((r) => r.value)).toEqual([37]);
    await expect(s.categoryHistory(await aClient(), neck.id, { from: '2026-02-01', to: '2026-02-28' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses to delete a category that has values, and deletes it once they are gone', async () => {
    const userId = await aClient();
    const s = english.service;
    const neck = await s.defineCategory(userId, { name: 'Neck', unit: 'cm' });
    await s.addReading(userId, { takenAt: '2026-02-20T07:00:00Z', custom: [{ categoryId: neck.id, value: 38 }] });
    const refused = await s.deleteCategory(userId, neck.id).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).reason).toBe('measurement_category_in_use');
    expect((await s.listCategories(userId)).items).toHaveLength(1);
    await s.removeReading(userId, { day: '2026-02-20', takenAt: '2026-02-20T07:00:00Z' });
    await s.deleteCategory(userId, neck.id);
    expect((await s.listCategories(userId)).items).toEqual([]);
  });
});

describe('bad input is refused in English and Turkish, and nothing is written', () => {
  const both = async (userId: UserId, call: (m: MeasurementsModule) => Promise<unknown>, path: (string | number)[], en: string, tr: string) => {
    const before = await countOf(userId);
    expect(await issuesOf(call(english))).toContainEqual({ path, message: en });
    expect(await issuesOf(call(turkish))).toContainEqual({ path, message: tr });
    expect(await countOf(userId)).toBe(before);
  };

  it('a reading more than a day ahead', async () => {
    const userId = await aClient();
    // Now is 2026-03-02T09:00Z: a day ahead is the latest.
    await english.service.addReading(userId, { takenAt: '2026-03-03T09:00:00Z', measurements: { weight: 70 } });
    await both(userId, (m) => m.service.addReading(userId, { takenAt: '2026-03-03T09:00:01Z', measurements: { weight: 70 } }), ['takenAt'],
      'A reading cannot be more than 1 day in the future', 'Bir ölçüm 1 günden daha ileri bir tarihe girilemez');
  });

  it('a reading outside its measurement’s day, written through the repository', async () => {
    const userId = await aClient();
    const reading = { takenAt: '2026-03-04T12:00:00Z', measurements: { weight: 70 }, custom: [] };
    await both(userId, (m) => m.repository.upsertForDate(userId, '2026-03-02', { measurements: { weight: 70 }, readings: [reading] }), ['readings', 0, 'takenAt'],
      'A reading must be taken within its measurement\'s day', 'Bir ölçüm, ait olduğu ölçüm gününün içinde alınmış olmalı');
  });

  it('NaN and infinite values, unknown metrics and an empty reading', async () => {
    const userId = await aClient();
    const neck = await english.service.defineCategory(userId, { name: 'Neck', unit: 'cm' });
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect((await issuesOf(english.service.addReading(userId, { custom: [{ categoryId: neck.id, value }] })))[0]!.path).toEqual(['custom', 0, 'value']);
      expect((await issuesOf(turkish.service.addReading(userId, { measurements: { weight: value } })))[0]!.path).toEqual(['measurements', 'weight']);
    }
    const unknownKey = await issuesOf(english.service.addReading(userId, { measurements: { weight: 70, bicepsCircumference: 30 } as never }));
    expect(unknownKey[0]).toMatchObject({ path: ['measurements'] });
    expect(unknownKey[0]!.message).toContain('bicepsCircumference');
    await both(userId, (m) => m.service.addReading(userId, { measurements: {} }), ['measurements'],
      'Expected at least one body metric or custom value', 'En az bir vücut ölçüsü veya özel değer bekleniyor');
    expect(await raw().countDocuments({ userId: ObjectId.createFromHexString(userId) })).toBe(0);
  });

  it('the 49th reading of a day', async () => {
    const userId = await aClient();
    for (let i = 0; i < 48; i++) {
      await english.service.addReading(userId, { takenAt: new Date(Date.UTC(2026, 1, 15, 0, i * 30)), measurements: { weight: 70 + i / 10 } });
    }
    const before = await english.service.getForDay(userId, '2026-02-15');
    await both(userId, (m) => m.service.addReading(userId, { takenAt: '2026-02-15T23:59:00Z', measurements: { weight: 80 } }), ['takenAt'],
      'A day holds at most 48 readings', 'Bir gün en fazla 48 ölçüm içerebilir');
    expect(await english.service.getForDay(userId, '2026-02-15')).toEqual(before);
    // The day's value is the 48th reading's (70 + 47/10).
    expect(before!.measurements).toEqual({ weight: 74.7 });
  });

  it('a category of another user, or none', async () => {
    const userId = await aClient();
    const other = await aClient();
    const theirs = await english.service.defineCategory(other, { name: 'Neck', unit: 'cm' });
    const message = ['The measurement category does not exist or belongs to another user', 'Ölçüm kategorisi yok veya başka bir kullanıcıya ait'] as const;
    for (const categoryId of [theirs.id, new ObjectId().toHexString() as MeasurementCategoryId]) {
      await both(userId, (m) => m.service.addReading(userId, { measurements: { weight: 70 }, custom: [{ categoryId, value: 36 }] }), ['custom', 0, 'categoryId'], ...message);
    }
  });

  it('a duplicate category name, and a value of one category twice in a reading', async () => {
    const userId = await aClient();
    const neck = await english.service.defineCategory(userId, { name: 'Neck', unit: 'cm' });
    await both(userId, (m) => m.service.defineCategory(userId, { name: '  NECK ', unit: 'in' }), ['name'],
      'You already have a measurement category of this name (names are compared ignoring case)',
      'Bu adda bir ölçüm kategoriniz zaten var (adlar büyük/küçük harf ayrımı yapılmadan karşılaştırılır)');
    await both(userId, (m) => m.service.addReading(userId, { custom: [{ categoryId: neck.id, value: 36 }, { categoryId: neck.id, value: 37 }] }), ['custom'],
      'Items must be unique', 'Öğeler benzersiz olmalı');
    expect((await issuesOf(english.service.defineCategory(userId, { name: 'x'.repeat(51), unit: 'cm' })))[0]!.path).toEqual(['name']);
    expect((await issuesOf(english.service.defineCategory(userId, { name: 'Hips', unit: 'centimetres, long' })))[0]!.path).toEqual(['unit']);
  });
});

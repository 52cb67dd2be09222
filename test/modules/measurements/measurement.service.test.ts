import { beforeAll, describe, expect, it } from 'vitest';
import { ConcurrencyError, NotFoundError, ValidationError } from '../../../src/core/errors.js';
import type { UserId } from '../../../src/core/ids.js';
import {
  bmiCategoryOf,
  createMeasurementsModule,
  type MeasurementService,
  type RecordMeasurementInput,
} from '../../../src/modules/measurements/index.js';
import { UserRepository } from '../../../src/modules/users/index.js';
import { MONGO_COLLECTIONS } from '../../../src/modules/mongo-collections.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

let measurements: MeasurementService;
let users: UserRepository;
let counter = 0;

beforeAll(() => {
  users = new UserRepository(t.nexfit.mongo.db, t.deps);
  measurements = createMeasurementsModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps, { clients: users }).service;
});

/** A client with the given profile data; a fresh user (and so an empty history) each call. */
async function aClient(client: { height?: number; weight?: number } = { height: 175 }): Promise<UserId> {
  counter += 1;
  const user = await users.create({
    email: `danisan${counter}@example.com`,
    firstName: 'Deniz',
    lastName: 'Öztürk',
    role: ['client'],
    roleSpecificData: { client },
    passwordHash: 'scrypt$N=1024,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA==',
  });
  return user.id as UserId;
}

const on = (userId: UserId, date: string, values: RecordMeasurementInput['measurements'], extra: Partial<RecordMeasurementInput> = {}) =>
  measurements.record({ userId, date, measurements: values, ...extra });

const countAll = () => t.nexfit.mongo.db.collection(MONGO_COLLECTIONS.measurements.name).countDocuments({});

describe('MeasurementService', () => {
  describe('record', () => {
    it('files a measurement under the calendar day of the user’s time zone', async () => {
      const userId = await aClient();
      const late = await measurements.record({ userId, date: '2026-03-01T22:30:00Z', timeZone: 'Europe/Istanbul', measurements: { weight: 72.4 } });
      expect(late.date).toEqual(new Date('2026-03-02T00:00:00Z'));
      const utc = await measurements.record({ userId, date: '2026-03-01T22:30:00Z', measurements: { weight: 72.6 } });
      expect(utc.date).toEqual(new Date('2026-03-01T00:00:00Z'));
    });

    it('keeps a calendar day as given in a zone west of UTC, and dates photos with the day', async () => {
      const userId = await aClient();
      const m = await measurements.record({
        userId,
        date: '2026-03-01',
        timeZone: 'America/New_York',
        measurements: { waistCircumference: 80 },
        photos: [{ url: 'https://cdn.example.com/p/1.jpg', position: 'front' }],
      });
      expect(m.date).toEqual(new Date('2026-03-01T00:00:00Z'));
      expect(m.photos).toEqual([{ url: 'https://cdn.example.com/p/1.jpg', position: 'front', date: new Date('2026-03-01T00:00:00Z') }]);
    });

    it('records today by the injected clock when no date is given', async () => {
      const userId = await aClient();
      const m = await measurements.record({ userId, measurements: { weight: 70 } });
      expect(m.date).toEqual(new Date('2026-03-02T00:00:00Z'));
    });

    it('keeps one measurement per user per day: recording the day again replaces it', async () => {
      const userId = await aClient();
      await on(userId, '2026-02-10T07:00:00Z', { weight: 72.4, waistCircumference: 81 }, { notes: 'sabah' });
      const again = await on(userId, '2026-02-10T19:00:00Z', { weight: 72.9 });
      expect(again).toMatchObject({ version: 2, measurements: { weight: 72.9 } });
      expect(again).not.toHaveProperty('notes');
      expect((await measurements.history(userId)).items).toHaveLength(1);
    });

    it('keeps one document when the same day is recorded in parallel', async () => {
      const userId = await aClient();
      const results = await Promise.all([70, 71, 72, 73].map((w) => on(userId, '2026-02-11', { weight: w })));
      const { items } = await measurements.history(userId);
      expect(items).toHaveLength(1);
      expect(results.map((r) => r.id)).toEqual(Array(4).fill(items[0]!.id));
      expect([70, 71, 72, 73]).toContain(items[0]!.measurements.weight);
    });

    it('refuses values in the wrong unit, an empty measurement and hostile input, writing nothing', async () => {
      const userId = await aClient();
      const before = await countAll();
      const refused: RecordMeasurementInput[] = [
        { userId, measurements: { weight: 72_400 } }, // grams, not kilograms
        { userId, measurements: { bodyFatPercentage: 180 } },
        { userId, measurements: { waistCircumference: -3 } },
        { userId, measurements: {} },
        { userId, measurements: { weight: '72' as unknown as number } },
        { userId: { $ne: null } as unknown as string, measurements: { weight: 70 } },
        { userId, measurements: { weight: 70, bmi: 22 } as never },
        { userId, date: 0 as unknown as string, measurements: { weight: 70 } },
        { userId, timeZone: 'Mars/Olympus', measurements: { weight: 70 } },
      ];
      for (const input of refused) await expect(measurements.record(input)).rejects.toBeInstanceOf(ValidationError);
      expect(await countAll()).toBe(before);
    });

    it('refuses a stale expected version', async () => {
      const userId = await aClient();
      const first = await on(userId, '2026-02-12', { weight: 70 });
      await on(userId, '2026-02-12', { weight: 71 });
      await expect(on(userId, '2026-02-12', { weight: 72 }, { expectedVersion: first.version })).rejects.toBeInstanceOf(ConcurrencyError);
    });
  });

  describe('history', () => {
    it('lists an inclusive range of days, newest first', async () => {
      const userId = await aClient();
      for (const day of ['2026-01-31', '2026-02-01', '2026-02-14', '2026-02-28', '2026-03-01']) await on(userId, day, { weight: 70 });
      const { items } = await measurements.history(userId, { from: '2026-02-01', to: '2026-02-28' });
      expect(items.map((m) => m.date.toISOString().slice(0, 10))).toEqual(['2026-02-28', '2026-02-14', '2026-02-01']);
      const open = await measurements.history(userId, { from: '2026-02-28' });
      expect(open.items).toHaveLength(2);
    });

    it('returns an empty page for a user with no measurements, and refuses a reversed range', async () => {
      const userId = await aClient();
      expect(await measurements.history(userId)).toEqual({ items: [], nextCursor: null });
      await expect(measurements.history(userId, { from: '2026-03-01', to: '2026-02-01' })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('progress', () => {
    it('gives the change of every metric between the first and last measurement, null where either lacks it', async () => {
      const userId = await aClient();
      await on(userId, '2026-01-05', { weight: 72.4, bodyFatPercentage: 21.3, waistCircumference: 84, armCircumference: 30 });
      await on(userId, '2026-02-01', { weight: 71.9 });
      await on(userId, '2026-03-01', { weight: 70.1, bodyFatPercentage: 19.8, waistCircumference: 81.5, muscleMass: 33 });
      const p = await measurements.progress(userId, { from: '2026-01-01', to: '2026-03-31' });
      expect(p.days).toBe(55);
      expect(p.start?.date).toEqual(new Date('2026-01-05T00:00:00Z'));
      expect(p.end?.date).toEqual(new Date('2026-03-01T00:00:00Z'));
      expect(p.changes).toEqual({
        weight: { start: 72.4, end: 70.1, change: -2.3 },
        bodyFatPercentage: { start: 21.3, end: 19.8, change: -1.5 },
        muscleMass: null,
        chestCircumference: null,
        waistCircumference: { start: 84, end: 81.5, change: -2.5 },
        hipCircumference: null,
        armCircumference: null,
        thighCircumference: null,
      });
    });

    it('compares nothing with a single measurement or none', async () => {
      const userId = await aClient();
      const empty = await measurements.progress(userId, { from: '2026-01-01', to: '2026-03-31' });
      expect(empty).toMatchObject({ start: null, end: null, days: null });
      expect(Object.values(empty.changes).every((c) => c === null)).toBe(true);
      await on(userId, '2026-02-01', { weight: 70 });
      const single = await measurements.progress(userId, { from: '2026-01-01', to: '2026-03-31' });
      expect(single.start?.measurements.weight).toBe(70);
      expect(single).toMatchObject({ end: null, days: null });
      expect(single.changes.weight).toBeNull();
    });

    it('needs both ends of the window, at most ten years apart', async () => {
      const userId = await aClient();
      await expect(measurements.progress(userId, { from: '2026-01-01' })).rejects.toBeInstanceOf(ValidationError);
      await expect(measurements.progress(userId, { from: '2000-01-01', to: '2026-01-01' })).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('trend', () => {
    it('gives first, last, min, max, average and the least-squares slope per week of each metric', async () => {
      const userId = await aClient();
      // Weight falls exactly 0.5 kg a week; the waist points (days 0, 14, 21) fit -0.643 cm a week.
      // One week has no weight, only a waist measurement.
      await on(userId, '2026-01-01', { weight: 80, waistCircumference: 90 });
      await on(userId, '2026-01-08', { weight: 79.5 });
      await on(userId, '2026-01-15', { waistCircumference: 89 });
      await on(userId, '2026-01-22', { weight: 78.5, waistCircumference: 88 });
      const trend = await measurements.trend(userId, { from: '2026-01-01', to: '2026-01-31' });
      expect(trend.count).toBe(4);
      expect(trend.metrics.weight).toEqual({ count: 3, first: 80, last: 78.5, min: 78.5, max: 80, average: 79.33, change: -1.5, slopePerWeek: -0.5 });
      expect(trend.metrics.waistCircumference).toEqual({ count: 3, first: 90, last: 88, min: 88, max: 90, average: 89, change: -2, slopePerWeek: -0.643 });
      expect(trend.metrics.bodyFatPercentage).toBeNull();
    });

    it('has no slope for a single point and no metrics for an empty window', async () => {
      const userId = await aClient();
      const empty = await measurements.trend(userId, { from: '2026-01-01', to: '2026-01-31' });
      expect(empty.count).toBe(0);
      expect(Object.values(empty.metrics).every((m) => m === null)).toBe(true);
      await on(userId, '2026-01-10', { weight: 70 });
      const one = await measurements.trend(userId, { from: '2026-01-01', to: '2026-01-31' });
      expect(one.metrics.weight).toEqual({ count: 1, first: 70, last: 70, min: 70, max: 70, average: 70, change: 0, slopePerWeek: null });
    });
  });

  describe('bmi', () => {
    it('computes the BMI from the client’s height and the latest measured weight', async () => {
      const userId = await aClient({ height: 175, weight: 90 });
      await on(userId, '2026-02-01', { weight: 70 });
      await on(userId, '2026-02-20', { waistCircumference: 80 }); // newer, but without a weight
      expect(await measurements.bmi(userId)).toEqual({
        available: true,
        bmi: 22.9,
        category: 'normal',
        heightCm: 175,
        weightKg: 70,
        weightSource: 'measurement',
        measuredOn: new Date('2026-02-01T00:00:00Z'),
      });
    });

    it('falls back to the profile weight when nothing was measured', async () => {
      const userId = await aClient({ height: 160, weight: 80 });
      expect(await measurements.bmi(userId)).toMatchObject({ available: true, bmi: 31.3, category: 'obese_class_1', weightSource: 'profile', measuredOn: null });
    });

    it('says what is missing instead of guessing', async () => {
      const noHeight = await aClient({ weight: 70 });
      expect(await measurements.bmi(noHeight)).toEqual({ available: false, missing: ['height'] });
      const nothing = await aClient({});
      expect(await measurements.bmi(nothing)).toEqual({ available: false, missing: ['height', 'weight'] });
      await expect(measurements.bmi('0000000000000000000000ff' as UserId)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('classifies by the WHO bands at their boundaries', () => {
      expect([18.4, 18.5, 24.9, 25, 29.9, 30, 34.9, 35, 39.9, 40].map(bmiCategoryOf)).toEqual([
        'underweight', 'normal', 'normal', 'overweight', 'overweight', 'obese_class_1', 'obese_class_1', 'obese_class_2', 'obese_class_2', 'obese_class_3',
      ]);
    });
  });

  describe('progress photos', () => {
    it('adds a photo to the day’s measurement, keeping its values, or creates the day', async () => {
      const userId = await aClient();
      await on(userId, '2026-02-01', { weight: 70 }, { notes: 'iyi' });
      const withPhoto = await measurements.addProgressPhoto(userId, { url: 'https://cdn.example.com/p/a.jpg', position: 'front', date: '2026-02-01T08:00:00Z' });
      expect(withPhoto).toMatchObject({ measurements: { weight: 70 }, notes: 'iyi', photos: [{ position: 'front', date: new Date('2026-02-01T08:00:00Z') }] });
      const fresh = await measurements.addProgressPhoto(userId, { url: 'https://cdn.example.com/p/b.jpg', position: 'back', date: '2026-02-08' });
      expect(fresh).toMatchObject({ version: 1, measurements: {}, photos: [{ position: 'back' }] });
    });

    it('keeps every photo added in parallel to the same day', async () => {
      const userId = await aClient();
      await on(userId, '2026-02-03', { weight: 70 });
      const positions = ['front', 'back', 'left', 'right'] as const;
      await Promise.all(positions.map((position) => measurements.addProgressPhoto(userId, { url: `https://cdn.example.com/p/${position}.jpg`, position, date: '2026-02-03' })));
      const day = await measurements.getForDay(userId, '2026-02-03');
      expect(day?.photos.map((p) => p.position).sort()).toEqual([...positions].sort());
      expect(day?.measurements).toEqual({ weight: 70 });
    });

    it('refuses a twenty-first photo of a day', async () => {
      const userId = await aClient();
      const photos = Array.from({ length: 20 }, (_, i) => ({ url: `https://cdn.example.com/p/${i}.jpg`, position: 'other' as const }));
      await on(userId, '2026-02-04', {}, { photos });
      await expect(measurements.addProgressPhoto(userId, { url: 'https://cdn.example.com/p/x.jpg', position: 'front', date: '2026-02-04' })).rejects.toBeInstanceOf(ValidationError);
    });

    it('lists the photos of a position, oldest first, with their measurement day', async () => {
      const userId = await aClient();
      for (const [day, position] of [['2026-01-01', 'front'], ['2026-01-15', 'side'], ['2026-02-01', 'front']] as const) {
        await measurements.addProgressPhoto(userId, { url: `https://cdn.example.com/p/${day}.jpg`, position: position === 'side' ? 'left' : position, date: day });
      }
      const fronts = await measurements.progressPhotos(userId, { from: '2026-01-01', to: '2026-02-28' }, { position: 'front' });
      expect(fronts.map((p) => p.measurementDate.toISOString().slice(0, 10))).toEqual(['2026-01-01', '2026-02-01']);
      expect(fronts[0]).toMatchObject({ url: 'https://cdn.example.com/p/2026-01-01.jpg', position: 'front' });
    });
  });
});

import { MongoServerError, ObjectId, type Document } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

const days = () => mongo.db.collection('iso_week_days');
/** The single value `expression` takes on the document named `name`. */
async function valueOf(name: string, expression: unknown): Promise<unknown> {
  const [doc] = await days().aggregate([{ $match: { name } }, { $project: { _id: 0, v: expression } }]).toArray();
  return (doc as Document)['v'];
}

describe('date parts of ISO weeks ($isoWeekYear, $isoWeek, $isoDayOfWeek)', () => {
  beforeAll(async () => {
    await days().insertMany([
      { name: 'monday-2024-12-30', d: new Date('2024-12-30T12:00:00Z') },
      { name: 'sunday-2021-01-03', d: new Date('2021-01-03T12:00:00Z') },
      { name: 'thursday-2026-01-01', d: new Date('2026-01-01T12:00:00Z') },
      { name: 'sunday-2027-01-03', d: new Date('2027-01-03T12:00:00Z') },
      // Sunday 8 March 2026, 23:30 in Buenos Aires (UTC−3): Monday 02:30 in UTC.
      { name: 'sunday-night', d: new Date('2026-03-09T02:30:00Z') },
      // New York moves to daylight time on 8 March 2026: 04:30 UTC on 9 March is 00:30 EDT (Monday), 23:30 at a fixed −05:00.
      { name: 'after-dst', d: new Date('2026-03-09T04:30:00Z') },
      { name: 'no-date' },
      { name: 'text', d: '2026-03-09' },
    ]);
  });

  it('gives the ISO week-numbering year and week around New Year (MongoDB documents 2024-12-30 as week 1 of 2025)', async () => {
    const week = (name: string) => valueOf(name, { y: { $isoWeekYear: '$d' }, w: { $isoWeek: '$d' }, dow: { $isoDayOfWeek: '$d' } });
    expect(await week('monday-2024-12-30')).toEqual({ y: 2025, w: 1, dow: 1 });
    expect(await week('sunday-2021-01-03')).toEqual({ y: 2020, w: 53, dow: 7 });
    expect(await week('thursday-2026-01-01')).toEqual({ y: 2026, w: 1, dow: 4 });
    expect(await week('sunday-2027-01-03')).toEqual({ y: 2026, w: 53, dow: 7 });
  });

  it('reads the date in a time zone: Olson names of any shape, UTC and offsets, with daylight saving', async () => {
    const at = (name: string, timezone: string) => valueOf(name, { w: { $isoWeek: { date: '$d', timezone } }, dow: { $isoDayOfWeek: { date: '$d', timezone } } });
    expect(await at('sunday-night', 'UTC')).toEqual({ w: 11, dow: 1 });
    expect(await at('sunday-night', 'America/Argentina/Buenos_Aires')).toEqual({ w: 10, dow: 7 });
    expect(await at('sunday-night', '-03:00')).toEqual({ w: 10, dow: 7 });
    expect(await at('sunday-night', '-0300')).toEqual({ w: 10, dow: 7 });
    expect(await at('sunday-night', '-03')).toEqual({ w: 10, dow: 7 });
    expect(await at('after-dst', 'America/New_York')).toEqual({ w: 11, dow: 1 });
    expect(await at('after-dst', '-05:00')).toEqual({ w: 10, dow: 7 });
    expect(await valueOf('monday-2024-12-30', { $isoWeekYear: { date: '$d', timezone: 'Pacific/Kiritimati' } })).toBe(2025);
  });

  it('gives null for a missing date and accepts an ObjectId as its timestamp', async () => {
    expect(await valueOf('no-date', { $isoWeek: '$d' })).toBeNull();
    expect(await valueOf('no-date', { $isoWeekYear: { date: '$d', timezone: 'UTC' } })).toBeNull();
    const id = ObjectId.createFromTime(Date.parse('2024-12-30T12:00:00Z') / 1000);
    expect(await valueOf('no-date', { $isoWeekYear: { $literal: id } })).toBe(2025);
  });

  it('refuses an unknown time zone with code 40485 and a string date with code 16006', async () => {
    const error = await valueOf('sunday-night', { $isoWeek: { date: '$d', timezone: 'Mars/Olympus' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(40485);
    expect((error as MongoServerError).message).toBe('unrecognized time zone identifier: "Mars/Olympus"');
    const text = await valueOf('text', { $isoWeek: '$d' }).catch((e: unknown) => e);
    expect((text as MongoServerError).code).toBe(16006);
  });
});

describe('array $first and $last', () => {
  beforeAll(async () => {
    await mongo.db.collection('array_ends').insertMany([
      { name: 'nested', a: [{ b: [1, 2] }, { b: [3] }] },
      { name: 'empty', a: [] },
      { name: 'scalar', a: 5 },
    ]);
  });

  const ends = async (name: string, expression: Document) => {
    const [doc] = await mongo.db.collection('array_ends').aggregate([{ $match: { name } }, { $project: { _id: 0, ...expression } }]).toArray();
    return doc;
  };

  it('returns the first and last element, an array element staying an array', async () => {
    expect(await ends('nested', { f: { $first: '$a.b' }, l: { $last: '$a.b' }, doc: { $first: '$a' } })).toEqual({ f: [1, 2], l: [3], doc: { b: [1, 2] } });
  });

  it('gives nothing for an empty array and null for a missing one', async () => {
    expect(await ends('empty', { f: { $first: '$a' }, n: { $first: '$missing' } })).toEqual({ n: null });
  });

  it('refuses a value that is not an array', async () => {
    const error = await ends('scalar', { f: { $first: '$a' } }).catch((e: unknown) => e);
    expect((error as MongoServerError).code).toBe(28689);
  });

  it('keeps $first and $last as accumulators inside $group', async () => {
    const [group] = await mongo.db
      .collection('array_ends')
      .aggregate([{ $sort: { name: 1 } }, { $group: { _id: null, first: { $first: '$name' }, last: { $last: '$name' } } }])
      .toArray();
    expect(group).toEqual({ _id: null, first: 'empty', last: 'scalar' });
  });
});

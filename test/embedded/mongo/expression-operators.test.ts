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

describe('$dateToString', () => {
  const stamps = () => mongo.db.collection('date_strings');
  beforeAll(async () => {
    await stamps().insertMany([
      // Sunday 3 January 2021, 12:34:56.789 UTC: 07:34:56.789 in New York (UTC−5), 18:04:56.789 at +05:30.
      { name: 'sunday', d: new Date('2021-01-03T12:34:56.789Z') },
      // Monday 30 December 2024: ISO week 1 of 2025.
      { name: 'monday', d: new Date('2024-12-30T08:00:00Z') },
      // 9 March 2026 04:30 UTC: 00:30 EDT (daylight time began on 8 March), 23:30 on 8 March at −05:00.
      { name: 'after-dst', d: new Date('2026-03-09T04:30:00Z') },
      { name: 'no-date' },
      { name: 'text', d: '2021-01-03' },
    ]);
  });
  const format = async (name: string, spec: Document): Promise<unknown> => {
    const [doc] = await stamps().aggregate([{ $match: { name } }, { $project: { _id: 0, v: { $dateToString: spec } } }]).toArray();
    return (doc as Document)['v'];
  };

  it('writes every specifier as MongoDB does, in UTC and in a zone', async () => {
    const all = '%Y-%m-%d %H:%M:%S.%L|%j|%G-W%V-%u|%w|%U|%z|%%';
    expect(await format('sunday', { date: '$d', format: all })).toBe('2021-01-03 12:34:56.789|003|2020-W53-7|1|01|+0000|%');
    expect(await format('sunday', { date: '$d', format: `${all}|%Z`, timezone: 'America/New_York' })).toBe('2021-01-03 07:34:56.789|003|2020-W53-7|1|01|-0500|%|-300');
    expect(await format('sunday', { date: '$d', format: `${all}|%Z`, timezone: '+05:30' })).toBe('2021-01-03 18:04:56.789|003|2020-W53-7|1|01|+0530|%|+330');
    expect(await format('monday', { date: '$d', format: '%G-W%V-%u %w %U %j' })).toBe('2025-W01-1 2 52 365');
  });

  it('follows daylight saving time in an Olson zone and not at a fixed offset', async () => {
    expect(await format('after-dst', { date: '$d', format: '%Y-%m-%d %H:%M %z', timezone: 'America/New_York' })).toBe('2026-03-09 00:30 -0400');
    expect(await format('after-dst', { date: '$d', format: '%Y-%m-%d %H:%M %z', timezone: '-05:00' })).toBe('2026-03-08 23:30 -0500');
  });

  it('uses the ISO format without a format: with Z in UTC, without it in another zone', async () => {
    expect(await format('sunday', { date: '$d' })).toBe('2021-01-03T12:34:56.789Z');
    expect(await format('sunday', { date: '$d', timezone: 'UTC' })).toBe('2021-01-03T12:34:56.789Z');
    expect(await format('sunday', { date: '$d', timezone: 'Europe/Istanbul' })).toBe('2021-01-03T15:34:56.789');
  });

  it('gives onNull or null for a missing date', async () => {
    expect(await format('no-date', { date: '$d', format: '%Y' })).toBeNull();
    expect(await format('no-date', { date: '$d', format: '%Y', onNull: 'no date' })).toBe('no date');
  });

  it('refuses unknown specifiers, a dangling %, unknown arguments, unknown zones and non-dates with MongoDB’s codes', async () => {
    const codeOf = (name: string, spec: Document) => format(name, spec).then(() => undefined, (e: unknown) => (e as MongoServerError).code);
    expect(await codeOf('sunday', { date: '$d', format: '%Q' })).toBe(18536);
    expect(await codeOf('sunday', { date: '$d', format: 'day %' })).toBe(18535);
    expect(await codeOf('sunday', { date: '$d', fromat: '%Y' })).toBe(18534);
    expect(await codeOf('sunday', { format: '%Y' })).toBe(18628);
    expect(await codeOf('sunday', { date: '$d', format: 7 })).toBe(18533);
    expect(await codeOf('sunday', { date: '$d', timezone: 'Mars/Olympus' })).toBe(40485);
    expect(await codeOf('text', { date: '$d' })).toBe(16006);
  });
});

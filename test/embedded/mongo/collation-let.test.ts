import { describe, expect, it } from 'vitest';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

const CI = { locale: 'en', strength: 2 } as const;

describe('collation', () => {
  it('applies to find, sort, count and distinct (locale, strength 1-3)', async () => {
    const coll = mongo.db.collection<{ _id: number; w: string }>('coll_find');
    await coll.insertMany([{ _id: 1, w: 'ping' }, { _id: 2, w: 'PING' }, { _id: 3, w: 'píng' }, { _id: 4, w: 'pong' }, { _id: 5, w: 'Apple' }, { _id: 6, w: 'banana' }]);
    expect((await coll.find({ w: 'ping' }).collation(CI).toArray()).map((d) => d._id).sort()).toEqual([1, 2]);
    expect((await coll.find({ w: 'ping' }).collation({ locale: 'en', strength: 1 }).toArray()).map((d) => d._id).sort()).toEqual([1, 2, 3]);
    expect((await coll.find({ w: 'ping' }).collation({ locale: 'en', strength: 3 }).toArray()).map((d) => d._id)).toEqual([1]);
    expect((await coll.find({ w: 'ping' }).toArray()).map((d) => d._id)).toEqual([1]);
    expect(await coll.countDocuments({ w: { $in: ['PING', 'x'] } }, { collation: CI })).toBe(2);
    expect(await coll.countDocuments({ w: { $ne: 'PING' } }, { collation: CI })).toBe(4);
    expect(await coll.countDocuments({ w: { $gte: 'b', $lt: 'c' } }, { collation: CI })).toBe(1);
    expect((await mongo.db.command({ count: 'coll_find', query: { w: 'Ping' }, collation: CI }))['n']).toBe(2);
    const distinct = await coll.distinct('w', { w: { $in: ['ping', 'pong'] } }, { collation: CI });
    expect(distinct).toHaveLength(2);
    expect(distinct.map((w) => w.toLowerCase()).sort()).toEqual(['ping', 'pong']);
    // Binary order puts upper case first; the en collation sorts alphabetically.
    expect((await coll.find({ _id: { $in: [5, 6] } }).sort({ w: 1 }).toArray()).map((d) => d.w)).toEqual(['Apple', 'banana']);
    expect((await coll.find({ w: { $in: ['banana', 'apple'] } }).collation({ locale: 'en', strength: 1 }).sort({ w: -1 }).toArray()).map((d) => d.w)).toEqual(['banana', 'Apple']);
  });

  it('supports numericOrdering and caseLevel', async () => {
    const coll = mongo.db.collection<{ _id: number; v: string }>('coll_numeric');
    await coll.insertMany([{ _id: 1, v: '10' }, { _id: 2, v: '9' }, { _id: 3, v: '100' }, { _id: 4, v: 'a' }, { _id: 5, v: 'A' }, { _id: 6, v: 'á' }]);
    const numeric = await coll.find({ _id: { $lte: 3 } }).sort({ v: 1 }).collation({ locale: 'en', numericOrdering: true }).toArray();
    expect(numeric.map((d) => d.v)).toEqual(['9', '10', '100']);
    expect((await coll.find({ _id: { $lte: 3 } }).sort({ v: 1 }).toArray()).map((d) => d.v)).toEqual(['10', '100', '9']);
    expect(await coll.countDocuments({ _id: { $lte: 3 }, v: { $gt: '20' } }, { collation: { locale: 'en', numericOrdering: true } })).toBe(1);
    // Strength 1 ignores case and accents; caseLevel brings case back but not accents.
    expect(await coll.countDocuments({ v: 'a' }, { collation: { locale: 'en', strength: 1 } })).toBe(3);
    expect((await coll.find({ v: 'a' }).collation({ locale: 'en', strength: 1, caseLevel: true }).toArray()).map((d) => d._id).sort()).toEqual([4, 6]);
  });

  it('applies to update, delete, findAndModify and aggregate', async () => {
    const coll = mongo.db.collection<{ _id: number; k: string; n?: number }>('coll_writes');
    await coll.insertMany([{ _id: 1, k: 'Key' }, { _id: 2, k: 'KEY' }, { _id: 3, k: 'other' }, { _id: 4, k: 'key' }]);
    const updated = await coll.updateMany({ k: 'key' }, { $set: { n: 1 } }, { collation: CI });
    expect(updated.modifiedCount).toBe(3);
    const fam = await coll.findOneAndUpdate({ k: 'KEY' }, { $inc: { n: 1 } }, { collation: CI, sort: { _id: -1 }, returnDocument: 'after' });
    expect(fam).toMatchObject({ _id: 4, n: 2 });
    const grouped = await coll.aggregate([{ $match: { k: 'key' } }, { $sort: { _id: 1 } }, { $match: { k: 'KEY' } }, { $count: 'n' }], { collation: CI }).toArray();
    expect(grouped).toEqual([{ n: 3 }]);
    const deleted = await coll.deleteMany({ k: 'kEy' }, { collation: CI });
    expect(deleted.deletedCount).toBe(3);
    expect(await coll.countDocuments()).toBe(1);
  });

  it('accepts MongoDB locale spellings and refuses what MongoDB refuses', async () => {
    const coll = mongo.db.collection('coll_locales');
    await coll.insertOne({ s: 'Straße' });
    expect(await coll.countDocuments({ s: 'STRASSE' }, { collation: { locale: 'de_DE', strength: 1 } })).toBe(1);
    expect(await coll.countDocuments({ s: 'straße' }, { collation: { locale: 'simple' } })).toBe(0);
    await expect(coll.find({}).collation({ locale: 'xx_NOPE' } as never).toArray()).rejects.toMatchObject({ code: 2 });
    await expect(coll.find({}).collation({ strength: 2 } as never).toArray()).rejects.toMatchObject({ code: 40414 });
    await expect(coll.find({}).collation({ locale: 'en', strength: 9 }).toArray()).rejects.toMatchObject({ code: 2 });
    await expect(coll.find({}).collation({ locale: 'fr', backwards: true }).toArray()).rejects.toMatchObject({ code: 238 });
    await expect(coll.createIndex({ s: 1 }, { unique: true, collation: CI })).rejects.toMatchObject({ code: 238 });
  });

  it("uses a collection's default collation when a command gives none", async () => {
    await mongo.db.createCollection('coll_default', { collation: CI });
    const coll = mongo.db.collection('coll_default');
    await coll.insertMany([{ t: 'abc' }, { t: 'ABC' }]);
    expect(await coll.countDocuments({ t: 'Abc' })).toBe(2);
    expect(await coll.countDocuments({ t: 'Abc' }, { collation: { locale: 'simple' } })).toBe(0);
    const [info] = await mongo.db.listCollections({ name: 'coll_default' }).toArray();
    expect((info as any).options.collation).toMatchObject({ locale: 'en', strength: 2 });
  });
});

describe('let variables', () => {
  it('are visible to find, aggregate, update, delete, findAndModify and bulk writes', async () => {
    const coll = mongo.db.collection<{ _id: number; qty: number; tag?: string }>('let_vars');
    await coll.insertMany([{ _id: 1, qty: 5 }, { _id: 2, qty: 15 }, { _id: 3, qty: 25 }]);
    const found = await coll.find({ $expr: { $gt: ['$qty', '$$min'] } }, { let: { min: 10 } }).toArray();
    expect(found.map((d) => d._id)).toEqual([2, 3]);
    const agg = await coll.aggregate([{ $match: { $expr: { $lt: ['$qty', '$$max'] } } }, { $project: { _id: 1, limit: '$$max' } }], { let: { max: { $add: [10, 10] } } }).toArray();
    expect(agg).toEqual([{ _id: 1, limit: 20 }, { _id: 2, limit: 20 }]);
    const updated = await coll.updateMany({ $expr: { $gte: ['$qty', '$$min'] } }, [{ $set: { tag: '$$label' } }], { let: { min: 15, label: 'big' } });
    expect(updated.modifiedCount).toBe(2);
    const fam = await coll.findOneAndUpdate({ $expr: { $eq: ['$_id', '$$target'] } }, [{ $set: { qty: { $multiply: ['$qty', '$$factor'] } } }], { let: { target: 1, factor: 3 }, returnDocument: 'after' });
    expect(fam).toMatchObject({ _id: 1, qty: 15 });
    const bulk = await coll.bulkWrite([{ updateOne: { filter: { $expr: { $eq: ['$_id', '$$id'] } }, update: { $set: { tag: 'bulk' } } } }], { let: { id: 3 } });
    expect(bulk.modifiedCount).toBe(1);
    const deleted = await coll.deleteMany({ $expr: { $eq: ['$tag', '$$tag'] } }, { let: { tag: 'big' } });
    expect(deleted.deletedCount).toBe(1);
    expect((await coll.find().sort({ _id: 1 }).toArray()).map((d) => [d._id, d.tag ?? null])).toEqual([[1, null], [3, 'bulk']]);
    await expect(coll.find({}, { let: { Bad: 1 } }).toArray()).rejects.toMatchObject({ code: 16870 });
  });
});

import { Double, Int32, Long } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

describe('comparison and type order as in MongoDB', () => {
  it('brackets comparisons by type, sorts across types in BSON order and matches null as MongoDB does', async () => {
    const coll = mongo.db.collection('mixed');
    await coll.insertMany([
      { _id: 1, a: 5 }, { _id: 2, a: 'str' }, { _id: 3, a: null }, { _id: 4 }, { _id: 5, a: [1, 10] },
      { _id: 6, a: new Date(0) }, { _id: 7, a: true }, { _id: 8, a: { x: 1 } }, { _id: 9, a: Long.fromNumber(7) }, { _id: 10, a: new Double(6.5) },
    ] as never[]);
    const ids = async (filter: object) => (await coll.find(filter).sort({ _id: 1 }).toArray()).map((d) => d['_id']);
    expect(await ids({ a: { $gt: 5 } })).toEqual([5, 9, 10]);
    expect(await ids({ a: { $lt: 'z' } })).toEqual([2]);
    expect(await ids({ a: null })).toEqual([3, 4]);
    expect(await ids({ a: { $gte: null } })).toEqual([3, 4]);
    expect(await ids({ a: { $lte: null } })).toEqual([3, 4]);
    expect(await ids({ a: { $gt: null } })).toEqual([]);
    expect(await ids({ a: { $in: [null, 'str'] } })).toEqual([2, 3, 4]);
    expect((await coll.find().sort({ a: 1, _id: 1 }).toArray()).map((d) => d['_id'])).toEqual([3, 4, 5, 1, 10, 9, 2, 8, 7, 6]);
    expect((await coll.find().sort({ a: -1, _id: 1 }).toArray()).map((d) => d['_id'])).toEqual([6, 7, 8, 2, 5, 9, 10, 1, 3, 4]);
  });

  it('matches $type by BSON type, array elements included', async () => {
    const coll = mongo.db.collection('types');
    await coll.insertMany([{ _id: 1, v: new Double(1) }, { _id: 2, v: new Int32(1) }, { _id: 3, v: Long.fromNumber(1) }, { _id: 4, v: [1, 'x'] }, { _id: 5, v: 'y' }] as never[]);
    const ids = async (filter: object) => (await coll.find(filter).sort({ _id: 1 }).toArray()).map((d) => d['_id']);
    expect(await ids({ v: { $type: 'double' } })).toEqual([1]);
    expect(await ids({ v: { $type: 'int' } })).toEqual([2, 4]);
    expect(await ids({ v: { $type: 18 } })).toEqual([3]);
    expect(await ids({ v: { $type: 'number' } })).toEqual([1, 2, 3, 4]);
    expect(await ids({ v: { $type: 'string' } })).toEqual([4, 5]);
    expect(await ids({ v: { $type: 'array' } })).toEqual([4]);
    expect(await ids({ v: { $type: ['long', 'double'] } })).toEqual([1, 3]);
  });

  it('keeps and widens numeric types through updates as MongoDB does', async () => {
    const coll = mongo.db.collection('numeric_updates');
    await coll.insertMany([{ _id: 1, n: new Int32(2147483647) }, { _id: 2, n: Long.fromNumber(7) }, { _id: 3, n: new Double(1) }] as never[]);
    await coll.updateOne({ _id: 1 } as never, { $inc: { n: 1 } });
    await coll.updateOne({ _id: 2 } as never, { $mul: { n: 2 } });
    await coll.updateOne({ _id: 3 } as never, { $inc: { n: 1 } });
    const raw = await coll.find({}, { promoteValues: false }).sort({ _id: 1 }).toArray();
    expect(raw.map((d) => [d['n'].constructor.name, String(d['n'].valueOf())])).toEqual([['Long', '2147483648'], ['Long', '14'], ['Double', '2']]);
  });
});

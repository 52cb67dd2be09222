import { describe, expect, it } from 'vitest';
import { Binary, type Document } from 'mongodb';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

describe('views', () => {
  it('are created with viewOn and pipeline, listed, and read by find, aggregate, count and distinct', async () => {
    const orders = mongo.db.collection('orders');
    await orders.insertMany([
      { _id: 1, status: 'paid', total: 10, shop: 'a' },
      { _id: 2, status: 'open', total: 20, shop: 'b' },
      { _id: 3, status: 'paid', total: 30, shop: 'b' },
      { _id: 4, status: 'paid', total: 40, shop: 'c' },
    ] as never[]);
    await mongo.db.createCollection('paid_orders', { viewOn: 'orders', pipeline: [{ $match: { status: 'paid' } }, { $project: { status: 0 } }] });
    const view = mongo.db.collection('paid_orders');
    expect(await view.find({ total: { $gte: 20 } }).sort({ total: -1 }).toArray()).toEqual([{ _id: 4, total: 40, shop: 'c' }, { _id: 3, total: 30, shop: 'b' }]);
    expect(await view.find({}, { projection: { shop: 1, _id: 0 } }).sort({ _id: 1 }).skip(1).limit(1).toArray()).toEqual([{ shop: 'b' }]);
    expect(await view.countDocuments()).toBe(3);
    expect((await mongo.db.command({ count: 'paid_orders', query: { shop: 'b' } }))['n']).toBe(1);
    expect((await view.distinct('shop')).sort()).toEqual(['a', 'b', 'c']);
    expect(await view.aggregate([{ $group: { _id: null, sum: { $sum: '$total' } } }]).toArray()).toEqual([{ _id: null, sum: 80 }]);
    // A view on a view, and a $lookup into a view.
    await mongo.db.createCollection('big_paid', { viewOn: 'paid_orders', pipeline: [{ $match: { total: { $gt: 25 } } }] });
    expect((await mongo.db.collection('big_paid').find().toArray()).map((d) => d._id)).toEqual([3, 4]);
    const joined = await orders.aggregate([{ $match: { _id: 2 } }, { $lookup: { from: 'big_paid', localField: 'shop', foreignField: 'shop', as: 'paid' } }]).toArray();
    expect(joined[0]!['paid']).toEqual([{ _id: 3, total: 30, shop: 'b' }]);
    const listed = await mongo.db.listCollections({ name: 'paid_orders' }).toArray();
    expect(listed[0]).toMatchObject({ name: 'paid_orders', type: 'view', options: { viewOn: 'orders', pipeline: [{ $match: { status: 'paid' } }, { $project: { status: 0 } }] } });
    // The view follows its collection.
    await orders.updateOne({ _id: 2 } as never, { $set: { status: 'paid' } });
    expect(await view.countDocuments()).toBe(4);
  });

  it('refuse writes and indexes with 166, and are dropped like collections', async () => {
    await mongo.db.collection('base').insertOne({ a: 1 });
    await mongo.db.createCollection('ro', { viewOn: 'base', pipeline: [] });
    const view = mongo.db.collection('ro');
    await expect(view.insertOne({ a: 2 })).rejects.toMatchObject({ code: 166, codeName: 'CommandNotSupportedOnView' });
    await expect(view.updateOne({}, { $set: { a: 3 } })).rejects.toMatchObject({ code: 166 });
    await expect(view.deleteMany({})).rejects.toMatchObject({ code: 166 });
    await expect(view.findOneAndUpdate({}, { $set: { a: 3 } })).rejects.toMatchObject({ code: 166 });
    await expect(view.createIndex({ a: 1 })).rejects.toMatchObject({ code: 166 });
    await expect(mongo.db.createCollection('ro')).rejects.toMatchObject({ code: 48 });
    await expect(view.find({}).collation({ locale: 'en', strength: 2 }).toArray()).rejects.toMatchObject({ code: 167 });
    await expect(view.find({}).explain()).rejects.toMatchObject({ code: 238 });
    const session = mongo.client.startSession();
    try {
      session.startTransaction();
      await mongo.db.collection('base').findOne({}, { session });
      await expect(mongo.db.command({ create: 'txn_view', viewOn: 'base', pipeline: [] }, { session })).rejects.toMatchObject({ code: 263 });
    } finally {
      await session.endSession();
    }
    expect(await view.drop()).toBe(true);
    expect(await mongo.db.listCollections({ name: 'ro' }).toArray()).toEqual([]);
    expect(await mongo.db.collection('base').countDocuments()).toBe(1);
  });
});

describe('$out and $merge', () => {
  it('$out replaces the target with the output, keeping its indexes; all or nothing', async () => {
    const source = mongo.db.collection('out_src');
    await source.insertMany([{ _id: 1, g: 'x', v: 1 }, { _id: 2, g: 'y', v: 2 }, { _id: 3, g: 'x', v: 3 }] as never[]);
    const target = mongo.db.collection('out_target');
    await target.insertOne({ _id: 'stale' } as never);
    await target.createIndex({ total: 1 }, { unique: true });
    const cursor = await source.aggregate([{ $group: { _id: '$g', total: { $sum: '$v' } } }, { $out: 'out_target' }]).toArray();
    expect(cursor).toEqual([]);
    expect(await target.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 'x', total: 4 }, { _id: 'y', total: 2 }]);
    expect((await target.indexes()).map((i) => i.name).sort()).toEqual(['_id_', 'total_1']);
    // A duplicate on the target's unique index fails the whole $out and leaves the target as it was.
    await expect(source.aggregate([{ $project: { total: { $literal: 1 } } }, { $out: 'out_target' }]).toArray()).rejects.toMatchObject({ code: 11000 });
    expect(await target.countDocuments()).toBe(2);
    await source.aggregate([{ $match: { g: 'y' } }, { $out: { db: mongo.dbName, coll: 'out_other' } }]).toArray();
    expect(await mongo.db.collection('out_other').find().toArray()).toEqual([{ _id: 2, g: 'y', v: 2 }]);
    await expect(source.aggregate([{ $out: 'out_target' }, { $match: {} }]).toArray()).rejects.toMatchObject({ code: 40601 });
  });

  it('$merge merges, replaces, keeps, fails or discards as asked', async () => {
    const source = mongo.db.collection('merge_src');
    await source.insertMany([{ _id: 1, n: 10 }, { _id: 2, n: 20 }, { _id: 3, n: 30 }] as never[]);
    const target = mongo.db.collection('merge_target');
    await target.insertMany([{ _id: 1, n: 0, keep: true }, { _id: 2, n: 0, keep: true }] as never[]);
    await source.aggregate([{ $match: { _id: { $lte: 2 } } }, { $merge: { into: 'merge_target' } }]).toArray();
    expect(await target.find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, n: 10, keep: true }, { _id: 2, n: 20, keep: true }]);
    await source.aggregate([{ $match: { _id: 1 } }, { $merge: { into: 'merge_target', whenMatched: 'replace', whenNotMatched: 'discard' } }]).toArray();
    expect(await target.findOne({ _id: 1 } as never)).toEqual({ _id: 1, n: 10 });
    await source.aggregate([{ $merge: { into: 'merge_target', whenMatched: 'keepExisting', whenNotMatched: 'insert' } }]).toArray();
    expect(await target.countDocuments()).toBe(3);
    await source.aggregate([{ $merge: { into: 'merge_target', whenMatched: [{ $set: { n: { $add: ['$n', '$$new.n'] } } }] } }]).toArray();
    expect((await target.find().sort({ _id: 1 }).toArray()).map((d) => d['n'])).toEqual([20, 40, 60]);
    await expect(source.aggregate([{ $merge: { into: 'merge_target', whenMatched: 'fail' } }]).toArray()).rejects.toMatchObject({ code: 11000 });
    await expect(source.aggregate([{ $project: { n: 1, _id: 0 } }, { $merge: { into: 'merge_new', on: 'n' } }]).toArray()).rejects.toMatchObject({ code: 51183 });
    await mongo.db.collection('merge_new').createIndex({ n: 1 }, { unique: true });
    await source.aggregate([{ $project: { n: 1, _id: 0 } }, { $merge: { into: 'merge_new', on: 'n' } }]).toArray();
    expect(await mongo.db.collection('merge_new').countDocuments()).toBe(3);
  });

  it('are refused inside a transaction', async () => {
    const session = mongo.client.startSession();
    try {
      session.startTransaction();
      await expect(mongo.db.collection('merge_src').aggregate([{ $out: 'never' }], { session }).toArray()).rejects.toMatchObject({ code: 263 });
    } finally {
      await session.endSession();
    }
  });
});

describe('$listLocalSessions', () => {
  it('lists the sessions the server knows, with id and uid', async () => {
    const session = mongo.client.startSession();
    try {
      await mongo.db.collection('lls').insertOne({ a: 1 }, { session });
      const id = session.id!['id'] as Binary;
      const docs: Document[] = await mongo.client.db('admin').aggregate([{ $listLocalSessions: { allUsers: true } }]).toArray();
      const mine = docs.find((d) => Buffer.from(d['_id'].id.buffer).equals(Buffer.from(id.buffer)));
      expect(mine).toBeDefined();
      expect(mine!['_id'].uid).toBeInstanceOf(Binary);
      expect(mine!['lastUse']).toBeInstanceOf(Date);
      const filtered = await mongo.client.db('admin').aggregate([{ $listLocalSessions: {} }, { $match: { '_id.id': id } }]).toArray();
      expect(filtered).toHaveLength(1);
      await expect(mongo.db.aggregate([{ $listLocalSessions: {} }]).toArray()).rejects.toMatchObject({ code: 73 });
    } finally {
      await session.endSession();
    }
  });
});

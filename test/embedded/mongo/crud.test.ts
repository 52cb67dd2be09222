import { Double, Int32, Long, MongoServerError, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

describe('CRUD commands and their result shapes', () => {
  it('inserts, generating _id first, and reports n', async () => {
    const coll = mongo.db.collection('insert_shape');
    const reply = await mongo.db.command({ insert: 'insert_shape', documents: [{ a: 1 }, { a: 2 }] });
    expect(reply).toMatchObject({ n: 2, ok: 1 });
    const doc = await coll.findOne({ a: 1 });
    expect(Object.keys(doc ?? {})[0]).toBe('_id');
    expect(doc?._id).toBeInstanceOf(ObjectId);
  });

  it('reports writeErrors and stops an ordered batch at the first error', async () => {
    const reply = await mongo.db.command({ insert: 'ordered', documents: [{ _id: 1 }, { _id: 1 }, { _id: 2 }] });
    expect(reply['n']).toBe(1);
    expect(reply['writeErrors']).toHaveLength(1);
    expect(reply['writeErrors'][0]).toMatchObject({ index: 1, code: 11000 });
    const unordered = await mongo.db.command({ insert: 'unordered', documents: [{ _id: 1 }, { _id: 1 }, { _id: 2 }], ordered: false });
    expect(unordered['n']).toBe(2);
  });

  it('updates with n/nModified and reports upserts with index and _id', async () => {
    const coll = mongo.db.collection('update_shape');
    await coll.insertMany([{ k: 1, v: 0 }, { k: 1, v: 0 }, { k: 2, v: 0 }]);
    const reply = await mongo.db.command({
      update: 'update_shape',
      updates: [
        { q: { k: 1 }, u: { $set: { v: 1 } }, multi: true },
        { q: { k: 2 }, u: { $set: { v: 0 } } },
        { q: { k: 3, tag: 'x' }, u: { $set: { v: 3 }, $setOnInsert: { created: true } }, upsert: true },
      ],
    });
    expect(reply['n']).toBe(4);
    expect(reply['nModified']).toBe(2);
    expect(reply['upserted']).toHaveLength(1);
    expect(reply['upserted'][0].index).toBe(2);
    const upserted = await coll.findOne({ _id: reply['upserted'][0]._id });
    expect(upserted).toMatchObject({ k: 3, tag: 'x', v: 3, created: true });
  });

  it('upserts through the driver helpers and does not apply $setOnInsert on update', async () => {
    const coll = mongo.db.collection('upsert');
    const first = await coll.updateOne({ email: 'a@b' }, { $set: { n: 1 }, $setOnInsert: { since: 2020 } }, { upsert: true });
    expect(first.upsertedCount).toBe(1);
    expect(first.upsertedId).toBeInstanceOf(ObjectId);
    const second = await coll.updateOne({ email: 'a@b' }, { $set: { n: 2 }, $setOnInsert: { since: 2030 } }, { upsert: true });
    expect(second).toMatchObject({ matchedCount: 1, modifiedCount: 1, upsertedCount: 0 });
    expect(await coll.findOne({ email: 'a@b' }, { projection: { _id: 0 } })).toEqual({ email: 'a@b', n: 2, since: 2020 });
  });

  it('updates array elements with arrayFilters and pipelines', async () => {
    const coll = mongo.db.collection('array_filters');
    await coll.insertOne({ _id: new ObjectId(), grades: [80, 95, 100] });
    await coll.updateOne({}, { $set: { 'grades.$[g]': 100 } }, { arrayFilters: [{ g: { $gte: 95 } }] });
    await coll.updateOne({}, [{ $set: { best: { $max: '$grades' } } }]);
    expect(await coll.findOne({}, { projection: { _id: 0 } })).toEqual({ grades: [80, 100, 100], best: 100 });
  });

  it('deletes one or many', async () => {
    const coll = mongo.db.collection('delete');
    await coll.insertMany([{ t: 1 }, { t: 1 }, { t: 1 }, { t: 2 }]);
    expect((await coll.deleteOne({ t: 1 })).deletedCount).toBe(1);
    expect((await coll.deleteMany({ t: 1 })).deletedCount).toBe(2);
    expect(await coll.countDocuments()).toBe(1);
  });

  it('sorts, projects, skips and limits', async () => {
    const coll = mongo.db.collection('sorting');
    await coll.insertMany([{ n: 3, s: 'c', x: 1 }, { n: 1, s: 'a', x: 1 }, { n: 2, s: 'b', x: 1 }, { n: 4, s: 'd', x: 1 }]);
    const docs = await coll.find({}, { projection: { _id: 0, n: 1 } }).sort({ n: -1 }).skip(1).limit(2).toArray();
    expect(docs).toEqual([{ n: 3 }, { n: 2 }]);
    const excluded = await coll.find({ n: 1 }, { projection: { x: 0, _id: 0 } }).toArray();
    expect(excluded).toEqual([{ n: 1, s: 'a' }]);
  });

  it('orders mixed types by BSON type order and compares ObjectIds and Dates', async () => {
    const coll = mongo.db.collection('bson_order');
    const early = new ObjectId('000000000000000000000001');
    const late = new ObjectId('ffffffffffffffffffffffff');
    await coll.insertMany([{ v: 'text' }, { v: 5 }, { v: null }, { v: new Date(0) }, { v: true }, { v: late }, { v: early }]);
    const order = (await coll.find({}, { projection: { _id: 0 } }).sort({ v: 1 }).toArray()).map((d) => d['v']);
    expect(order).toEqual([null, 5, 'text', early, late, true, new Date(0)]);
    expect(await coll.countDocuments({ v: { $gt: early, $lt: late } })).toBe(0);
    expect(await coll.countDocuments({ v: { $gte: new Date(-1) } })).toBe(1);
  });

  it('matches case-insensitively with a strength 2 collation', async () => {
    const coll = mongo.db.collection('collation');
    await coll.insertMany([{ name: 'Ayşe' }, { name: 'ayşe' }, { name: 'Mehmet' }]);
    expect(await coll.countDocuments({ name: 'AYŞE' }, { collation: { locale: 'tr', strength: 2 } })).toBe(2);
    expect(await coll.countDocuments({ name: 'AYŞE' })).toBe(0);
  });

  it('serves more than 101 documents through getMore batches and closes the cursor', async () => {
    const coll = mongo.db.collection('batches');
    await coll.insertMany(Array.from({ length: 250 }, (_, i) => ({ i })));
    const first = await mongo.db.command({ find: 'batches', filter: {}, sort: { i: 1 } });
    expect(first['cursor'].firstBatch).toHaveLength(101);
    expect(String(first['cursor'].id)).not.toBe('0');
    expect(first['cursor'].ns).toBe(`${mongo.dbName}.batches`);
    const more = await mongo.db.command({ getMore: first['cursor'].id, collection: 'batches', batchSize: 100 });
    expect(more['cursor'].nextBatch).toHaveLength(100);
    expect(more['cursor'].nextBatch[0].i).toBe(101);
    const rest = await mongo.db.command({ getMore: first['cursor'].id, collection: 'batches' });
    expect(rest['cursor'].nextBatch).toHaveLength(49);
    expect(String(rest['cursor'].id)).toBe('0');
    expect(await coll.find().batchSize(7).toArray()).toHaveLength(250);
  });

  it('kills cursors and then reports CursorNotFound (43)', async () => {
    await mongo.db.collection('killing').insertMany(Array.from({ length: 20 }, (_, i) => ({ i })));
    const first = await mongo.db.command({ find: 'killing', batchSize: 2 });
    const id = first['cursor'].id as Long;
    const killed = await mongo.db.command({ killCursors: 'killing', cursors: [id, Long.fromNumber(12345)] });
    expect(killed['cursorsKilled'].map(String)).toEqual([id.toString()]);
    expect(killed['cursorsNotFound'].map(String)).toEqual(['12345']);
    expect(killed).toHaveProperty('cursorsAlive');
    expect(killed).toHaveProperty('cursorsUnknown');
    const failure = await mongo.db.command({ getMore: id, collection: 'killing' }).catch((e: unknown) => e);
    expect((failure as MongoServerError).code).toBe(43);
  });

  it('runs findAndModify variants with lastErrorObject', async () => {
    const coll = mongo.db.collection('fam');
    await coll.insertMany([{ k: 'a', n: 1 }, { k: 'a', n: 2 }]);
    const before = await coll.findOneAndUpdate({ k: 'a' }, { $inc: { n: 10 } }, { sort: { n: -1 }, includeResultMetadata: true });
    expect(before.value).toMatchObject({ n: 2 });
    expect(before.lastErrorObject).toMatchObject({ n: 1, updatedExisting: true });
    const after = await coll.findOneAndUpdate({ k: 'a', n: 1 }, { $set: { n: 5 } }, { returnDocument: 'after', projection: { _id: 0 } });
    expect(after).toEqual({ k: 'a', n: 5 });
    const upsert = await coll.findOneAndUpdate({ k: 'b' }, { $set: { n: 0 } }, { upsert: true, returnDocument: 'after', includeResultMetadata: true });
    expect(upsert.lastErrorObject).toMatchObject({ n: 1, updatedExisting: false });
    expect(upsert.lastErrorObject?.['upserted']).toBeInstanceOf(ObjectId);
    const replaced = await coll.findOneAndReplace({ k: 'b' }, { k: 'b', replaced: true }, { returnDocument: 'after' });
    expect(replaced).toMatchObject({ k: 'b', replaced: true });
    const removed = await coll.findOneAndDelete({ k: 'b' });
    expect(removed).toMatchObject({ replaced: true });
    const missing = await coll.findOneAndUpdate({ k: 'zzz' }, { $set: { n: 1 } }, { includeResultMetadata: true });
    expect(missing.value).toBeNull();
    expect(missing.lastErrorObject).toMatchObject({ n: 0, updatedExisting: false });
  });

  it('counts and lists distinct values', async () => {
    const coll = mongo.db.collection('distinct');
    await coll.insertMany([{ tags: ['a', 'b'] }, { tags: ['b', 'c'] }, { tags: 'd' }]);
    expect((await coll.distinct('tags')).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(await coll.countDocuments({ tags: 'b' })).toBe(2);
    expect(await coll.estimatedDocumentCount()).toBe(3);
  });

  it('keeps Int32, Double and Long apart through a round trip; $inc on an int stays int', async () => {
    const coll = mongo.db.collection<{ _id: number; i: Int32 | number; d: Double | number; f: number; l: Long | number }>('numbers');
    await coll.insertOne({ _id: 1, i: new Int32(7), d: new Double(1), f: 2.5, l: Long.fromNumber(9) });
    await coll.updateOne({ _id: 1 }, { $inc: { i: 1 } });
    const raw = await coll.findOne({ _id: 1 }, { promoteValues: false });
    expect(raw?.['i']).toBeInstanceOf(Int32);
    expect(Number(raw?.['i'])).toBe(8);
    expect(raw?.['d']).toBeInstanceOf(Double);
    expect(raw?.['f']).toBeInstanceOf(Double);
    expect(raw?.['l']).toBeInstanceOf(Long);
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, i: 8, d: 1, f: 2.5, l: 9 });
    expect(await coll.countDocuments({ d: 1, l: 9 })).toBe(1);
  });

  it('refuses to change _id and rejects unknown update operators', async () => {
    const coll = mongo.db.collection<{ _id: number; a?: number }>('immutable');
    await coll.insertOne({ _id: 1, a: 1 });
    const changed = await coll.updateOne({ _id: 1 }, { $set: { _id: 2 } }).catch((e: unknown) => e);
    expect((changed as MongoServerError).code).toBe(66);
    const unknown = await mongo.db.command({ update: 'immutable', updates: [{ q: {}, u: { $frobnicate: { a: 1 } } }] });
    expect(unknown['writeErrors'][0].code).toBe(9);
  });
});

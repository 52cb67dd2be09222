import { Long, MongoBulkWriteError, MongoClient, MongoServerError, MongoTransactionError, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

async function failure(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('duplicate-key errors carry keyPattern, keyValue and errorResponse', () => {
  it('on insert, update, findAndModify and bulk writes', async () => {
    const coll = mongo.db.collection('dup_shapes');
    await coll.createIndex({ email: 1, org: 1 }, { unique: true, name: 'email_org' });
    await coll.insertMany([{ _id: 1, email: 'a@b', org: 1 }, { _id: 2, email: 'c@d', org: 1 }] as never[]);
    const expected = { code: 11000, keyPattern: { email: 1, org: 1 }, keyValue: { email: 'a@b', org: 1 } };

    const insert = await failure(coll.insertOne({ email: 'a@b', org: 1 }));
    expect(insert).toBeInstanceOf(MongoServerError);
    expect(insert).toMatchObject(expected);
    expect(insert.errorResponse).toMatchObject(expected);
    expect(insert.message).toMatch(/^E11000 duplicate key error collection: \S+\.dup_shapes index: email_org dup key: \{ email: "a@b", org: 1 \}$/);

    const update = await failure(coll.updateOne({ _id: 2 } as never, { $set: { email: 'a@b' } }));
    expect(update).toMatchObject(expected);
    expect(update.errorResponse).toMatchObject(expected);

    const fam = await failure(coll.findOneAndUpdate({ _id: 2 } as never, { $set: { email: 'a@b' } }));
    expect(fam).toBeInstanceOf(MongoServerError);
    expect(fam).toMatchObject(expected);
    expect(fam.errorResponse).toMatchObject({ ok: 0, codeName: 'DuplicateKey', ...expected });

    const bulk = await failure(coll.bulkWrite([{ insertOne: { document: { _id: 3, email: 'x', org: 2 } } }, { insertOne: { document: { _id: 1 } } }] as never[]));
    expect(bulk).toBeInstanceOf(MongoBulkWriteError);
    expect(bulk.writeErrors[0].index).toBe(1);
    expect(bulk.writeErrors[0].code).toBe(11000);
    expect(bulk.insertedCount).toBe(1);
    // The driver's bulk error keeps index/code/errmsg per statement; the server's entries carry the key.
    const raw = await mongo.db.command({
      update: 'dup_shapes',
      ordered: false,
      updates: [{ q: { _id: 3 }, u: { $set: { email: 'a@b', org: 1 } } }, { q: { _id: 3 }, u: { $set: { email: 'c@d', org: 1 } } }],
    });
    expect(raw['writeErrors']).toHaveLength(2);
    expect(raw['writeErrors'][0]).toMatchObject({ index: 0, ...expected });
    expect(raw['writeErrors'][1]).toMatchObject({ index: 1, code: 11000, keyPattern: { email: 1, org: 1 }, keyValue: { email: 'c@d', org: 1 } });

    const upsert = await failure(coll.updateOne({ _id: 9 } as never, { $set: { email: 'c@d', org: 1 } }, { upsert: true }));
    expect(upsert).toMatchObject({ code: 11000, keyValue: { email: 'c@d', org: 1 } });
  });
});

describe('_id values', () => {
  it('stores _id: null as a value of its own, unique like any other', async () => {
    const coll = mongo.db.collection('null_id');
    // The driver's insertOne replaces a null _id with an ObjectId; the insert command keeps it.
    await mongo.db.command({ insert: 'null_id', documents: [{ _id: null, a: 1 }] });
    const stored = await coll.findOne({ _id: null } as never);
    expect(stored).toEqual({ _id: null, a: 1 });
    expect(Object.keys(stored!)).toEqual(['_id', 'a']);
    const again = await mongo.db.command({ insert: 'null_id', documents: [{ _id: null, a: 2 }] });
    expect(again['writeErrors'][0]).toMatchObject({ code: 11000, keyPattern: { _id: 1 }, keyValue: { _id: null } });
    await coll.insertOne({ a: 3 });
    expect(await coll.countDocuments({ _id: null } as never)).toBe(1);
    expect(await coll.countDocuments({ _id: { $type: 'null' } } as never)).toBe(1);
    // An upsert whose filter holds _id: null inserts a document with _id null.
    await coll.deleteOne({ _id: null } as never);
    const upserted = await coll.updateOne({ _id: null, b: 1 } as never, { $set: { c: 1 } }, { upsert: true });
    expect(upserted.upsertedId).toBeNull();
    expect(await coll.findOne({ _id: null } as never)).toEqual({ _id: null, b: 1, c: 1 });
  });

  it("refuses '$'-prefixed field names inside _id with 52 DollarPrefixedFieldName", async () => {
    const coll = mongo.db.collection('dollar_id');
    const direct = await failure(coll.insertOne({ _id: { $a: 1 } } as never));
    expect(direct).toMatchObject({ code: 52 });
    expect(direct.message).toMatch(/_id fields may not contain '\$'-prefixed fields/);
    await expect(coll.insertOne({ _id: { a: { $b: 1 } } } as never)).rejects.toMatchObject({ code: 52 });
    await expect(coll.replaceOne({ x: 1 }, { _id: { $b: 1 } } as never, { upsert: true })).rejects.toMatchObject({ code: 52 });
    await expect(coll.updateOne({ x: 1 }, { $set: { _id: { a: { $b: 1 } } } }, { upsert: true })).rejects.toMatchObject({ code: 52 });
    // '$'-prefixed names elsewhere, and dotted names inside _id, are stored.
    await coll.insertOne({ _id: { 'a.b': 1 }, a: { $b: 1 } } as never);
    expect(await coll.countDocuments()).toBe(1);
  });
});

describe('retryable writes', () => {
  it('applies a write retried with the same lsid and txnNumber once, answering as the first attempt', async () => {
    // A client of its own, so the session's txnNumbers start afresh.
    const client = new MongoClient(mongo.uri);
    const session = client.startSession();
    const db = client.db(mongo.dbName);
    const run = (command: Document) => db.command(command, { session });
    try {
    const insert = { insert: 'retried', documents: [{ _id: 1 }, { _id: 2 }], txnNumber: Long.fromNumber(1) };
    const first = await run(insert);
    const again = await run(insert);
    expect(again).toEqual(first);
    expect(first['n']).toBe(2);
    const inc = { update: 'retried', updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } } }], txnNumber: Long.fromNumber(2) };
    const once = await run(inc);
    const twice = await run(inc);
    expect(twice).toEqual(once);
    const fam = { findAndModify: 'retried', query: { _id: 2 }, update: { $inc: { n: 5 } }, new: true, txnNumber: Long.fromNumber(3) };
    const famFirst = await run(fam);
    const famRetry = await run(fam);
    expect(famRetry['value']).toEqual(famFirst['value']);
    const docs = await mongo.db.collection('retried').find().sort({ _id: 1 }).toArray();
    expect(docs).toEqual([{ _id: 1, n: 1 }, { _id: 2, n: 5 }]);
    // A failed first attempt is answered the same way on retry, too.
    const dup = { insert: 'retried', documents: [{ _id: 1 }], txnNumber: Long.fromNumber(4) };
    const failedFirst = await run(dup);
    expect(failedFirst['writeErrors'][0].code).toBe(11000);
    expect(await run(dup)).toEqual(failedFirst);
    // An older txnNumber is refused.
    await expect(run({ ...inc, txnNumber: Long.fromNumber(1) })).rejects.toMatchObject({ code: 225 });
    } finally {
      await session.endSession();
      await client.close();
    }
  });
});

describe('updateOne / replaceOne with sort (MongoDB 8.0)', () => {
  it('updates the first document in sort order', async () => {
    const coll = mongo.db.collection<{ _id: number; q: string; rank: number; done?: boolean }>('update_sort');
    await coll.insertMany([{ _id: 1, q: 'x', rank: 5 }, { _id: 2, q: 'x', rank: 9 }, { _id: 3, q: 'x', rank: 1 }]);
    await coll.updateOne({ q: 'x' }, { $set: { done: true } }, { sort: { rank: -1 } });
    expect((await coll.findOne({ done: true }))?._id).toBe(2);
    await coll.replaceOne({ q: 'x' }, { q: 'y', rank: 0 }, { sort: { rank: 1 } });
    expect((await coll.findOne({ q: 'y' }))?._id).toBe(3);
    const bulk = await coll.bulkWrite([{ updateOne: { filter: { q: 'x' }, update: { $set: { done: false } }, sort: { rank: 1 } } }]);
    expect(bulk.modifiedCount).toBe(1);
    expect((await coll.findOne({ _id: 1 }))?.done).toBe(false);
    const multi = await mongo.db.command({ update: 'update_sort', updates: [{ q: {}, u: { $set: { z: 1 } }, multi: true, sort: { rank: 1 } }] });
    expect(multi['writeErrors'][0]).toMatchObject({ index: 0, code: 72 });
    expect(await coll.countDocuments({ z: 1 } as never)).toBe(0);
  });
});

describe('transactions refuse what MongoDB refuses', () => {
  it('refuses the count command with 263', async () => {
    const coll = mongo.db.collection('txn_refusals');
    await coll.insertOne({ a: 1 });
    const session = mongo.client.startSession();
    try {
      session.startTransaction();
      await coll.findOne({}, { session });
      await expect(mongo.db.command({ count: 'txn_refusals' }, { session })).rejects.toMatchObject({ code: 263, codeName: 'OperationNotSupportedInTransaction' });
      await expect(coll.findOne({}, { session })).rejects.toMatchObject({ code: 251 });
    } finally {
      await session.endSession();
    }
  });

  it('refuses a read preference other than primary', async () => {
    const coll = mongo.db.collection('txn_refusals');
    const session = mongo.client.startSession();
    try {
      session.startTransaction();
      await expect(coll.findOne({}, { session, readPreference: 'secondaryPreferred' })).rejects.toBeInstanceOf(MongoTransactionError);
      // The server refuses it too, whatever client sends it.
      const raw = await mongo.db.command({ find: 'txn_refusals', $readPreference: { mode: 'secondary' } }, { session }).catch((e: unknown) => e);
      expect(raw).toMatchObject({ code: 72 });
      await session.abortTransaction().catch(() => {});
    } finally {
      await session.endSession();
    }
  });

  it('refuses an unacknowledged write concern at startTransaction and inside a transaction', async () => {
    const session = mongo.client.startSession();
    try {
      expect(() => session.startTransaction({ writeConcern: { w: 0 } })).toThrow(MongoTransactionError);
      session.startTransaction();
      await expect(mongo.db.command({ insert: 'txn_refusals', documents: [{ b: 1 }], writeConcern: { w: 1 } }, { session })).rejects.toMatchObject({ code: 72 });
    } finally {
      await session.endSession();
    }
  });
});

describe('MongoDB 8 identity', () => {
  it('reports wire version 25 and refuses the client-level bulkWrite command with 238 NotImplemented', async () => {
    const hello = await mongo.db.admin().command({ hello: 1 });
    expect(hello['maxWireVersion']).toBe(25);
    const build = await mongo.db.admin().command({ buildInfo: 1 });
    expect(build['version']).toMatch(/^8\.0\./);
    const refused = await failure(mongo.client.bulkWrite([{ name: 'insertOne', namespace: `${mongo.dbName}.cbw`, document: { a: 1 } } as never]));
    expect(refused.cause).toMatchObject({ code: 238, codeName: 'NotImplemented' });
    expect(await mongo.db.collection('cbw').countDocuments()).toBe(0);
  });
});

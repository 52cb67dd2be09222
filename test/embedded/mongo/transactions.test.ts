import { Long, MongoClient, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

describe('sessions and transactions', () => {
  it('hides uncommitted writes from others and shows them after commit', async () => {
    const coll = mongo.db.collection('isolation');
    await coll.insertOne({ _id: 'seed' } as never);
    const session = mongo.client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ _id: 'inside' } as never, { session });
      expect(await coll.countDocuments({}, { session })).toBe(2);
      expect(await coll.countDocuments()).toBe(1);
      await session.commitTransaction();
      expect(await coll.countDocuments()).toBe(2);
    } finally {
      await session.endSession();
    }
  });

  it('reads from its snapshot while others commit', async () => {
    const coll = mongo.db.collection('snapshot');
    await coll.insertOne({ _id: 1, v: 'old' } as never);
    const session = mongo.client.startSession();
    try {
      session.startTransaction({ readConcern: { level: 'snapshot' } });
      expect((await coll.findOne({ _id: 1 } as never, { session }))?.['v']).toBe('old');
      await coll.updateOne({ _id: 1 } as never, { $set: { v: 'new' } });
      await coll.insertOne({ _id: 2, v: 'other' } as never);
      expect((await coll.findOne({ _id: 1 } as never, { session }))?.['v']).toBe('old');
      expect(await coll.countDocuments({}, { session })).toBe(1);
      await session.commitTransaction();
    } finally {
      await session.endSession();
    }
  });

  it('finds through an index what its snapshot and its own writes hold while others change the indexed keys', async () => {
    const coll = mongo.db.collection('snapshot_indexed');
    await coll.createIndex({ k: 1 });
    await coll.insertMany([{ _id: 'moved', k: 'x' }, { _id: 'deleted', k: 'x' }, { _id: 'mine', k: 'z' }, { _id: 'kept', k: 'x' }] as never[]);
    const session = mongo.client.startSession();
    const ids = async (filter: object) => (await coll.find(filter, { session }).toArray()).map((d) => String(d['_id'])).sort();
    try {
      session.startTransaction({ readConcern: { level: 'snapshot' } });
      expect(await ids({ k: 'x' })).toEqual(['deleted', 'kept', 'moved']);
      // Others commit after the snapshot: a key moved, a document deleted, one inserted.
      await coll.updateOne({ _id: 'moved' } as never, { $set: { k: 'y' } });
      await coll.deleteOne({ _id: 'deleted' } as never);
      await coll.insertOne({ _id: 'later', k: 'x' } as never);
      // The transaction's own writes: a key moved into the range, a document inserted.
      await coll.updateOne({ _id: 'mine' } as never, { $set: { k: 'x' } }, { session });
      await coll.insertOne({ _id: 'new', k: 'x' } as never, { session });
      expect(await ids({ k: 'x' })).toEqual(['deleted', 'kept', 'mine', 'moved', 'new']);
      expect(await ids({ k: { $in: ['y', 'z'] } })).toEqual([]);
      expect(await coll.countDocuments({ k: 'x' }, { session })).toBe(5);
      expect((await coll.find({ k: 'x' }, { session }).sort({ _id: -1 }).limit(2).toArray()).map((d) => d['_id'])).toEqual(['new', 'moved']);
      expect((await coll.updateMany({ k: 'x' }, { $set: { seen: true } }, { session }).catch((e: unknown) => e)) as MongoServerError).toMatchObject({ code: 112 });
      await session.abortTransaction();
      expect((await coll.find({ k: 'x' }).toArray()).map((d) => d['_id']).sort()).toEqual(['kept', 'later']);
    } finally {
      await session.endSession();
    }
  });

  it('discards writes on abort', async () => {
    const coll = mongo.db.collection('aborted');
    const session = mongo.client.startSession();
    try {
      session.startTransaction();
      await coll.insertOne({ gone: true }, { session });
      await session.abortTransaction();
      expect(await coll.countDocuments({ gone: true })).toBe(0);
    } finally {
      await session.endSession();
    }
  });

  it('fails a conflicting write with WriteConflict (112) labelled TransientTransactionError', async () => {
    const coll = mongo.db.collection('conflict');
    await coll.insertOne({ _id: 1, n: 0 } as never);
    const first = mongo.client.startSession();
    const second = mongo.client.startSession();
    try {
      first.startTransaction();
      second.startTransaction();
      await coll.updateOne({ _id: 1 } as never, { $inc: { n: 1 } }, { session: first });
      const failure = (await coll.updateOne({ _id: 1 } as never, { $inc: { n: 1 } }, { session: second }).catch((e: unknown) => e)) as MongoServerError;
      expect(failure.code).toBe(112);
      expect(failure.hasErrorLabel('TransientTransactionError')).toBe(true);
      await second.abortTransaction().catch(() => {});
      await first.commitTransaction();
      expect((await coll.findOne({ _id: 1 } as never))?.['n']).toBe(1);
    } finally {
      await first.endSession();
      await second.endSession();
    }
  });

  it('releases the lock of a write refused because the document changed after the snapshot', async () => {
    const coll = mongo.db.collection('stale_claim');
    await coll.insertOne({ _id: 1, n: 0 } as never);
    const stale = mongo.client.startSession();
    const next = mongo.client.startSession();
    try {
      stale.startTransaction({ readConcern: { level: 'snapshot' } });
      await coll.findOne({ _id: 1 } as never, { session: stale });
      await coll.updateOne({ _id: 1 } as never, { $inc: { n: 1 } });
      const failure = (await coll.updateOne({ _id: 1 } as never, { $inc: { n: 1 } }, { session: stale }).catch((e: unknown) => e)) as MongoServerError;
      expect(failure.code).toBe(112);
      await stale.abortTransaction().catch(() => {});
      next.startTransaction();
      await coll.updateOne({ _id: 1 } as never, { $inc: { n: 1 } }, { session: next });
      await next.commitTransaction();
      expect((await coll.findOne({ _id: 1 } as never))?.['n']).toBe(2);
    } finally {
      await stale.endSession();
      await next.endSession();
    }
  });

  it('conflicts on a unique key another transaction inserted but has not committed', async () => {
    const coll = mongo.db.collection('pending_unique');
    await coll.createIndex({ email: 1 }, { unique: true });
    const first = mongo.client.startSession();
    const second = mongo.client.startSession();
    try {
      first.startTransaction();
      second.startTransaction();
      await coll.insertOne({ email: 'same@x' }, { session: first });
      const failure = (await coll.insertOne({ email: 'same@x' }, { session: second }).catch((e: unknown) => e)) as MongoServerError;
      expect(failure.code).toBe(112);
      await second.abortTransaction().catch(() => {});
      await first.commitTransaction();
    } finally {
      await first.endSession();
      await second.endSession();
    }
  });

  it('retries a conflicting transaction to success with withTransaction', async () => {
    const coll = mongo.db.collection('retried');
    await coll.insertOne({ _id: 1, n: 0 } as never);
    const blocker = mongo.client.startSession();
    const session = mongo.client.startSession();
    let attempts = 0;
    try {
      blocker.startTransaction();
      await coll.updateOne({ _id: 1 } as never, { $inc: { n: 10 } }, { session: blocker });
      await session.withTransaction(async () => {
        attempts += 1;
        if (attempts === 2) await blocker.commitTransaction();
        await coll.updateOne({ _id: 1 } as never, { $inc: { n: 1 } }, { session });
      });
      expect(attempts).toBeGreaterThanOrEqual(2);
      expect((await coll.findOne({ _id: 1 } as never))?.['n']).toBe(11);
    } finally {
      await blocker.endSession();
      await session.endSession();
    }
  });

  it('answers NoSuchTransaction (251) when committing an unknown transaction', async () => {
    // A fresh client, so the session's lsid has never run a transaction.
    const client = await MongoClient.connect(mongo.uri);
    const session = client.startSession();
    try {
      const failure = (await client
        .db('admin')
        .command({ commitTransaction: 1, txnNumber: Long.fromNumber(424242), autocommit: false }, { session })
        .catch((e: unknown) => e)) as MongoServerError;
      expect(failure).toBeInstanceOf(MongoServerError);
      expect(failure.code).toBe(251);
    } finally {
      await session.endSession();
      await client.close();
    }
  });

  it('refuses commands that are not allowed in a transaction (263)', async () => {
    const session = mongo.client.startSession();
    try {
      session.startTransaction();
      await mongo.db.collection('not_allowed').insertOne({ a: 1 }, { session });
      const failure = (await mongo.db.command({ listCollections: 1 }, { session }).catch((e: unknown) => e)) as MongoServerError;
      expect(failure.code).toBe(263);
      await session.abortTransaction().catch(() => {});
    } finally {
      await session.endSession();
    }
  });

  it('makes a non-transactional write wait for the transaction holding its document', async () => {
    const coll = mongo.db.collection('blocking');
    await coll.insertOne({ _id: 1, n: 0 } as never);
    const session = mongo.client.startSession();
    try {
      session.startTransaction();
      await coll.updateOne({ _id: 1 } as never, { $inc: { n: 1 } }, { session });
      const outside = coll.updateOne({ _id: 1 } as never, { $inc: { n: 100 } });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await session.commitTransaction();
      await outside;
      expect((await coll.findOne({ _id: 1 } as never))?.['n']).toBe(101);
    } finally {
      await session.endSession();
    }
  });

  it('applies a retryable write once when the same txnNumber is sent again', async () => {
    const coll = mongo.db.collection('retryable');
    const session = mongo.client.startSession();
    try {
      const command = { update: 'retryable', updates: [{ q: { _id: 1 }, u: { $inc: { n: 1 } }, upsert: true }], txnNumber: Long.fromNumber(Date.now()) };
      const first = await mongo.db.command(command, { session });
      const again = await mongo.db.command(command, { session });
      expect(again['n']).toBe(first['n']);
      expect((await coll.findOne({ _id: 1 } as never))?.['n']).toBe(1);
    } finally {
      await session.endSession();
    }
  });
});

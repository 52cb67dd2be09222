import { MongoClient, MongoServerError } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../../src/embedded/mongo/server.js';

/**
 * `getParameter` and `setParameter` as a real mongod answers them: the transaction lifetime can
 * be read and changed at run time on the admin database, and the server aborts a transaction
 * open longer than the lifetime in force. The server is the test's own, so changing its
 * lifetime cannot reach other tests.
 */
let server: EmbeddedMongo;
let client: MongoClient;

beforeAll(async () => {
  server = await startEmbeddedMongo({ ttlMonitorIntervalMs: 100 });
  client = await MongoClient.connect(server.uri);
});

afterAll(async () => {
  await client?.close();
  await server?.stop();
});

const failureOf = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error as MongoServerError);

describe('server parameters', () => {
  it('reads MongoDB’s default lifetime, changes it, and reports what it was', async () => {
    const admin = client.db('admin');
    expect((await admin.command({ getParameter: 1, transactionLifetimeLimitSeconds: 1 }))['transactionLifetimeLimitSeconds']).toBe(60);
    expect(await admin.command({ setParameter: 1, transactionLifetimeLimitSeconds: 45 })).toMatchObject({ was: 60, ok: 1 });
    expect((await admin.command({ getParameter: '*' }))['transactionLifetimeLimitSeconds']).toBe(45);
    await admin.command({ setParameter: 1, transactionLifetimeLimitSeconds: 60 });
  });

  it('aborts a transaction open longer than a lifetime set at run time', async () => {
    await client.db('admin').command({ setParameter: 1, transactionLifetimeLimitSeconds: 1 });
    const collection = client.db('params').collection('docs');
    await collection.insertOne({ _id: 'before' } as never);
    const session = client.startSession();
    try {
      session.startTransaction();
      await collection.insertOne({ _id: 'inside' } as never, { session });
      await new Promise((resolve) => setTimeout(resolve, 1_600));
      const failure = await failureOf(session.commitTransaction());
      expect(failure).toBeInstanceOf(MongoServerError);
      expect(failure?.code).toBe(251);
    } finally {
      await session.endSession();
      await client.db('admin').command({ setParameter: 1, transactionLifetimeLimitSeconds: 60 });
    }
    expect(await collection.find().toArray()).toEqual([{ _id: 'before' }]);
  });

  it('keeps a transaction that commits within the lifetime', async () => {
    const collection = client.db('params').collection('kept');
    const session = client.startSession();
    try {
      await session.withTransaction(async () => {
        await collection.insertOne({ _id: 'kept' } as never, { session });
      });
    } finally {
      await session.endSession();
    }
    expect(await collection.countDocuments()).toBe(1);
  });

  it('refuses what a real server refuses, changing nothing', async () => {
    const notAdmin = await failureOf(client.db('params').command({ setParameter: 1, transactionLifetimeLimitSeconds: 5 }));
    expect(notAdmin?.code).toBe(13);
    expect(notAdmin?.message).toContain('admin database');
    const unknown = await failureOf(client.db('admin').command({ setParameter: 1, noSuchParameter: 5 }));
    expect(unknown?.code).toBe(72);
    expect(unknown?.message).toContain('unrecognized parameter');
    const zero = await failureOf(client.db('admin').command({ setParameter: 1, transactionLifetimeLimitSeconds: 0 }));
    expect(zero?.code).toBe(2);
    const nothing = await failureOf(client.db('admin').command({ setParameter: 1 }));
    expect(nothing).toBeInstanceOf(MongoServerError);
    expect((await client.db('admin').command({ getParameter: 1, transactionLifetimeLimitSeconds: 1 }))['transactionLifetimeLimitSeconds']).toBe(60);
  });
});

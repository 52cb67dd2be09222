import { MongoClient, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

describe('handshake and server commands', () => {
  it('answers ping and buildInfo', async () => {
    expect(await mongo.db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    const info = await mongo.db.admin().command({ buildInfo: 1 });
    expect(info['ok']).toBe(1);
    expect(typeof info['version']).toBe('string');
    expect(Array.isArray(info['versionArray'])).toBe(true);
  });

  it('reports itself as the writable primary of a replica set with sessions', async () => {
    const hello = await mongo.db.admin().command({ hello: 1 });
    expect(hello['isWritablePrimary']).toBe(true);
    expect(typeof hello['setName']).toBe('string');
    expect(hello['hosts']).toContain(hello['me']);
    expect(hello['logicalSessionTimeoutMinutes']).toBeGreaterThan(0);
    expect(hello['maxWireVersion']).toBeGreaterThanOrEqual(17);
  });

  it('answers an unknown command with CommandNotFound (59)', async () => {
    const failure = await mongo.db.command({ noSuchCommandForSure: 1 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(MongoServerError);
    expect((failure as MongoServerError).code).toBe(59);
    expect((failure as MongoServerError).codeName).toBe('CommandNotFound');
  });

  it('serves 50 clients connected at once', async () => {
    const clients = await Promise.all(Array.from({ length: 50 }, () => MongoClient.connect(mongo.uri, { maxPoolSize: 2 })));
    try {
      const coll = mongo.db.collection('concurrent');
      await Promise.all(clients.map((client, i) => client.db(mongo.dbName).collection('concurrent').insertOne({ i })));
      expect(await coll.countDocuments()).toBe(50);
      const reads = await Promise.all(clients.map((client, i) => client.db(mongo.dbName).collection('concurrent').findOne({ i })));
      expect(reads.map((doc) => doc?.['i'])).toEqual(Array.from({ length: 50 }, (_, i) => i));
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it('lists databases and collections', async () => {
    await mongo.db.collection('listed').insertOne({ a: 1 });
    const { databases } = await mongo.db.admin().listDatabases();
    expect(databases.map((d) => d.name)).toContain(mongo.dbName);
    const names = (await mongo.db.listCollections({ name: 'listed' }, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(names).toEqual(['listed']);
  });
});

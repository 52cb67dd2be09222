import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedMongo } from '../../../src/testing.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dirs: string[] = [];

function freshDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'nexfit-embedded-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Starts the server in a child process of its own and waits for its URI. */
async function startChild(dataDir: string): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures', 'serve-data-dir.ts'), dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.trim());
    });
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server process exited (${code}): ${err}`)));
  });
  return { child, uri };
}

describe('data directory', () => {
  it('keeps committed writes, indexes, validators and views across stop and start; drops what was not committed', async () => {
    const dataDir = freshDir();
    const first = await startEmbeddedMongo({ dataDir });
    const client = await MongoClient.connect(first.uri);
    const db = client.db('app');
    await db.createCollection('users', { validator: { $jsonSchema: { required: ['email'] } } });
    const users = db.collection('users');
    await users.createIndex({ email: 1 }, { unique: true });
    await users.insertMany([{ _id: 1, email: 'a@b', n: 1.5 }, { _id: 2, email: 'c@d' }, { _id: 3, email: 'gone' }] as never[]);
    await users.updateOne({ _id: 2 } as never, { $set: { role: 'admin' } });
    await users.deleteOne({ _id: 3 } as never);
    await db.createCollection('admins', { viewOn: 'users', pipeline: [{ $match: { role: 'admin' } }] });
    await db.collection('dropped').insertOne({ x: 1 });
    await db.collection('dropped').drop();
    const session = client.startSession();
    session.startTransaction();
    await users.insertOne({ _id: 4, email: 'uncommitted' } as never, { session });
    await client.close();
    await first.stop();

    const second = await startEmbeddedMongo({ dataDir });
    const again = await MongoClient.connect(second.uri);
    try {
      const db2 = again.db('app');
      expect(await db2.collection('users').find().sort({ _id: 1 }).toArray()).toEqual([{ _id: 1, email: 'a@b', n: 1.5 }, { _id: 2, email: 'c@d', role: 'admin' }]);
      expect((await db2.collection('users').indexes()).map((i) => i.name)).toEqual(['_id_', 'email_1']);
      await expect(db2.collection('users').insertOne({ _id: 5, email: 'a@b' } as never)).rejects.toMatchObject({ code: 11000 });
      await expect(db2.collection('users').insertOne({ _id: 6 } as never)).rejects.toMatchObject({ code: 121 });
      expect(await db2.collection('admins').find().toArray()).toEqual([{ _id: 2, email: 'c@d', role: 'admin' }]);
      expect((await db2.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort()).toEqual(['admins', 'users']);
    } finally {
      await again.close();
      await second.stop();
    }
  });

  it('survives SIGKILL of the process running the server: acknowledged writes present, open transactions absent', async () => {
    const dataDir = freshDir();
    const { child, uri } = await startChild(dataDir);
    const client = await MongoClient.connect(uri);
    try {
      const orders = client.db('shop').collection('orders');
      await orders.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, total: i })) as never[]);
      await orders.updateMany({ _id: { $lt: 10 } } as never, { $inc: { total: 100 } });
      const committed = client.startSession();
      await committed.withTransaction(async () => {
        await orders.insertOne({ _id: 'txn-committed' } as never, { session: committed });
        await orders.deleteOne({ _id: 49 } as never, { session: committed });
      });
      await committed.endSession();
      const open = client.startSession();
      open.startTransaction();
      await orders.insertOne({ _id: 'txn-open' } as never, { session: open });
      await orders.updateOne({ _id: 0 } as never, { $set: { total: -1 } }, { session: open });
    } finally {
      await client.close(true).catch(() => {});
    }
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // A write cut short by the crash leaves a torn tail, which a restart ignores.
    appendFileSync(path.join(dataDir, 'journal.bson'), Buffer.from([0x40, 0, 0, 0, 1, 2, 3]));

    const restarted = await startEmbeddedMongo({ dataDir });
    const again = await MongoClient.connect(restarted.uri);
    try {
      const orders = again.db('shop').collection('orders');
      expect(await orders.countDocuments()).toBe(50);
      expect(await orders.findOne({ _id: 'txn-committed' } as never)).not.toBeNull();
      expect(await orders.findOne({ _id: 49 } as never)).toBeNull();
      expect(await orders.findOne({ _id: 'txn-open' } as never)).toBeNull();
      expect(await orders.findOne({ _id: 0 } as never)).toEqual({ _id: 0, total: 100 });
      expect(await orders.findOne({ _id: 20 } as never)).toEqual({ _id: 20, total: 20 });
    } finally {
      await again.close();
      await restarted.stop();
    }
  });

  it('refuses a data directory another live server holds', async () => {
    const dataDir = freshDir();
    const { child } = await startChild(dataDir);
    try {
      await expect(startEmbeddedMongo({ dataDir })).rejects.toThrow(/in use/);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    const server = await startEmbeddedMongo({ dataDir });
    await server.stop();
  });
});

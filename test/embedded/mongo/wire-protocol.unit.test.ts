import { connect, type Socket } from 'node:net';
import { BSON, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../../src/embedded/mongo/server.js';
import { OpCode } from '../../../src/embedded/mongo/wire-protocol.js';

let server: EmbeddedMongo;
let port: number;

beforeAll(async () => {
  server = await startEmbeddedMongo();
  port = Number(new URL(server.uri).port);
});
afterAll(async () => {
  await server.stop();
});

function opMsg(body: Buffer, requestId = 1): Buffer {
  const header = Buffer.alloc(21);
  header.writeInt32LE(21 + body.length, 0);
  header.writeInt32LE(requestId, 4);
  header.writeInt32LE(0, 8);
  header.writeInt32LE(OpCode.OP_MSG, 12);
  header.writeUInt32LE(0, 16);
  header.writeUInt8(0, 20);
  return Buffer.concat([header, body]);
}

function exchange(message: Buffer): Promise<{ reply?: Record<string, unknown>; closed: boolean }> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 4 && data.length >= data.readInt32LE(0)) {
        socket.destroy();
        resolve({ reply: BSON.deserialize(data.subarray(21)), closed: false });
      }
    });
    socket.on('close', () => resolve({ closed: true }));
    socket.on('error', () => resolve({ closed: true }));
    socket.write(message);
  });
}

describe('wire protocol robustness', () => {
  it('answers a command sent as a raw OP_MSG', async () => {
    const { reply } = await exchange(opMsg(Buffer.from(BSON.serialize({ ping: 1, $db: 'admin' }))));
    expect(reply).toMatchObject({ ok: 1 });
  });

  it('answers a corrupt BSON body with an error instead of crashing', async () => {
    const body = Buffer.from(BSON.serialize({ ping: 1, $db: 'admin' }));
    body.writeUInt8(0x7f, 4); // an invalid element type
    const { reply } = await exchange(opMsg(body));
    expect(reply).toMatchObject({ ok: 0 });
  });

  it('closes a socket whose framing is invalid and keeps serving others', async () => {
    const garbage = Buffer.alloc(16);
    garbage.writeInt32LE(-5, 0);
    expect((await exchange(garbage)).closed).toBe(true);
    const client = await MongoClient.connect(server.uri);
    try {
      expect(await client.db('admin').command({ ping: 1 })).toMatchObject({ ok: 1 });
    } finally {
      await client.close();
    }
  });

  it('replays a retryable write for the same lsid and txnNumber', async () => {
    const lsid = { id: new BSON.Binary(Buffer.alloc(16, 7), 4) };
    const command = { insert: 'replay', documents: [{ x: 1 }], lsid, txnNumber: BSON.Long.fromNumber(1), $db: 'rw' };
    const first = await exchange(opMsg(Buffer.from(BSON.serialize(command))));
    const second = await exchange(opMsg(Buffer.from(BSON.serialize(command))));
    expect(first.reply).toMatchObject({ n: 1, ok: 1 });
    expect(second.reply).toMatchObject({ n: 1, ok: 1 });
    const client = await MongoClient.connect(server.uri);
    try {
      expect(await client.db('rw').collection('replay').countDocuments()).toBe(1);
    } finally {
      await client.close();
    }
  });
});

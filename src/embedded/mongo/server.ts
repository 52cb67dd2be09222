import { createServer, type Server, type Socket } from 'node:net';
import { ObjectId, type Document } from 'mongodb';
import { CommandDispatcher } from './command-dispatcher.js';
import type { ServerIdentity } from './command-context.js';
import { LOGICAL_SESSION_TIMEOUT_MINUTES } from './commands/handshake.js';
import { CursorRegistry } from './cursor-registry.js';
import { DataDirectory } from './data-directory.js';
import { CommandError, ErrorCode } from './errors.js';
import { SessionRegistry } from './session-registry.js';
import { StorageEngine } from './storage-engine.js';
import { TransactionManager } from './transactions.js';
import { sweepExpiredDocuments } from './ttl-monitor.js';
import { decodeRequest, encodeOpMsg, encodeOpReply, MsgFlag, OpCode, splitMessages, WireProtocolError } from './wire-protocol.js';

/** A running embedded server. */
export interface EmbeddedMongo {
  /** Connection string for the official driver (`mongodb://127.0.0.1:PORT/?replicaSet=nexfit-embedded`). */
  readonly uri: string;
  /** Closes every connection, stops background work and releases the port. */
  stop(): Promise<void>;
}

/** Options of {@link startEmbeddedMongo}. */
export interface EmbeddedMongoOptions {
  /** TCP port; a free one is chosen when omitted. */
  readonly port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  readonly host?: string;
  /**
   * How often expired TTL documents are removed, in ms (default 1000). A real mongod's
   * TTL monitor runs every 60 s; a short interval keeps tests fast.
   */
  readonly ttlMonitorIntervalMs?: number;
  /**
   * MongoDB's `transactionLifetimeLimitSeconds` (default 60): a transaction open longer is
   * aborted by the server. Crash tests shorten it so that the transactions of killed
   * processes are aborted soon, as a real server eventually aborts them. A client can also
   * change it at run time, as on a real server: `{ setParameter: 1, transactionLifetimeLimitSeconds: n }`
   * on the `admin` database.
   */
  readonly transactionLifetimeLimitSeconds?: number;
  /**
   * A directory to keep the data in across restarts (created when missing). Every
   * committed write is journaled and fsync'd before its reply is sent; a server started
   * again on the same directory (after `stop()`, or after the process running it was
   * killed) finds every acknowledged write and nothing of transactions that had not
   * committed. One live server per directory. Without it, everything is in memory.
   */
  readonly dataDir?: string;
}

const SET_NAME = 'nexfit-embedded';
/** MongoDB's transactionLifetimeLimitSeconds default. */
const TRANSACTION_LIFETIME_SECONDS = 60;

interface Connection {
  readonly id: number;
  readonly socket: Socket;
  buffer: Buffer;
  queue: Promise<void>;
  readonly timers: Set<NodeJS.Timeout>;
}

/**
 * Starts an in-process server that speaks the MongoDB wire protocol on loopback, as
 * the primary of a one-member replica set, so the official driver (sessions,
 * transactions, retryable writes included) works against it unchanged. It is a test
 * double with MongoDB's semantics for the supported subset (see docs/embedded-mongo.md),
 * not a database: everything lives in memory and is lost on `stop()`, unless `dataDir`
 * is given (then committed writes survive a stop or a crash of the process).
 *
 * @example
 * ```ts
 * import { MongoClient } from 'mongodb';
 * const server = await startEmbeddedMongo();
 * const client = await MongoClient.connect(server.uri);
 * await client.db('app').collection('users').insertOne({ email: 'a@b' });
 * await client.close();
 * await server.stop();
 * ```
 */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const host = options.host ?? '127.0.0.1';
  const tcp: Server = createServer();
  const connections = new Set<Connection>();
  await new Promise<void>((resolve, reject) => {
    tcp.once('error', reject);
    tcp.listen(options.port ?? 0, host, () => {
      tcp.off('error', reject);
      resolve();
    });
  });
  const address = tcp.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const identity: ServerIdentity = {
    address: `${hostPart}:${port}`,
    setName: SET_NAME,
    processId: new ObjectId(),
    electionId: new ObjectId('7fffffff0000000000000001'),
    startedAt: new Date(),
    parameters: { transactionLifetimeLimitSeconds: options.transactionLifetimeLimitSeconds ?? TRANSACTION_LIFETIME_SECONDS },
  };
  const engine = new StorageEngine();
  let data: DataDirectory | undefined;
  try {
    data = options.dataDir ? DataDirectory.open(options.dataDir, engine) : undefined;
  } catch (error) {
    await new Promise<void>((resolve) => tcp.close(() => resolve()));
    throw error;
  }
  const transactions = new TransactionManager(engine);
  const cursors = new CursorRegistry();
  const sessions = new SessionRegistry();
  const dispatcher = new CommandDispatcher({ engine, transactions, cursors, sessions, server: identity });

  const maintenance = setInterval(() => {
    try {
      transactions.expire(identity.parameters.transactionLifetimeLimitSeconds * 1000);
      sweepExpiredDocuments(engine, transactions);
      data?.flush();
      cursors.sweep();
      for (const session of sessions.expire(LOGICAL_SESSION_TIMEOUT_MINUTES * 60_000)) cursors.killSession(session.id);
      transactions.pruneHistory();
    } catch {
      // Background upkeep must never take the server down; the next pass retries.
    }
  }, options.ttlMonitorIntervalMs ?? 1000);
  maintenance.unref();

  let nextConnectionId = 1;
  tcp.on('connection', (socket) => {
    const connection: Connection = { id: nextConnectionId++, socket, buffer: Buffer.alloc(0), queue: Promise.resolve(), timers: new Set() };
    connections.add(connection);
    socket.setNoDelay(true);
    socket.on('data', (chunk) => onData(connection, chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      for (const timer of connection.timers) clearTimeout(timer);
      connections.delete(connection);
    });
  });

  function send(connection: Connection, bytes: Buffer): void {
    if (!connection.socket.destroyed) connection.socket.write(bytes);
  }

  function onData(connection: Connection, chunk: Buffer): void {
    connection.buffer = connection.buffer.length ? Buffer.concat([connection.buffer, chunk]) : chunk;
    let messages: Buffer[];
    try {
      const split = splitMessages(connection.buffer);
      messages = split.messages;
      connection.buffer = split.rest;
    } catch {
      // Framing is lost: nothing further on this socket can be trusted.
      connection.socket.destroy();
      return;
    }
    for (const message of messages) {
      connection.queue = connection.queue.then(() => handle(connection, message)).catch(() => {
        connection.socket.destroy();
      });
    }
  }

  /** Streams `hello` replies every `maxAwaitTimeMS` (the driver's awaitable, exhaust-mode monitoring). */
  function streamHello(connection: Connection, command: Document, requestId: number, exhaust: boolean): void {
    const wait = Math.max(0, Number(command['maxAwaitTimeMS']));
    const tick = () => {
      const timer = setTimeout(async () => {
        connection.timers.delete(timer);
        const reply = await dispatcher.dispatch(command, connection.id);
        send(connection, encodeOpMsg(reply, requestId, exhaust ? MsgFlag.moreToCome : 0));
        if (exhaust) tick();
      }, wait);
      timer.unref();
      connection.timers.add(timer);
    };
    tick();
  }

  async function handle(connection: Connection, message: Buffer): Promise<void> {
    const requestId = message.readInt32LE(4);
    let request;
    try {
      request = decodeRequest(message);
    } catch (error) {
      const reason = error instanceof WireProtocolError || error instanceof Error ? error.message : String(error);
      if (message.readInt32LE(12) !== OpCode.OP_MSG) {
        connection.socket.destroy();
        return;
      }
      send(connection, encodeOpMsg(new CommandError(ErrorCode.FailedToParse, `invalid message: ${reason}`).toReply(), requestId));
      return;
    }
    if (request.opCode === OpCode.OP_QUERY) {
      const reply = await dispatcher.dispatch(request.command, connection.id, request.database);
      data?.flush();
      send(connection, encodeOpReply(reply, requestId));
      return;
    }
    const { command } = request;
    const name = Object.keys(command)[0];
    const awaitable = (name === 'hello' || name === 'isMaster' || name === 'ismaster') && command['topologyVersion'] && command['maxAwaitTimeMS'] !== undefined;
    if (awaitable) {
      const known = command['topologyVersion'] as Document;
      if (String(known['processId']) === identity.processId.toHexString()) {
        streamHello(connection, command, requestId, (request.flags & MsgFlag.exhaustAllowed) !== 0);
        return;
      }
    }
    const reply = await dispatcher.dispatch(command, connection.id);
    // What the command committed is on disk before the client hears of it.
    data?.flush();
    if (request.flags & MsgFlag.moreToCome) return; // unacknowledged write: no reply expected
    send(connection, encodeOpMsg(reply, requestId));
  }

  let stopped: Promise<void> | undefined;
  return {
    uri: `mongodb://${identity.address}/?replicaSet=${SET_NAME}`,
    stop() {
      stopped ??= (async () => {
        clearInterval(maintenance);
        for (const txn of [...transactions.active]) transactions.abort(txn);
        cursors.clear();
        const closed = new Promise<void>((resolve) => tcp.close(() => resolve()));
        for (const connection of connections) {
          for (const timer of connection.timers) clearTimeout(timer);
          connection.socket.destroy();
        }
        await closed;
        data?.close();
      })();
      return stopped;
    },
  };
}

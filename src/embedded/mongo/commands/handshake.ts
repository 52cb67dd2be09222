import { Long, Timestamp } from 'mongodb';
import type { Doc } from '../bson-values.js';
import type { CommandContext, CommandHandler } from '../command-context.js';
import { CommandError, ErrorCode } from '../errors.js';
import { sessionKey } from '../session-registry.js';
import { MAX_MESSAGE_SIZE } from '../wire-protocol.js';

/** The wire version advertised: MongoDB 8.0 (transactions, retryable writes, OP_MSG, `sort` in updates). */
export const MAX_WIRE_VERSION = 25;
export const SERVER_VERSION = '8.0.0';
export const LOGICAL_SESSION_TIMEOUT_MINUTES = 30;

/** The `hello` reply of the primary of a one-member replica set. */
export function helloReply(context: CommandContext, legacy: boolean, command: Doc): Doc {
  const { server } = context;
  const now = new Date();
  const opTime = { ts: new Timestamp({ t: Math.floor(now.getTime() / 1000), i: 1 }), t: Long.fromNumber(1) };
  return {
    ...(command['helloOk'] === true ? { helloOk: true } : {}),
    topologyVersion: { processId: server.processId, counter: Long.ZERO },
    hosts: [server.address],
    setName: server.setName,
    setVersion: 1,
    ...(legacy ? { ismaster: true } : { isWritablePrimary: true }),
    secondary: false,
    primary: server.address,
    me: server.address,
    electionId: server.electionId,
    lastWrite: { opTime, lastWriteDate: now, majorityOpTime: opTime, majorityWriteDate: now },
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: 100_000,
    localTime: now,
    logicalSessionTimeoutMinutes: LOGICAL_SESSION_TIMEOUT_MINUTES,
    connectionId: context.connectionId,
    minWireVersion: 0,
    maxWireVersion: MAX_WIRE_VERSION,
    readOnly: false,
    ok: 1,
  };
}

export const helloCommand: CommandHandler = (command, context) => helloReply(context, false, command);
export const isMasterCommand: CommandHandler = (command, context) => helloReply(context, true, command);

export const pingCommand: CommandHandler = () => ({ ok: 1 });

export const buildInfoCommand: CommandHandler = () => ({
  version: SERVER_VERSION,
  gitVersion: 'nexfit-embedded',
  versionArray: SERVER_VERSION.split('.').map(Number).concat(0),
  javascriptEngine: 'none',
  bits: 64,
  debug: false,
  maxBsonObjectSize: 16 * 1024 * 1024,
  storageEngines: ['nexfit-embedded'],
  modules: [],
  ok: 1,
});

/** The parameters `getParameter` knows: the server's settable ones, then fixed values drivers ask for. */
function parametersOf(context: CommandContext): Doc {
  return {
    featureCompatibilityVersion: { version: '8.0' },
    transactionLifetimeLimitSeconds: context.server.parameters.transactionLifetimeLimitSeconds,
    maxTransactionLockRequestTimeoutMillis: 5,
    cursorTimeoutMillis: Long.fromNumber(600_000),
  };
}

function assertAdmin(command: Doc, context: CommandContext): void {
  if (context.db !== 'admin') throw new CommandError(ErrorCode.Unauthorized, `${Object.keys(command)[0]} may only be run against the admin database.`);
}

export const getParameterCommand: CommandHandler = (command, context) => {
  assertAdmin(command, context);
  const known = parametersOf(context);
  if (command['getParameter'] === '*') return { ...known, ok: 1 };
  const out: Doc = {};
  for (const key of Object.keys(command)) if (key in known) out[key] = known[key];
  return { ...out, ok: 1 };
};

/** `setParameter`: changes `transactionLifetimeLimitSeconds` at run time, as a real server does; `was` is the old value. */
export const setParameterCommand: CommandHandler = (command, context) => {
  assertAdmin(command, context);
  const names = Object.keys(command).filter((key) => key !== 'setParameter' && !key.startsWith('$') && key !== 'lsid' && key !== 'comment');
  if (names.length === 0) throw new CommandError(ErrorCode.NoSuchKey, 'no option found to set, use help:true to see options ');
  if (names.length > 1) throw new CommandError(ErrorCode.InvalidOptions, 'only one parameter may be set at a time');
  const name = names[0]!;
  if (name !== 'transactionLifetimeLimitSeconds') throw new CommandError(ErrorCode.InvalidOptions, `attempted to set unrecognized parameter [${name}], use help:true to see options `);
  const raw = command[name];
  const value = typeof raw === 'number' ? raw : raw instanceof Long ? raw.toNumber() : NaN;
  if (!Number.isInteger(value) || value < 1) throw new CommandError(ErrorCode.BadValue, `transactionLifetimeLimitSeconds must be greater than or equal to 1s`);
  const was = context.server.parameters.transactionLifetimeLimitSeconds;
  context.server.parameters.transactionLifetimeLimitSeconds = value;
  return { was, ok: 1 };
};

export const getLogCommand: CommandHandler = (command) =>
  command['getLog'] === '*' ? { names: ['global', 'startupWarnings'], ok: 1 } : { totalLinesWritten: 0, log: [], ok: 1 };

export const hostInfoCommand: CommandHandler = (_command, context) => ({
  system: { currentTime: new Date(), hostname: context.server.address },
  os: { type: process.platform },
  extra: {},
  ok: 1,
});

export const whatsMyUriCommand: CommandHandler = (_command, context) => ({ you: context.server.address, ok: 1 });

export const connectionStatusCommand: CommandHandler = () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 });

export const serverStatusCommand: CommandHandler = (_command, context) => ({
  host: context.server.address,
  version: SERVER_VERSION,
  process: 'nexfit-embedded',
  pid: Long.fromNumber(process.pid),
  uptime: Math.floor((Date.now() - context.server.startedAt.getTime()) / 1000),
  localTime: new Date(),
  connections: { current: context.connectionId, available: 1000 },
  transactions: { currentActive: context.transactions.active.size, currentOpen: context.transactions.active.size },
  logicalSessionRecordCache: { activeSessionsCount: context.sessions.size },
  metrics: { cursor: { open: { total: context.cursors.size } } },
  ok: 1,
});

/** `endSessions`: forgets sessions, aborting their open transactions and closing their cursors. */
export const endSessionsCommand: CommandHandler = (command, context) => {
  const ids = Array.isArray(command['endSessions']) ? command['endSessions'] : [];
  for (const lsid of ids) {
    const key = sessionKey(lsid);
    if (!key) continue;
    const session = context.sessions.end(key);
    if (session?.txn) context.transactions.abort(session.txn);
    context.cursors.killSession(key);
  }
  return { ok: 1 };
};

export const refreshSessionsCommand: CommandHandler = () => ({ ok: 1 });

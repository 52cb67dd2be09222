import type { Document } from 'mongodb';
import { cloneValue, demote, isPlainObject, promote, type Doc } from './bson-values.js';
import type { CommandContext, CommandHandler, ServerIdentity } from './command-context.js';
import { aggregateCommand } from './commands/aggregate.js';
import { collModCommand, createCommand, dropCommand, listCollectionsCommand, renameCollectionCommand } from './commands/collections.js';
import { countCommand, distinctCommand } from './commands/count-distinct.js';
import { findCommand, getMoreCommand, killCursorsCommand } from './commands/cursor-commands.js';
import { collStatsCommand, dbStatsCommand, dropDatabaseCommand, listDatabasesCommand } from './commands/databases.js';
import { deleteCommand } from './commands/delete.js';
import { explainCommand } from './commands/explain.js';
import { findAndModifyCommand } from './commands/find-and-modify.js';
import {
  buildInfoCommand, connectionStatusCommand, endSessionsCommand, getLogCommand, getParameterCommand, helloCommand, setParameterCommand,
  hostInfoCommand, isMasterCommand, pingCommand, refreshSessionsCommand, serverStatusCommand, whatsMyUriCommand,
} from './commands/handshake.js';
import { createIndexesCommand, dropIndexesCommand, listIndexesCommand } from './commands/indexes.js';
import { insertCommand } from './commands/insert.js';
import { abortTransactionCommand, commitTransactionCommand } from './commands/transaction-commands.js';
import { updateCommand } from './commands/update.js';
import { CommandError, ErrorCode, errors, toCommandError } from './errors.js';
import { CursorRegistry } from './cursor-registry.js';
import { sessionKey, SessionRegistry, type SessionState } from './session-registry.js';
import { StorageEngine } from './storage-engine.js';
import { TransactionManager, type DocumentView } from './transactions.js';

const HANDLERS: Readonly<Record<string, CommandHandler>> = {
  hello: helloCommand,
  isMaster: isMasterCommand,
  ismaster: isMasterCommand,
  ping: pingCommand,
  buildInfo: buildInfoCommand,
  buildinfo: buildInfoCommand,
  getParameter: getParameterCommand,
  setParameter: setParameterCommand,
  getLog: getLogCommand,
  hostInfo: hostInfoCommand,
  whatsmyuri: whatsMyUriCommand,
  connectionStatus: connectionStatusCommand,
  serverStatus: serverStatusCommand,
  endSessions: endSessionsCommand,
  refreshSessions: refreshSessionsCommand,
  insert: insertCommand,
  update: updateCommand,
  delete: deleteCommand,
  find: findCommand,
  getMore: getMoreCommand,
  killCursors: killCursorsCommand,
  findAndModify: findAndModifyCommand,
  findandmodify: findAndModifyCommand,
  aggregate: aggregateCommand,
  count: countCommand,
  distinct: distinctCommand,
  createIndexes: createIndexesCommand,
  listIndexes: listIndexesCommand,
  dropIndexes: dropIndexesCommand,
  deleteIndexes: dropIndexesCommand,
  create: createCommand,
  collMod: collModCommand,
  listCollections: listCollectionsCommand,
  drop: dropCommand,
  renameCollection: renameCollectionCommand,
  listDatabases: listDatabasesCommand,
  dropDatabase: dropDatabaseCommand,
  dbStats: dbStatsCommand,
  collStats: collStatsCommand,
  explain: explainCommand,
  commitTransaction: commitTransactionCommand,
  abortTransaction: abortTransactionCommand,
};

/** MongoDB 8 commands a driver may send that this server does not implement: 238 NotImplemented, not 59. */
const NOT_IMPLEMENTED = new Set(['bulkWrite', 'mapReduce', 'mapreduce', 'validate', 'compact', 'convertToCapped', 'cloneCollectionAsCapped', 'createSearchIndexes', 'listSearchIndexes', 'updateSearchIndex', 'dropSearchIndex', 'aggregateClusterStats', 'shardCollection', 'setFeatureCompatibilityVersion']);

/** Commands MongoDB accepts inside a multi-document transaction. */
const TRANSACTION_COMMANDS = new Set([
  'find', 'getMore', 'killCursors', 'insert', 'update', 'delete', 'findAndModify', 'findandmodify', 'aggregate',
  'distinct', 'create', 'createIndexes', 'commitTransaction', 'abortTransaction',
]);
/** Commands that need a collection: on a view they fail with 166 CommandNotSupportedOnView. */
const VIEW_REFUSED = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify', 'createIndexes', 'dropIndexes', 'deleteIndexes', 'listIndexes', 'collStats']);
const RETRYABLE_WRITES = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify']);
/** Arguments every command may carry that handlers need not see. */
const GENERIC_ARGUMENTS = ['$db', 'lsid', 'txnNumber', 'autocommit', 'startTransaction', '$clusterTime', '$readPreference', 'readConcern', 'writeConcern', 'apiVersion', 'apiStrict', 'apiDeprecationErrors', 'maxTimeMS', 'comment'];

/** What the dispatcher needs from the server around it. */
export interface DispatcherParts {
  readonly engine: StorageEngine;
  readonly transactions: TransactionManager;
  readonly cursors: CursorRegistry;
  readonly sessions: SessionRegistry;
  readonly server: ServerIdentity;
}

/** Whether an `aggregate` ends in `$out`/`$merge` (refused in a transaction, as by MongoDB). */
function writesThroughPipeline(args: Doc): boolean {
  const pipeline = args['pipeline'];
  const last = Array.isArray(pipeline) ? pipeline[pipeline.length - 1] : undefined;
  return isPlainObject(last) && ('$out' in last || '$merge' in last);
}

/**
 * What MongoDB refuses on a statement of a transaction: a read preference other than
 * primary, and a write concern (only commit and abort take one).
 */
function transactionOptionRefusal(command: Doc): CommandError | undefined {
  const readPreference = command['$readPreference'];
  if (isPlainObject(readPreference) && readPreference['mode'] !== undefined && readPreference['mode'] !== 'primary') {
    return new CommandError(ErrorCode.InvalidOptions, `read preference in a transaction must be primary, not: ${String(readPreference['mode'])}`);
  }
  if (command['writeConcern'] !== undefined) {
    return new CommandError(
      ErrorCode.InvalidOptions,
      command['startTransaction'] === true ? 'writeConcern is not allowed within a multi-statement transaction' : 'Cannot set write concern after starting a transaction',
    );
  }
  return undefined;
}

function toTxnNumber(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/**
 * Routes a decoded command to its handler with the right view (transaction or not),
 * applies session rules (transactions, retryable writes) and always answers: failures
 * become `{ ok: 0, code, codeName, errmsg }`.
 */
export class CommandDispatcher {
  constructor(private readonly parts: DispatcherParts) {}

  async dispatch(raw: Document, connectionId: number, fallbackDb?: string): Promise<Document> {
    try {
      const command = promote(raw) as Doc;
      return demote(await this.#run(command, connectionId, fallbackDb)) as Document;
    } catch (error) {
      return demote(toCommandError(error).toReply()) as Document;
    }
  }

  async #run(command: Doc, connectionId: number, fallbackDb?: string): Promise<Doc> {
    const name = Object.keys(command)[0];
    if (!name) throw errors.failedToParse('empty command');
    const handler = HANDLERS[name];
    if (!handler) {
      if (NOT_IMPLEMENTED.has(name)) throw new CommandError(ErrorCode.NotImplemented, `the '${name}' command is not supported by the embedded server`);
      throw new CommandError(ErrorCode.CommandNotFound, `no such command: '${name}'`);
    }
    const db = typeof command['$db'] === 'string' ? command['$db'] : fallbackDb ?? 'admin';
    const lsid = sessionKey(command['lsid']);
    const session = lsid ? this.parts.sessions.get(lsid, command['lsid']) : undefined;
    const txnNumber = toTxnNumber(command['txnNumber']);
    const context = (view: DocumentView): CommandContext => ({
      ...this.parts,
      db,
      view,
      session,
      connectionId,
      dispatch: (inner) => this.dispatch(inner, connectionId, db),
    });
    if (VIEW_REFUSED.has(name)) this.parts.engine.refuseView(db, command[name]);
    const args = { ...command };
    for (const key of GENERIC_ARGUMENTS) if (key !== name) delete args[key];
    if (name === 'commitTransaction' || name === 'abortTransaction') args['txnNumber'] = txnNumber;

    if (command['autocommit'] === false) {
      if (!session || txnNumber === undefined) throw errors.badValue('autocommit=false requires lsid and txnNumber');
      return this.#runInTransaction(name, handler, args, command, session, txnNumber, command['startTransaction'] === true, context);
    }
    if (session && txnNumber !== undefined && RETRYABLE_WRITES.has(name)) {
      if (session.retryable?.txnNumber === txnNumber) return cloneValue(session.retryable.reply);
      if (session.txnNumber !== undefined && txnNumber < session.txnNumber) {
        throw new CommandError(ErrorCode.TransactionTooOld, `Cannot start transaction ${txnNumber} on session because a newer transaction ${session.txnNumber} has already started`);
      }
      if (session.txn?.state === 'inProgress') this.parts.transactions.abort(session.txn);
      session.txnNumber = txnNumber;
      const reply = await handler(args, context(this.parts.transactions.implicitView()));
      session.retryable = { txnNumber, reply: cloneValue(reply) };
      return reply;
    }
    return handler(args, context(this.parts.transactions.implicitView()));
  }

  async #runInTransaction(
    name: string,
    handler: CommandHandler,
    args: Doc,
    raw: Doc,
    session: SessionState,
    txnNumber: number,
    start: boolean,
    context: (view: DocumentView) => CommandContext,
  ): Promise<Doc> {
    const { transactions } = this.parts;
    if (start) {
      if (session.txnNumber !== undefined && txnNumber < session.txnNumber) {
        throw new CommandError(ErrorCode.TransactionTooOld, `Cannot start transaction ${txnNumber} on session because a newer transaction ${session.txnNumber} has already started`);
      }
      if (session.txn && session.txn.txnNumber === txnNumber) {
        throw new CommandError(ErrorCode.ConflictingOperationInProgress, `Cannot start transaction ${txnNumber} on session because it has already started`);
      }
      if (session.txn?.state === 'inProgress') transactions.abort(session.txn);
      session.txnNumber = txnNumber;
      session.txn = transactions.begin(session.id, txnNumber);
    }
    const txn = session.txn;
    const finishing = name === 'commitTransaction' || name === 'abortTransaction';
    const refusal = finishing ? undefined : transactionOptionRefusal(raw);
    if (refusal) {
      if (txn && txn.txnNumber === txnNumber) transactions.abort(txn);
      throw refusal;
    }
    if (finishing) {
      return handler(args, context(txn && txn.txnNumber === txnNumber ? transactions.transactionView(txn) : transactions.implicitView()));
    }
    if (!txn || txn.txnNumber !== txnNumber || txn.state === 'aborted') throw errors.noSuchTransaction(txnNumber);
    if (txn.state === 'committed') {
      throw new CommandError(ErrorCode.TransactionCommitted, `Transaction with { txnNumber: ${txnNumber} } has been committed.`);
    }
    if (!TRANSACTION_COMMANDS.has(name) || (name === 'aggregate' && writesThroughPipeline(args)) || (name === 'create' && args['viewOn'] !== undefined)) {
      transactions.abort(txn);
      throw new CommandError(ErrorCode.OperationNotSupportedInTransaction, `Cannot run '${name}' in a multi-document transaction.`);
    }
    try {
      const reply = await handler(args, context(transactions.transactionView(txn)));
      // A failed statement dooms the transaction, as in MongoDB.
      if (Array.isArray(reply['writeErrors']) && reply['writeErrors'].length > 0) transactions.abort(txn);
      return reply;
    } catch (error) {
      transactions.abort(txn);
      const failure = toCommandError(error);
      if (failure.code === ErrorCode.WriteConflict && !failure.errorLabels.includes('TransientTransactionError')) {
        throw errors.writeConflict(true);
      }
      throw failure;
    }
  }
}

import type { Document } from 'mongodb';
import type { Doc } from './bson-values.js';
import type { CursorRegistry } from './cursor-registry.js';
import type { SessionRegistry, SessionState } from './session-registry.js';
import type { StorageEngine } from './storage-engine.js';
import type { DocumentView, TransactionManager } from './transactions.js';

/** Facts about the running server that `hello`, `buildInfo` and stats report. */
export interface ServerIdentity {
  /** `host:port` exactly as clients are told to connect. */
  readonly address: string;
  readonly setName: string;
  readonly processId: import('mongodb').ObjectId;
  readonly electionId: import('mongodb').ObjectId;
  readonly startedAt: Date;
  /** The server parameters `getParameter` reads and `setParameter` changes. */
  readonly parameters: ServerParameters;
}

/** The server parameters the embedded server honours. */
export interface ServerParameters {
  /** Transactions open longer are aborted by the server (MongoDB's default 60). */
  transactionLifetimeLimitSeconds: number;
}

/** Everything a command handler may use. */
export interface CommandContext {
  readonly engine: StorageEngine;
  readonly transactions: TransactionManager;
  readonly cursors: CursorRegistry;
  readonly sessions: SessionRegistry;
  readonly server: ServerIdentity;
  /** The database the command runs against (`$db`). */
  readonly db: string;
  /** Reads and writes go through this view (a transaction's, or the committed state). */
  readonly view: DocumentView;
  readonly session: SessionState | undefined;
  readonly connectionId: number;
  /** Runs another command (used by `explain`). */
  readonly dispatch: (command: Doc) => Promise<Document>;
}

/** A command implementation: the command document (numbers promoted) in, the reply out. */
export type CommandHandler = (command: Doc, context: CommandContext) => Doc | Promise<Doc>;

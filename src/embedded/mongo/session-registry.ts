import { Binary } from 'mongodb';
import { isPlainObject, type Doc } from './bson-values.js';
import type { Transaction } from './transactions.js';

/** Server-side state of one logical session (`lsid`). */
export interface SessionState {
  readonly id: string;
  /** The `lsid.id` value as the client sent it (a UUID), for `$listLocalSessions`. */
  lsid: unknown;
  /** Highest txnNumber seen (retryable write or transaction). */
  txnNumber: number | undefined;
  /** The session's latest transaction, open or finished. */
  txn: Transaction | undefined;
  /** Reply of the latest retryable write, replayed when the same txnNumber is retried. */
  retryable: { txnNumber: number; reply: Doc } | undefined;
  lastUse: number;
}

/** The key of an `lsid` document (`{ id: UUID }`). */
export function sessionKey(lsid: unknown): string | undefined {
  if (!isPlainObject(lsid)) return undefined;
  const id = lsid['id'];
  if (id instanceof Binary) return Buffer.from(id.buffer).toString('hex');
  return id === undefined ? undefined : String(id);
}

/** Logical sessions by lsid; idle ones expire after logicalSessionTimeoutMinutes. */
export class SessionRegistry {
  readonly #sessions = new Map<string, SessionState>();

  get(id: string, lsid?: unknown): SessionState {
    let session = this.#sessions.get(id);
    if (!session) {
      const raw = isPlainObject(lsid) ? lsid['id'] : undefined;
      session = { id, lsid: raw, txnNumber: undefined, txn: undefined, retryable: undefined, lastUse: Date.now() };
      this.#sessions.set(id, session);
    }
    session.lastUse = Date.now();
    return session;
  }

  end(id: string): SessionState | undefined {
    const session = this.#sessions.get(id);
    this.#sessions.delete(id);
    return session;
  }

  /** Drops sessions idle for longer than `timeoutMs`, returning them for cleanup. */
  expire(timeoutMs: number, now = Date.now()): SessionState[] {
    const expired: SessionState[] = [];
    for (const [id, session] of this.#sessions) {
      if (now - session.lastUse > timeoutMs && session.txn?.state !== 'inProgress') {
        this.#sessions.delete(id);
        expired.push(session);
      }
    }
    return expired;
  }

  /** Every live session, oldest first. */
  all(): SessionState[] {
    return [...this.#sessions.values()];
  }

  get size(): number {
    return this.#sessions.size;
  }
}

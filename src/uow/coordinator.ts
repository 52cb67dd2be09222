import { CompiledQuery, sql, type Compilable, type Kysely } from 'kysely';
import { MongoError, type ClientSession, type Db, type MongoClient } from 'mongodb';
import pg from 'pg';
import type { Clock } from '../core/clock.js';
import { NexfitError } from '../core/errors.js';
import type { IdGenerator } from '../core/ids.js';
import type { NexfitEventType } from '../core/domain-events.js';
import type { Database } from '../stores/postgres/database.js';
import { markTransactionBlock, unmarkTransactionBlock } from '../stores/postgres/postgres-repository.js';
import { toNexfitError as toPostgresError } from '../stores/postgres/error-mapping.js';
import { toNexfitError as toMongoError } from '../stores/mongo/error-mapping.js';
import { DecisionLog } from './decision-log.js';
import { Outbox } from './outbox.js';
import { SimulatedCrash, type FaultInjector, type UowProtocolStep } from './protocol-steps.js';
import { backoffMs, isTransientUnitError, isUnknownCommitResult } from './retry-rules.js';
import type { UnitOfWork, UnitOfWorkMode, UnitOfWorkOptions } from './unit-of-work.js';
import { attachUnitSession } from './unit-sessions.js';
import { currentRequestContext, type RequestContext } from './request-context.js';

/** Prefix of every prepared-transaction gid and intent id the SDK creates. */
export const UOW_ID_PREFIX = 'nexfit_uow_';

/**
 * The unit failed and nothing was committed; `cause` is the failure of the last attempt. When
 * `inDoubt` is true the commit may have landed: recovery decides it, and nothing may be undone
 * on the assumption that it failed.
 */
export class UnitOfWorkError extends NexfitError {
  readonly inDoubt: boolean;
  constructor(message: string, options: { cause?: unknown; details?: Record<string, unknown>; inDoubt?: boolean }) {
    super('UNIT_OF_WORK_FAILED', message, options);
    this.inDoubt = options.inDoubt ?? false;
  }
}

export interface CoordinatorDeps {
  readonly pg: Kysely<Database>;
  readonly mongoClient: MongoClient;
  readonly db: Db;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly mode: UnitOfWorkMode;
  /** How long decision records are kept (TTL) — must exceed the longest a unit can stay in doubt. Default 7 days. */
  readonly recoveryWindowMs?: number;
  /** Test hook called at every protocol step. */
  readonly faults?: FaultInjector;
  /** Receives errors of after-commit hooks and of best-effort cleanup. */
  readonly onError?: (error: unknown, where: string) => void;
  /** Where emitted events go; one is created when none is given. */
  readonly outbox?: Outbox;
}

const COMMIT_RETRIES = 3;
/** The context of a unit run outside any request: the system acts. */
const SYSTEM_CONTEXT: RequestContext = Object.freeze({ actorId: null });

/**
 * Runs units of work across MongoDB and PostgreSQL. One instance per SDK instance; the mode
 * is detected once at start-up.
 */
export class UnitOfWorkCoordinator {
  readonly mode: UnitOfWorkMode;
  readonly #deps: CoordinatorDeps;
  readonly #decisions: DecisionLog;
  readonly #outbox: Outbox;

  constructor(deps: CoordinatorDeps) {
    this.#deps = deps;
    this.mode = deps.mode;
    this.#outbox = deps.outbox ?? new Outbox(deps.pg, (error) => this.#report(error, 'event handler'));
    this.#decisions = new DecisionLog(deps.db, deps.recoveryWindowMs ?? 7 * 24 * 3600_000);
  }

  /** The decision records (recovery and health reports read them). */
  get decisions(): DecisionLog {
    return this.#decisions;
  }

  /** The outbox units of work emit events into. */
  get outbox(): Outbox {
    return this.#outbox;
  }

  /**
   * Runs `work` in a unit of work and returns its result once the outcome is durable in both
   * stores. Transient failures re-run `work` (it must be safe to re-run: no side effects
   * outside the stores except through `afterCommit`).
   */
  async run<T>(work: (uow: UnitOfWork) => Promise<T>, options: UnitOfWorkOptions = {}): Promise<T> {
    const maxAttempts = options.maxAttempts ?? 10;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt(work, attempt, options);
      } catch (error) {
        if (error instanceof SimulatedCrash) throw error;
        if (attempt < maxAttempts && isTransientUnitError(error)) {
          await new Promise((r) => setTimeout(r, backoffMs(attempt)));
          continue;
        }
        if (error instanceof NexfitError || !isTransientUnitError(error)) throw error;
        throw new UnitOfWorkError(`Unit of work failed after ${attempt} attempt(s)`, { cause: error, details: { attempts: attempt } });
      }
    }
  }

  async #attempt<T>(work: (uow: UnitOfWork) => Promise<T>, attempt: number, options: UnitOfWorkOptions): Promise<T> {
    const unitId = `${UOW_ID_PREFIX}${this.#deps.ids.newUuid().replace(/-/g, '')}`;
    const session = this.#deps.mongoClient.startSession();
    const hooks: (() => void | Promise<void>)[] = [];
    const compensations: CompiledQuery[] = [];
    const events: { readonly eventId: string; readonly type: NexfitEventType }[] = [];
    let crashed = false;
    try {
      session.startTransaction({ readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' } });
      let result!: T;
      let postgresOnly = false;
      await this.#deps.pg.connection().execute(async (conn) => {
        await sql`BEGIN`.execute(conn);
        // Repositories that must write inside a transaction (an invoice and its number) need not ask.
        markTransactionBlock(conn);
        let open = true;
        try {
          const uow: UnitOfWork = {
            id: unitId,
            mode: this.mode,
            attempt,
            ctx: { pg: conn, mongo: session },
            afterCommit: (hook) => { hooks.push(hook); },
            compensateWith: (statement: Compilable) => { compensations.push(statement.compile()); },
            emit: async (type, payload) => {
              const { eventId, published } = await this.#outbox.enqueue(conn, type, payload, { undoable: this.mode === 'ordered' });
              if (!published) events.push({ eventId, type });
              compensations.push(conn.deleteFrom('nexfit_outbox').where('event_id', '=', eventId).compile());
            },
            context: options.context ?? currentRequestContext() ?? SYSTEM_CONTEXT,
          };
          attachUnitSession(session, uow);
          result = await work(uow);
          if (mongoTransactionUnused(session)) {
            // No command of the unit reached MongoDB: PostgreSQL's transaction is the whole unit,
            // and its COMMIT is the unit's commit — nothing to prepare, decide or recover.
            await sql`COMMIT`.execute(conn);
            postgresOnly = true;
          } else if (this.mode === 'two-phase') {
            await this.#step('before-prepare', unitId);
            await sql.raw(`PREPARE TRANSACTION '${unitId}'`).execute(conn);
          } else {
            await this.#step('before-prepare', unitId);
            await conn
              .insertInto('nexfit_uow_intents')
              .values({ unit_id: unitId, status: 'pending', compensation: JSON.stringify(compensations.map((c) => ({ sql: c.sql, parameters: c.parameters }))) })
              .execute();
            await sql`COMMIT`.execute(conn);
          }
          open = false;
        } catch (error) {
          if (error instanceof SimulatedCrash) crashed = true;
          // A dead process's connection closes and PostgreSQL aborts the open transaction: same effect.
          if (open) await sql`ROLLBACK`.execute(conn).catch((e) => this.#report(e, 'rollback'));
          throw error instanceof SimulatedCrash ? error : toSdkError(error);
        } finally {
          unmarkTransactionBlock(conn);
        }
        if (postgresOnly) return;
        // The connection stays with the unit until PostgreSQL's part is final: the prepared
        // transaction holds its row locks, so waiting for another pooled connection to run
        // COMMIT PREPARED could wait on units that are themselves blocked on those locks.
        await this.#step('after-prepare', unitId);
        try {
          await this.#step('before-decision', unitId);
          await this.#decisions.recordCommit(unitId, this.#deps.clock.now(), session);
          await this.#commitMongo(session);
        } catch (error) {
          if (error instanceof SimulatedCrash) {
            crashed = true;
            throw error;
          }
          if (isUnknownCommitResult(error)) {
            // The commit may have landed: never guess. Recovery resolves the unit by its decision record.
            throw new UnitOfWorkError('The unit of work is in doubt; recovery will resolve it', { cause: error, details: { unitId, inDoubt: true }, inDoubt: true });
          }
          await session.abortTransaction().catch(() => {});
          await this.#undoPostgres(unitId, compensations, conn);
          throw toSdkError(error);
        }
        await this.#step('after-decision', unitId);
        await this.#finishPostgres(unitId, conn);
        await this.#step('after-postgres-commit', unitId);
      });
      if (events.length) await this.#outbox.relayCommitted(events).catch((error) => this.#report(error, 'outbox relay'));
      for (const hook of hooks) {
        try {
          await hook();
        } catch (error) {
          this.#report(error, 'afterCommit');
        }
      }
      return result;
    } catch (error) {
      if (error instanceof SimulatedCrash) crashed = true;
      throw error;
    } finally {
      // A dead process leaves its MongoDB transaction to the server, which aborts it when the session ends.
      if (!crashed && session.inTransaction()) await session.abortTransaction().catch(() => {});
      await session.endSession().catch(() => {});
    }
  }

  async #commitMongo(session: ClientSession): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        await session.commitTransaction();
        return;
      } catch (error) {
        if (i < COMMIT_RETRIES && isUnknownCommitResult(error)) continue;
        throw error;
      }
    }
  }

  /** After the commit point: make PostgreSQL's part final. A failure here is left to recovery, never reported as a failed unit. */
  async #finishPostgres(unitId: string, conn: Kysely<Database>): Promise<void> {
    for (let i = 0; i <= COMMIT_RETRIES; i++) {
      // The unit's own connection first; a fresh pooled one if that connection broke.
      const db = i === 0 ? conn : this.#deps.pg;
      try {
        if (this.mode === 'two-phase') await commitPrepared(db, unitId);
        else await db.updateTable('nexfit_uow_intents').set(closedIntent('committed')).where('unit_id', '=', unitId).execute();
        return;
      } catch (error) {
        this.#report(error, 'finishPostgres');
      }
    }
  }

  /** Before the commit point: undo PostgreSQL's part (roll back the prepared transaction, or compensate). */
  async #undoPostgres(unitId: string, compensations: readonly CompiledQuery[], conn: Kysely<Database>): Promise<void> {
    try {
      if (this.mode === 'two-phase') await rollbackPrepared(conn, unitId);
      else await compensate(conn, unitId, compensations);
    } catch (error) {
      // Recovery fences and undoes it later; the unit is reported as failed either way.
      this.#report(error, 'undoPostgres');
    }
  }

  async #step(step: UowProtocolStep, unitId: string): Promise<void> {
    await this.#deps.faults?.(step, unitId);
  }

  #report(error: unknown, where: string): void {
    try {
      this.#deps.onError?.(error, where);
    } catch {
      // Reporting must not change the outcome.
    }
  }
}

/**
 * Whether the unit's MongoDB transaction never reached the server: the driver starts a
 * transaction with its first command, and until then the session's transaction is in its
 * starting state. A driver that does not expose that state counts as used, so the unit then
 * takes the whole two-store protocol.
 */
function mongoTransactionUnused(session: ClientSession): boolean {
  const transaction = (session as unknown as { readonly transaction?: { readonly isStarting?: unknown } }).transaction;
  return transaction?.isStarting === true;
}

/** Driver errors become the SDK's typed errors; the caller's own errors pass through unchanged. */
function toSdkError(error: unknown): unknown {
  if (error instanceof NexfitError || error instanceof SimulatedCrash) return error;
  if (error instanceof MongoError) return toMongoError(error);
  if (error instanceof pg.DatabaseError) return toPostgresError(error);
  return error;
}

const UNDEFINED_OBJECT = '42704';
const OBJECT_NOT_IN_PREREQUISITE_STATE = '55000';
/** How long to wait for another session finishing the same prepared transaction. */
const BUSY_RETRIES = 100;
const BUSY_WAIT_MS = 20;

/** `ROLLBACK PREPARED`, treating "already resolved" as done. */
export async function rollbackPrepared(pg: Kysely<Database>, unitId: string): Promise<void> {
  await finishPrepared(pg, `ROLLBACK PREPARED '${unitId}'`);
}

/** `COMMIT PREPARED`, treating "already resolved" as done. */
export async function commitPrepared(pg: Kysely<Database>, unitId: string): Promise<void> {
  await finishPrepared(pg, `COMMIT PREPARED '${unitId}'`);
}

/**
 * Runs `COMMIT PREPARED` or `ROLLBACK PREPARED`. When another session (a concurrent recovery,
 * or the unit's own coordinator) is finishing the same transaction, PostgreSQL answers that
 * it is busy: wait for that session, until the transaction is gone ("already resolved").
 */
async function finishPrepared(pg: Kysely<Database>, statement: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await sql.raw(statement).execute(pg);
      return;
    } catch (error) {
      const { code, message } = error as { code?: string; message?: string };
      if (code === UNDEFINED_OBJECT) return;
      const busy = code === OBJECT_NOT_IN_PREREQUISITE_STATE && /is busy/.test(message ?? '');
      if (!busy || attempt >= BUSY_RETRIES) throw error;
      await new Promise((r) => setTimeout(r, BUSY_WAIT_MS));
    }
  }
}

/**
 * A decided intent: its status, and its compensation emptied — the statements carry the
 * rows' previous values (personal data an erasure removed, for one), which must not outlive
 * the decision.
 */
export function closedIntent(status: 'committed' | 'compensated') {
  return { status, compensation: '[]' } as const;
}

/** Runs an ordered unit's compensation and closes its intent, once, in one PostgreSQL transaction. */
export async function compensate(pg: Kysely<Database>, unitId: string, statements?: readonly CompiledQuery[]): Promise<void> {
  await pg.transaction().execute(async (trx) => {
    const intent = await trx.selectFrom('nexfit_uow_intents').select(['status', 'compensation']).where('unit_id', '=', unitId).forUpdate().executeTakeFirst();
    if (!intent || intent.status !== 'pending') return;
    const stored = (statements ?? (intent.compensation as unknown as { sql: string; parameters: unknown[] }[])) as readonly { sql: string; parameters: readonly unknown[] }[];
    for (const statement of [...stored].reverse()) {
      await trx.executeQuery(CompiledQuery.raw(statement.sql, [...statement.parameters]));
    }
    await trx.updateTable('nexfit_uow_intents').set(closedIntent('compensated')).where('unit_id', '=', unitId).execute();
  });
}

import { createHash } from 'node:crypto';
import type { JsonObject } from 'type-fest';
import { z } from 'zod';
import type { IdGenerator } from '../../core/ids.js';
import { ConflictError, ValidationError, type ValidationIssue } from '../../core/errors.js';
import { parseOrThrow, type ValidationLocale } from '../../core/validation.js';
import type { AuditTrail } from '../../modules/audit/index.js';
import type { BillingService } from '../../modules/billing/index.js';
import type { BulkRejection } from '../../stores/bulk.js';
import { inUnitOfWork, type UnitRunner } from '../../uow/unit-runner.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { idempotencyKeySchema } from '../purchase-membership/purchase-membership.workflow.js';
import { BULK_CREATE_ENTITIES, BULK_ENTITY_NAMES, type BulkCreateRepositories, type BulkEntityName } from './bulk-create-entities.js';

/**
 * The most rows one `bulkCreate` call takes: its single audit row names every created id, so
 * the batch is bounded here (a repository's `createMany` takes up to `MAX_BULK_ROWS`).
 */
export const MAX_BULK_CREATE_ROWS = 10_000;

/** What `bulkCreate` works with. */
export interface BulkCreateDeps {
  readonly repositories: BulkCreateRepositories;
  /** The idempotency records (`claimIdempotencyKey`…), as the purchases use them. */
  readonly billing: Pick<BillingService, 'findIdempotentResult' | 'claimIdempotencyKey' | 'completeIdempotencyKey'>;
  readonly audit: AuditTrail;
  readonly units: UnitRunner;
  readonly ids: IdGenerator;
  readonly locale?: ValidationLocale | undefined;
}

const envelopeSchema = z.strictObject({
  entity: z.enum(BULK_ENTITY_NAMES),
  ordered: z.boolean().optional(),
  idempotencyKey: idempotencyKeySchema.optional(),
  dryRun: z.boolean().optional(),
});

/** Input of `nexfit.workflows.bulkCreate`. */
export interface BulkCreateInput {
  /** The collection or table to write: `users`, `transactions`, `workout_logs`, … (every repository but the audit log's). */
  readonly entity: BulkEntityName;
  /** The rows: each exactly what the repository's `create` takes. At most {@link MAX_BULK_CREATE_ROWS}. */
  readonly rows: readonly unknown[];
  /** As `createMany`: stop at the first bad row (the default), or write every good row and report every bad one. */
  readonly ordered?: boolean;
  /** A retry with the same key after the batch committed writes nothing and returns the first outcome (`replayed: true`). */
  readonly idempotencyKey?: string;
  /** Validate every row as the repository would, conflicts included, and write nothing. */
  readonly dryRun?: boolean;
}

/** What `bulkCreate` did (or, with `dryRun`, would do). */
export interface BulkCreateOutcome {
  readonly entity: BulkEntityName;
  /** The ids of the created rows, in input order (`transactionId` for transactions, `businessId:date` for analytics days…). */
  readonly createdIds: readonly string[];
  /** The rows refused, by their index in `rows`. */
  readonly rejected: readonly BulkRejection[];
  /** True when an earlier call with the same idempotency key did the work and this one returned its outcome. */
  readonly replayed: boolean;
}

const SCOPE = 'bulk-create';
/** Entries per JSON list in an audit row or an idempotency record (the SDK's JSON values hold at most 500 per level). */
const LIST_CHUNK = 500;
const STORED_MESSAGE_CHARS = 1_000;
const STORED_ISSUES = 100;

/** Thrown inside a unit that must not commit (a dry run, a batch that created nothing) so that it rolls back; carries the outcome. */
class RolledBack extends Error {
  readonly outcome: BulkCreateOutcome;
  constructor(outcome: BulkCreateOutcome) {
    super('bulk create: unit rolled back on purpose');
    this.outcome = outcome;
  }
}

/**
 * Creates many rows of one entity in ONE unit of work (or the caller's): the repository's
 * `createMany` (its validation, defaults, derived fields and encryption are `create`'s, its
 * `ordered` semantics apply), then one `audit_logs` row for the batch (action `bulk_create`,
 * `newState: { created, rejected, ordered, ids }` where `ids` lists every created id in lists of
 * at most 500). In a unit of its own, a batch that creates nothing commits nothing, not even its
 * audit row or its idempotency key.
 *
 * - `idempotencyKey`: the key is claimed first in the unit (the purchases' idempotency
 *   records, so a racing call with the key waits for this one) and stores the batch's outcome; a retry after the commit writes nothing and returns that outcome with
 *   `replayed: true` (a rejection's issues are kept up to 100, its message up to 1,000
 *   characters). The same key for another entity, another row count or other rows is refused
 *   with `ConflictError('idempotency_key_reused')`. Inside a caller's unit, a key another unit
 *   took first throws `ConflictError('idempotency_key_taken')`: that unit must not commit.
 * - `dryRun`: the batch runs in its own unit, which is then rolled back: every rejection the
 *   real run would report (conflicts with stored rows included) and nothing written. A dry run
 *   takes neither an idempotency key nor a caller's unit.
 *
 * @example
 * ```ts
 * const { createdIds, rejected } = await nexfit.workflows.bulkCreate({ entity: 'transactions', rows, ordered: false, idempotencyKey: `import-${batchId}` });
 * ```
 */
export async function bulkCreate(deps: BulkCreateDeps, input: BulkCreateInput, uow?: UnitOfWork): Promise<BulkCreateOutcome> {
  const parseOptions = { entity: 'bulk create', ...(deps.locale ? { locale: deps.locale } : {}) };
  const raw = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as unknown as Record<string, unknown>) : undefined;
  // The rows are each the repository's to judge (a bad row is a rejection, not a refused call): the envelope is parsed without them.
  const { rows: _rows, ...rest } = raw ?? {};
  const data = parseOrThrow(envelopeSchema, raw ? rest : input, parseOptions);
  const rows = raw?.['rows'];
  if (!Array.isArray(rows) || rows.length > MAX_BULK_CREATE_ROWS) {
    const message = `rows must be a list of at most ${MAX_BULK_CREATE_ROWS} rows`;
    throw new ValidationError(`Invalid bulk create: ${message}`, [{ path: ['rows'], code: Array.isArray(rows) ? 'too_big' : 'invalid_type', message }]);
  }
  if (data.dryRun && (data.idempotencyKey !== undefined || uow)) {
    const message = 'a dry run writes nothing: it takes no idempotency key and runs in its own unit of work';
    throw new ValidationError(`Invalid bulk create: ${message}`, [{ path: data.idempotencyKey !== undefined ? ['idempotencyKey'] : [], code: 'custom', message }]);
  }
  const entity = data.entity;
  const ordered = data.ordered ?? true;
  const empty: BulkCreateOutcome = { entity, createdIds: [], rejected: [], replayed: false };
  const key = data.idempotencyKey === undefined ? undefined : `${SCOPE}:${data.idempotencyKey}`;
  const request = key ? { entity, rows: rows.length, fingerprint: fingerprintOf(rows) } : undefined;
  // In a unit of its own, a batch done before is found by its claim (the unit then rolls back
  // and the stored outcome is replayed, below): a first run saves the look-up's round trip. In
  // the caller's unit a refused claim would end the caller's transaction, so it looks first.
  if (key && request && uow) {
    const earlier = await deps.billing.findIdempotentResult(key, uow);
    if (earlier?.response) return replay(earlier.response, request);
  }
  if (rows.length === 0) return empty;

  const definition = BULK_CREATE_ENTITIES[entity];
  const repository = deps.repositories[definition.repository];
  /** One attempt at the batch: `positions[i]` is the index in `rows` of the i-th row sent. */
  const work = async (u: UnitOfWork, positions: readonly number[], earlier: readonly BulkRejection[]): Promise<BulkCreateOutcome> => {
    // Claimed first: a racing call with the same key waits here for this unit, then replays its outcome.
    if (key) await deps.billing.claimIdempotencyKey(key, SCOPE, u);
    const result = await repository.createMany(positions.map((p) => rows[p]), { ordered }, u.ctx);
    const createdIds = result.created.map(definition.idOf);
    const rejected = [...earlier, ...result.rejected.map((r) => ({ ...r, index: positions[r.index]! }))].sort((a, b) => a.index - b.index);
    const outcome: BulkCreateOutcome = { entity, createdIds, rejected, replayed: false };
    // A unit of its own that creates nothing has nothing to commit, not even its key.
    if (data.dryRun || (createdIds.length === 0 && !uow)) throw new RolledBack(outcome);
    // In ordered mode PostgreSQL commits before MongoDB; if MongoDB then fails, these rows go too.
    if (definition.undo && result.created.length > 0) u.compensateWith(definition.undo(u.ctx.pg, result.created));
    if (key && request) await deps.billing.completeIdempotencyKey(key, { ...request, createdIds: chunked(createdIds), rejected: chunked(rejected.map(storable)) }, u);
    if (createdIds.length === 0) return outcome;
    await deps.audit.record(u, {
      entityType: entity,
      entityId: deps.ids.newUuid(),
      action: 'bulk_create',
      newState: { created: createdIds.length, rejected: rejected.length, ordered, ids: chunked(createdIds) },
    });
    return outcome;
  };

  let positions: readonly number[] = rows.map((_, i) => i);
  const storeConflicts: BulkRejection[] = [];
  for (;;) {
    try {
      const sent = positions;
      const earlier = [...storeConflicts];
      return await inUnitOfWork(deps.units, uow, (u) => work(u, sent, earlier));
    } catch (error) {
      if (error instanceof RolledBack) return error.outcome;
      // Another call with the key committed while this one ran: its outcome stands, this unit rolled back.
      if (key && request && !uow && error instanceof ConflictError && error.reason === 'idempotency_key_taken') {
        const stored = await deps.billing.findIdempotentResult(key);
        if (stored?.response) return replay(stored.response, request);
      }
      // In a MongoDB transaction a duplicate key aborts the transaction instead of refusing one row:
      // the unit rolled back, so the batch runs again without that row, which is reported.
      const at = rowOfStoreConflict(error, positions.length);
      if (at === undefined || uow || storeConflicts.length >= MAX_STORE_CONFLICTS) throw error;
      const conflict = error as ConflictError;
      // Ordered, only the first bad row is reported (a later attempt can only find an earlier one).
      if (ordered) storeConflicts.length = 0;
      storeConflicts.push({ index: positions[at]!, code: 'CONFLICT', message: conflict.message.replace(/^Row \d+ of the batch: /, ''), issues: [] });
      positions = ordered ? positions.slice(0, at) : positions.filter((_, i) => i !== at);
      if (positions.length === 0) return { ...empty, rejected: storeConflicts };
    }
  }
}

/**
 * How many rows of one call may conflict with stored MongoDB rows before the call gives up
 * with the conflict: each one costs a new attempt at the batch (see {@link rowOfStoreConflict}).
 */
export const MAX_STORE_CONFLICTS = 100;

/** The row (index in the list sent) a `createMany` inside a transaction threw a conflict for, if that is what `error` is. */
function rowOfStoreConflict(error: unknown, sent: number): number | undefined {
  if (!(error instanceof ConflictError)) return undefined;
  const index = error.details?.['index'];
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < sent ? index : undefined;
}

/** The request an idempotency key stands for: the entity, the row count and a hash of the rows. */
function fingerprintOf(rows: readonly unknown[]): string {
  let text: string | undefined;
  try {
    // Without a replacer first: one called for every value was most of the hash's cost. Only a
    // BigInt, which JSON cannot write, needs it; the text is the same for everything else.
    text = JSON.stringify(rows);
  } catch {
    // A BigInt (or a cycle): written with the replacer below, or refused there.
  }
  try {
    text ??= JSON.stringify(rows, (_key, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
  } catch {
    const message = 'rows of an idempotent bulk create must be plain JSON-like values';
    throw new ValidationError(`Invalid bulk create: ${message}`, [{ path: ['rows'], code: 'custom', message }]);
  }
  return createHash('sha256').update(text ?? '').digest('hex');
}

function replay(response: JsonObject, request: { readonly entity: BulkEntityName; readonly rows: number; readonly fingerprint: string }): BulkCreateOutcome {
  if (response['entity'] !== request.entity || response['rows'] !== request.rows || response['fingerprint'] !== request.fingerprint) {
    throw new ConflictError('idempotency_key_reused', 'This idempotency key was used for a different bulk create');
  }
  return {
    entity: request.entity,
    createdIds: (response['createdIds'] as string[][]).flat(),
    rejected: (response['rejected'] as unknown as BulkRejection[][]).flat(),
    replayed: true,
  };
}

/** `list` in lists of at most {@link LIST_CHUNK} entries. */
function chunked<T>(list: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < list.length; i += LIST_CHUNK) chunks.push(list.slice(i, i + LIST_CHUNK));
  return chunks;
}

/** A rejection as an idempotency record keeps it: bounded message and issues. */
function storable(rejection: BulkRejection): JsonObject {
  const issues: ValidationIssue[] = rejection.issues.slice(0, STORED_ISSUES).map((issue) => ({ path: [...issue.path], code: issue.code, message: issue.message.slice(0, STORED_MESSAGE_CHARS) }));
  return { index: rejection.index, code: rejection.code, message: rejection.message.slice(0, STORED_MESSAGE_CHARS), issues } as unknown as JsonObject;
}

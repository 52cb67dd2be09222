import {
  ConflictError,
  NexfitError,
  StoreError,
  TransientStoreError,
  ValidationError,
  type StoreValidationIssueCode,
  type ValidationIssue,
} from '../../core/errors.js';

/** The fields of a `pg` `DatabaseError` the mapping reads. */
interface PostgresErrorFields {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly detail?: unknown;
  readonly constraint?: unknown;
  readonly table?: unknown;
  readonly column?: unknown;
  readonly schema?: unknown;
}

/** Optional context for the message: the entity the failed statement wrote. */
export interface PostgresErrorContext {
  readonly entity?: string;
}

/** SQLSTATEs a constraint or a value refused: the input is wrong, not the store. */
const VALIDATION_CODES: Readonly<Record<string, StoreValidationIssueCode>> = {
  '23514': 'check_violation',
  '23502': 'not_null_violation',
  '22P02': 'invalid_text_representation',
  '22003': 'numeric_value_out_of_range',
  '22001': 'string_data_right_truncation',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
};

/**
 * SQLSTATEs after which the whole transaction can be retried: serialization failure,
 * deadlock, lock not available, and the server going away or refusing connections.
 */
const TRANSIENT_CODES = new Set(['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '53300']);

/** Socket-level failures of the driver (`code` set by Node, not by PostgreSQL). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** Messages `pg` and `pg-pool` use for lost or impossible connections; they carry no code. */
const CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed/i;

/**
 * The single converter from PostgreSQL/`pg` errors to the SDK's errors. The original
 * error is always kept as `cause`; a {@link NexfitError} passes through unchanged.
 *
 * | SQLSTATE | error |
 * |---|---|
 * | 23505 unique | `ConflictError` reason `duplicate` |
 * | 23503 foreign key | `ConflictError` reason `foreign_key` |
 * | 23514, 23502, 22P02, 22003, 22001, 22007, 22008 | `ValidationError` |
 * | 40001, 40P01, 55P03, 57P0x, 53300, 08xxx, socket errors | `TransientStoreError` |
 * | anything else | `StoreError` |
 *
 * @example
 * ```ts
 * try { await db.insertInto('transactions').values(row).execute() }
 * catch (e) { throw toNexfitError(e, { entity: 'transaction' }) }
 * ```
 */
export function toNexfitError(error: unknown, context: PostgresErrorContext = {}): NexfitError {
  if (error instanceof NexfitError) return error;
  const fields = (typeof error === 'object' && error !== null ? error : {}) as PostgresErrorFields;
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  const message = typeof fields.message === 'string' ? fields.message : String(error);
  const constraint = stringOrUndefined(fields.constraint);
  const table = stringOrUndefined(fields.table);
  const parentTable = table === undefined ? undefined : tableOfPartition(table);
  const entity = context.entity ?? parentTable ?? 'row';
  const details = {
    ...(code === undefined ? {} : { sqlstate: code }),
    ...(constraint === undefined ? {} : { constraint }),
    ...(table === undefined ? {} : { table }),
    ...(typeof fields.detail === 'string' ? { detail: fields.detail } : {}),
  };

  if (code === '23505') {
    return new ConflictError('duplicate', `Duplicate ${entity}${constraint ? ` (${constraint})` : ''}: ${message}`, {
      cause: error,
      details,
    });
  }
  if (code === '23503') {
    return new ConflictError('foreign_key', `${capitalise(entity)} refers to a missing or still-referenced row: ${message}`, {
      cause: error,
      details,
    });
  }
  const validationCode = code === undefined ? undefined : VALIDATION_CODES[code];
  if (validationCode !== undefined) {
    const column = stringOrUndefined(fields.column) ?? columnOfConstraint(parentTable, constraint);
    const issue: ValidationIssue = { path: column === undefined ? [] : [column], code: validationCode, message };
    return new ValidationError(`Invalid ${entity}: ${message}`, [issue], { cause: error });
  }
  if (isTransient(code, error, message)) {
    return new TransientStoreError('postgres', `PostgreSQL transient failure: ${message}`, { cause: error });
  }
  return new StoreError('postgres', `PostgreSQL error: ${message}`, { cause: error, details });
}

/**
 * True when the failed operation may be retried as a whole (a new transaction). A lost
 * connection during `COMMIT` also counts: the caller must then find out whether the
 * commit happened before repeating non-idempotent work.
 *
 * @example
 * ```ts
 * for (let attempt = 1; ; attempt++) {
 *   try { return await work() } catch (e) { if (attempt === 3 || !isRetryablePostgresError(e)) throw e }
 * }
 * ```
 */
export function isRetryablePostgresError(error: unknown): boolean {
  const mapped = toNexfitError(error);
  return mapped instanceof TransientStoreError && mapped.store === 'postgres';
}

function isTransient(code: string | undefined, error: unknown, message: string): boolean {
  if (code !== undefined && (TRANSIENT_CODES.has(code) || code.startsWith('08') || NETWORK_CODES.has(code))) return true;
  // A failed multi-address connect surfaces as an AggregateError of socket errors.
  if (error instanceof AggregateError) {
    return error.errors.some((inner) => isTransient(codeOf(inner), inner, String((inner as Error)?.message)));
  }
  return CONNECTION_MESSAGES.test(message);
}

/** Reads the column back from the `<table>_<column>_check` naming the migrations use. */
function columnOfConstraint(table: string | undefined, constraint: string | undefined): string | undefined {
  if (table === undefined || constraint === undefined) return undefined;
  const prefix = `${table}_`;
  if (!constraint.startsWith(prefix) || !constraint.endsWith('_check')) return undefined;
  const column = constraint.slice(prefix.length, -'_check'.length);
  return column.length > 0 ? column : undefined;
}

/** `audit_logs_2025_03` -> `audit_logs`: errors on partitioned tables name the partition. */
function tableOfPartition(table: string): string {
  return table.replace(/_(?:\d{4}(?:_\d{2})?|default)$/, '');
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

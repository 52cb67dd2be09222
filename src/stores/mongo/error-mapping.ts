import { MongoError, MongoServerError } from 'mongodb';
import { ConflictError, NexfitError, StoreError, TransientStoreError, ValidationError, type StoreValidationIssueCode } from '../../core/errors.js';

/** Server codes after which the whole operation may be retried (write conflict, lost primary, …). */
const TRANSIENT_CODES = new Set([112, 189, 91, 6, 7, 89, 9001, 10107, 11600, 11602, 13435, 13436, 262]);

/** Optional context for the message: the collection the failed command wrote. */
export interface MongoErrorContext {
  readonly collection?: string;
  /** Entity name for the message (`'user'`). */
  readonly entity?: string;
}

/**
 * The single converter from MongoDB driver errors to the SDK's errors; the driver's error
 * is kept as `cause`, and a {@link NexfitError} passes through unchanged.
 *
 * | server error | SDK error |
 * |---|---|
 * | 11000 duplicate key | `ConflictError` reason `duplicate`, with `keyPattern`/`keyValue` |
 * | 121 document failed validation | `ValidationError`, `errInfo` in the cause and the first issue |
 * | 112 write conflict, `TransientTransactionError` / retryable labels, network errors | `TransientStoreError('mongo')` |
 * | anything else | `StoreError('mongo')` |
 *
 * @example
 * ```ts
 * try { await users.insertOne(doc) } catch (e) { throw toNexfitError(e, { collection: 'users' }) }
 * ```
 */
export function toNexfitError(error: unknown, context: MongoErrorContext = {}): NexfitError {
  if (error instanceof NexfitError) return error;
  const where = context.collection ? ` in ${context.collection}` : context.entity ? ` (${context.entity})` : '';
  const code = codeOf(error);
  if (code === 11000 || code === 11001) {
    const e = error as { keyPattern?: unknown; keyValue?: unknown };
    return new ConflictError('duplicate', `A document with the same unique key already exists${where}`, {
      cause: error,
      details: {
        ...(context.collection ? { collection: context.collection } : {}),
        ...(context.entity ? { entity: context.entity } : {}),
        ...(e.keyPattern !== undefined ? { keyPattern: e.keyPattern } : {}),
        ...(e.keyValue !== undefined ? { keyValue: e.keyValue } : {}),
      },
    });
  }
  if (code === 121) {
    const errInfo = (error as { errInfo?: unknown }).errInfo;
    return new ValidationError(
      `The document failed the collection's schema validation${where}`,
      [{ path: [], code: 'document_validation' satisfies StoreValidationIssueCode, message: errInfo === undefined ? 'Document failed validation' : JSON.stringify(errInfo).slice(0, 2_000) }],
      { cause: error },
    );
  }
  if (isTransient(error, code)) {
    return new TransientStoreError('mongo', `Transient MongoDB failure${where}: ${messageOf(error)}`, { cause: error });
  }
  return new StoreError('mongo', `MongoDB failure${where}: ${messageOf(error)}`, {
    cause: error,
    ...(code !== undefined ? { details: { code } } : {}),
  });
}

function codeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number') return code;
  // A bulk write reports the first write error's code.
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  if (Array.isArray(writeErrors) && writeErrors.length > 0) {
    const first = writeErrors[0] as { code?: unknown; err?: { code?: unknown } };
    if (typeof first.code === 'number') return first.code;
    if (typeof first.err?.code === 'number') return first.err.code;
  }
  return undefined;
}

function isTransient(error: unknown, code: number | undefined): boolean {
  if (code !== undefined && TRANSIENT_CODES.has(code)) return true;
  if (error instanceof MongoError) {
    if (error.hasErrorLabel('TransientTransactionError') || error.hasErrorLabel('RetryableWriteError')) return true;
    if (error.name === 'MongoNetworkError' || error.name === 'MongoNetworkTimeoutError' || error.name === 'MongoServerSelectionError') return true;
  }
  const labels = (error as { errorLabels?: unknown } | null)?.errorLabels;
  return Array.isArray(labels) && labels.includes('TransientTransactionError');
}

function messageOf(error: unknown): string {
  if (error instanceof MongoServerError || error instanceof Error) return error.message;
  return String(error);
}

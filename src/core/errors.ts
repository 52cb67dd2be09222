import type { ConflictReason } from './conflict-reasons.js';

export type { ConflictReason };

/**
 * The SDK's typed errors. Every expected failure is a {@link NexfitError} with a stable
 * `code`; host apps switch on `code` (or `instanceof`) and never see a raw driver error.
 *
 * @example
 * ```ts
 * try { await nexfit.users.register(input) }
 * catch (e) { if (e instanceof ConflictError) reply(409, e.code) }
 * ```
 */
export type NexfitErrorCode =
  | 'VALIDATION_FAILED'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'CONCURRENCY_CONFLICT'
  | 'TRANSIENT'
  | 'UNIT_OF_WORK_FAILED'
  | 'WORKFLOW_COMPENSATION_FAILED'
  | 'PAYMENT_FAILED'
  | 'STORE_ERROR'
  | 'CONFIGURATION'
  | 'DECRYPTION_FAILED';

/** One validation problem, as zod reports it, with a path a UI can attach to a field. */
export interface ValidationIssue {
  readonly path: readonly (string | number)[];
  readonly code: string;
  readonly message: string;
}

/**
 * Codes of the {@link ValidationIssue}s a store's own validation raises (a MongoDB `$jsonSchema`
 * validator, a PostgreSQL constraint or type check) rather than a schema at the SDK's edge.
 * Their messages quote the store — constraint names, validator rules — so public error bodies
 * replace them.
 */
export const STORE_VALIDATION_ISSUE_CODES = [
  'document_validation',
  'check_violation',
  'not_null_violation',
  'invalid_text_representation',
  'numeric_value_out_of_range',
  'string_data_right_truncation',
  'invalid_datetime_format',
  'datetime_field_overflow',
] as const;
/** One of {@link STORE_VALIDATION_ISSUE_CODES}. */
export type StoreValidationIssueCode = (typeof STORE_VALIDATION_ISSUE_CODES)[number];

/**
 * The registered symbol every {@link NexfitError} carries (on its prototype, not enumerable).
 * `Symbol.for` returns the same symbol in every copy of the SDK loaded into one process — the
 * ESM and the CommonJS build, or two installed versions — so an error thrown by one copy is
 * recognised by another's {@link isNexfitError} and `instanceof`.
 *
 * @example
 * ```ts
 * (error as Record<symbol, unknown>)[NEXFIT_ERROR_BRAND] === 1 // thrown by some copy of the SDK
 * ```
 */
export const NEXFIT_ERROR_BRAND: unique symbol = Symbol.for('@nexfit/sdk/error') as never;

/** The brand's value: the version of the error shape (`code`, `message`, `details`) it promises. */
const BRAND_VERSION = 1;

/**
 * Base class of every error the SDK throws on purpose. `instanceof` works across copies of
 * the SDK, whose errors all carry the registered symbol `Symbol.for('@nexfit/sdk/error')`:
 * `instanceof NexfitError` holds for any copy's error, and `instanceof ConflictError` for any
 * copy's error of a class of that name.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof NexfitError) console.log(e.code) } // also for the CommonJS build's errors
 * ```
 */
export class NexfitError extends Error {
  readonly code: NexfitErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: NexfitErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details;
  }

  /**
   * Recognises errors of every copy of the SDK: the class's own instances, and branded errors
   * of another copy whose class (or one of its ancestors) has this class's name.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (!isBranded(value)) return false;
    if (this === NexfitError) return true;
    for (let proto: object | null = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
      const ctor = (proto as { constructor?: unknown }).constructor;
      if (typeof ctor === 'function' && ctor.name === this.name) return true;
    }
    return false;
  }

  /**
   * A JSON-safe view for logs (no cause, no stack). `details` may name internals (the policy
   * rule that refused, a unique index): send `toHttpError(error).body` to clients instead.
   */
  toJSON(): { name: string; code: NexfitErrorCode; message: string; details?: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, ...(this.details ? { details: { ...this.details } } : {}) };
  }
}

Object.defineProperty(NexfitError.prototype, NEXFIT_ERROR_BRAND, { value: BRAND_VERSION, enumerable: false, writable: false, configurable: false });

/** True when `value` carries the brand of some copy of the SDK and a code this copy knows. */
function isBranded(value: unknown): value is NexfitError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { [NEXFIT_ERROR_BRAND]?: unknown; code?: unknown };
  return v[NEXFIT_ERROR_BRAND] === BRAND_VERSION && typeof v.code === 'string' && Object.hasOwn(HTTP_STATUS_BY_ERROR_CODE, v.code);
}

/**
 * Input (or a stored document) did not match its schema. `issues` carries zod's paths and
 * messages in the requested locale.
 */
export class ValidationError extends NexfitError {
  readonly issues: readonly ValidationIssue[];
  constructor(message: string, issues: readonly ValidationIssue[], options?: { cause?: unknown }) {
    super('VALIDATION_FAILED', message, { ...options, details: { issues } });
    this.issues = issues;
  }
}

/** The entity asked for does not exist (or is not visible to the caller). */
export class NotFoundError extends NexfitError {
  readonly entity: string;
  readonly id: string;
  constructor(entity: string, id: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', `${entity} ${id} was not found`, { ...options, details: { entity, id } });
    this.entity = entity;
    this.id = id;
  }
}

/**
 * A uniqueness rule or a business invariant refused the write (duplicate email, full class…).
 * `reason` says which, from a fixed list ({@link ConflictReason}, docs/errors.md).
 */
export class ConflictError extends NexfitError {
  readonly reason: ConflictReason;
  constructor(reason: ConflictReason, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('CONFLICT', message, { ...options, details: { reason, ...options?.details } });
    this.reason = reason;
  }
}

/** The acting user may not perform the operation. Nothing was written. */
export class ForbiddenError extends NexfitError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('FORBIDDEN', message, options);
  }
}

/** An optimistic-concurrency check failed: the entity changed since it was read. */
export class ConcurrencyError extends NexfitError {
  constructor(entity: string, id: string, options?: { cause?: unknown }) {
    super('CONCURRENCY_CONFLICT', `${entity} ${id} was modified concurrently`, { ...options, details: { entity, id } });
  }
}

/**
 * A store reported a transient failure (write conflict, serialization failure, deadlock,
 * lost primary). Safe to retry the whole operation; the unit of work does so itself.
 */
export class TransientStoreError extends NexfitError {
  readonly store: 'mongo' | 'postgres';
  constructor(store: 'mongo' | 'postgres', message: string, options?: { cause?: unknown }) {
    super('TRANSIENT', message, options);
    this.store = store;
  }
}

/** An unexpected store failure, wrapped so the driver's error never escapes unlabelled. */
export class StoreError extends NexfitError {
  readonly store: 'mongo' | 'postgres';
  constructor(store: 'mongo' | 'postgres', message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('STORE_ERROR', message, options);
    this.store = store;
  }
}

/** The SDK was set up wrongly (missing option, unreachable store at start-up…). */
export class ConfigurationError extends NexfitError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIGURATION', message, options);
  }
}

/**
 * An encrypted stored value could not be read: its key is not in the keyring (retired too
 * early, or the wrong keyring), or it failed authentication (tampered with, or copied from
 * another document or field). Nothing is returned in its place.
 */
export class DecryptionError extends NexfitError {
  constructor(message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super('DECRYPTION_FAILED', message, options);
  }
}

/**
 * True for every error the SDK throws on purpose — also for errors of another copy of the SDK
 * in the same process (the ESM and the CommonJS build, or two installed versions), recognised
 * by their registered brand (`Symbol.for('@nexfit/sdk/error')`). An error whose `code` this
 * copy does not know (thrown by a newer version) is not one: treat it as unexpected.
 *
 * @example
 * ```ts
 * if (isNexfitError(e)) console.log(e.code); // 'CONFLICT', 'NOT_FOUND', …
 * ```
 */
export function isNexfitError(error: unknown): error is NexfitError {
  return isBranded(error);
}

/**
 * The HTTP status a host app's API would answer for each error code — one suggested mapping,
 * so every Express/Fastify/Nest adapter does not invent its own.
 *
 * @example
 * ```ts
 * HTTP_STATUS_BY_ERROR_CODE['CONFLICT'] // 409 — toHttpError(err) applies it and builds the public body
 * ```
 */
export const HTTP_STATUS_BY_ERROR_CODE: Readonly<Record<NexfitErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FORBIDDEN: 403,
  CONCURRENCY_CONFLICT: 409,
  TRANSIENT: 503,
  UNIT_OF_WORK_FAILED: 503,
  // Not a retry: a step's undo failed, so money or bookings may be inconsistent until an operator looks.
  WORKFLOW_COMPENSATION_FAILED: 500,
  PAYMENT_FAILED: 402,
  STORE_ERROR: 500,
  CONFIGURATION: 500,
  DECRYPTION_FAILED: 500,
};

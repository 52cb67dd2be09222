import { isPlainObject, type Doc } from '../bson-values.js';
import { CommandError, ErrorCode, errors } from '../errors.js';
import { LockWait } from '../transactions.js';
import { createAggregator, mingoOptions } from '../query-engine.js';

/** A required string argument (the collection name of most commands). */
export function requireCollection(command: Doc, field: string): string {
  const value = command[field];
  if (typeof value !== 'string' || value.length === 0) {
    throw errors.typeMismatch(`collection name has invalid type ${value === undefined ? 'missing' : typeof value}`);
  }
  return value;
}

/** An optional document argument. */
export function optionalDoc(command: Doc, field: string): Doc | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) throw errors.typeMismatch(`BSON field '${field}' is the wrong type, expected type 'object'`);
  return value;
}

/** An optional non-negative integer argument. */
export function optionalCount(command: Doc, field: string): number | undefined {
  const value = command[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw errors.typeMismatch(`BSON field '${field}' is the wrong type, expected a number`);
  return Math.trunc(value);
}

/** An optional count that MongoDB's command schema bounds at >= 0 (51024 otherwise). */
export function optionalNonNegative(command: Doc, field: string): number | undefined {
  const value = optionalCount(command, field);
  if (value !== undefined && value < 0) {
    throw new CommandError(ErrorCode.Location51024, `BSON field '${field}' value must be >= 0, actual value '${value}'`);
  }
  return value;
}

/**
 * The command's `let` variables, each expression evaluated once (`$$NOW`, `{ $add: [...] }`,
 * constants) as MongoDB does before running the command; `undefined` when absent.
 */
export function letVariables(command: Doc): Doc | undefined {
  const spec = optionalDoc(command, 'let');
  if (!spec || Object.keys(spec).length === 0) return undefined;
  for (const name of Object.keys(spec)) {
    if (!/^[a-z\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*$/.test(name)) {
      throw new CommandError(ErrorCode.Location16870, `'${name}' starts with an invalid character for a user variable name`);
    }
  }
  const [values] = createAggregator([{ $replaceWith: spec }], mingoOptions()).run([{}]) as Doc[];
  return values ?? {};
}

/** An optional array-of-documents argument. */
export function docArray(command: Doc, field: string): Doc[] {
  const value = command[field];
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isPlainObject)) throw errors.typeMismatch(`BSON field '${field}' is the wrong type, expected an array of objects`);
  return value;
}

/** How long a write outside a transaction waits for a transaction holding its document. */
const LOCK_WAIT_LIMIT_MS = 10_000;

/**
 * Runs one write statement, waiting and retrying while a transaction holds what it
 * touches (mongod blocks such writes until the transaction ends).
 */
export async function withLockRetry<T>(statement: () => T): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_LIMIT_MS;
  for (;;) {
    try {
      return statement();
    } catch (error) {
      if (!(error instanceof LockWait)) throw error;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw errors.writeConflict(false);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([error.until, new Promise((resolve) => (timer = setTimeout(resolve, remaining)))]);
      clearTimeout(timer);
    }
  }
}

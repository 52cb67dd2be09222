import { BSONRegExp } from 'mongodb';
import { isPlainObject, type Doc } from '../bson-values.js';
import { CommandError, ErrorCode, toCommandError } from '../errors.js';
import type { CommandContext } from '../command-context.js';

/**
 * Runs the statements of an insert/update/delete batch: each failure becomes a
 * `writeErrors` entry; an ordered batch stops at the first one. Failures that doom a
 * transaction (WriteConflict, NoSuchTransaction) fail the whole command instead.
 */
export async function runStatements<T>(
  context: CommandContext,
  statements: readonly T[],
  ordered: boolean,
  run: (statement: T, index: number) => Promise<void>,
): Promise<Doc[]> {
  const writeErrors: Doc[] = [];
  for (let index = 0; index < statements.length; index++) {
    try {
      await run(statements[index]!, index);
    } catch (error) {
      const failure = toCommandError(error);
      if (context.view.transaction && (failure.code === ErrorCode.WriteConflict || failure.errorLabels.length > 0)) throw failure;
      if (failure.code === ErrorCode.InternalError) throw failure;
      writeErrors.push(failure.toWriteError(index));
      if (ordered) break;
    }
  }
  return writeErrors;
}

/** `ordered` defaults to true, as in MongoDB. */
export function isOrdered(command: Doc): boolean {
  return command['ordered'] !== false;
}

/** The first `$`-prefixed field name inside a (sub)document of `_id`, at any depth. */
function dollarPrefixedField(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = dollarPrefixedField(item);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  for (const [key, item] of Object.entries(value)) {
    if (key.startsWith('$')) return key;
    const found = dollarPrefixedField(item);
    if (found) return found;
  }
  return undefined;
}

/** Rejects `_id` values MongoDB cannot store (`null` is a value like any other). */
export function checkIdValue(id: unknown): void {
  if (Array.isArray(id)) throw new CommandError(ErrorCode.BadValue, "can't use an array for _id");
  if (id instanceof RegExp || id instanceof BSONRegExp) throw new CommandError(ErrorCode.BadValue, "can't use a regex for _id");
  if (id === undefined) throw new CommandError(ErrorCode.BadValue, "can't use undefined for _id");
  const dollar = dollarPrefixedField(id);
  if (dollar) throw new CommandError(ErrorCode.DollarPrefixedFieldName, `_id fields may not contain '$'-prefixed fields: ${dollar} is not valid for storage.`);
}

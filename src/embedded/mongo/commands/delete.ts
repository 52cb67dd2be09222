import { isPlainObject, type Doc } from '../bson-values.js';
import type { CommandContext, CommandHandler } from '../command-context.js';
import type { CollectionStore } from '../collection-store.js';
import { runQuery } from '../document-query.js';
import { errors } from '../errors.js';
import { effectiveCollation, parseCollation, type Collation } from '../collation.js';
import { compileFilter } from '../query-engine.js';
import { docArray, letVariables, requireCollection, withLockRetry } from './command-args.js';
import { isOrdered, runStatements } from './write-statements.js';

/**
 * Deletes the documents matching `filter` (at most one when `justOne`, first in `sort`
 * order); returns the deleted documents.
 */
export async function executeDelete(
  context: CommandContext,
  coll: CollectionStore,
  filter: Doc,
  options: { justOne: boolean; sort?: Doc; collation?: Collation | undefined; hint?: unknown; variables?: Doc | undefined },
): Promise<Doc[]> {
  const test = compileFilter(filter, { collation: effectiveCollation(options.collation, coll.options['collation']), variables: options.variables }).test;
  const found = runQuery(context.view, coll, {
    filter,
    ...(options.sort ? { sort: options.sort } : {}),
    ...(options.justOne ? { limit: 1 } : {}),
    collation: options.collation,
    variables: options.variables,
    ...(options.hint !== undefined ? { hint: options.hint } : {}),
  });
  const deleted: Doc[] = [];
  for (const [id] of found.matches) {
    await withLockRetry(() => {
      const current = context.view.get(coll, id);
      if (!current || !test(current)) return;
      context.view.remove(coll, id);
      deleted.push(current);
    });
  }
  return deleted;
}

/** `delete`: statements `{ q, limit: 0 | 1 }`; result `{ n }`. */
export const deleteCommand: CommandHandler = async (command, context) => {
  const name = requireCollection(command, 'delete');
  const statements = docArray(command, 'deletes');
  const variables = letVariables(command);
  let n = 0;
  const writeErrors = await runStatements(context, statements, isOrdered(command), async (raw) => {
    const filter = raw['q'] ?? {};
    if (!isPlainObject(filter)) throw errors.typeMismatch("BSON field 'delete.deletes.q' is the wrong type, expected type 'object'");
    const limit = raw['limit'];
    if (limit !== 0 && limit !== 1) throw errors.failedToParse('The limit field in delete objects must be 0 or 1. Got ' + String(limit));
    const coll = context.engine.collection(context.db, name);
    if (!coll) return;
    const deleted = await executeDelete(context, coll, filter, {
      justOne: limit === 1,
      collation: parseCollation(raw['collation']),
      variables,
      ...(raw['hint'] !== undefined ? { hint: raw['hint'] } : {}),
    });
    n += deleted.length;
  });
  return { n, ...(writeErrors.length ? { writeErrors } : {}), ok: 1 };
};

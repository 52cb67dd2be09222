import { compareValues, isPlainObject, valueKey } from '../bson-values.js';
import type { CommandHandler } from '../command-context.js';
import { valuesAtPath } from '../document-paths.js';
import { runQuery } from '../document-query.js';
import { errors } from '../errors.js';
import type { Collation } from '../query-engine.js';
import { optionalCount, optionalDoc, optionalNonNegative, requireCollection } from './command-args.js';

/** `count`: `{ n }` of documents matching `query`, after `skip`/`limit`. */
export const countCommand: CommandHandler = (command, context) => {
  const name = requireCollection(command, 'count');
  const query = optionalDoc(command, 'query') ?? {};
  const skip = optionalNonNegative(command, 'skip') ?? 0;
  const limit = Math.abs(optionalCount(command, 'limit') ?? 0);
  const collation = optionalDoc(command, 'collation') as Collation | undefined;
  const coll = context.engine.collection(context.db, name);
  if (coll && Object.keys(query).length === 0 && !context.view.transaction) {
    const total = Math.max(0, coll.count - skip);
    return { n: limit ? Math.min(limit, total) : total, ok: 1 };
  }
  const result = runQuery(context.view, coll, { filter: query, skip, limit, ...(collation ? { collation } : {}), ...(command['hint'] !== undefined ? { hint: command['hint'] } : {}) });
  return { n: result.matches.length, ok: 1 };
};

/** `distinct`: the distinct values of `key` (array elements counted individually), in BSON order. */
export const distinctCommand: CommandHandler = (command, context) => {
  const name = requireCollection(command, 'distinct');
  const key = command['key'];
  if (typeof key !== 'string') throw errors.typeMismatch("BSON field 'distinct.key' is the wrong type, expected type 'string'");
  const query = optionalDoc(command, 'query') ?? {};
  const collation = isPlainObject(command['collation']) ? (command['collation'] as Collation) : undefined;
  const result = runQuery(context.view, context.engine.collection(context.db, name), { filter: query, ...(collation ? { collation } : {}) });
  const seen = new Map<string, unknown>();
  for (const [, doc] of result.matches) {
    for (const value of valuesAtPath(doc, key)) {
      if (value === undefined) continue;
      const k = valueKey(value);
      if (!seen.has(k)) seen.set(k, value);
    }
  }
  return { values: [...seen.values()].sort(compareValues), ok: 1 };
};

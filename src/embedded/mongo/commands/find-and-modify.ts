import { isPlainObject, type Doc } from '../bson-values.js';
import type { CommandHandler } from '../command-context.js';
import { errors } from '../errors.js';
import { parseCollation } from '../collation.js';
import { compileProjection } from '../query-engine.js';
import { checkUpdate } from '../update-engine.js';
import { letVariables, optionalDoc, requireCollection } from './command-args.js';
import { executeDelete } from './delete.js';
import { executeUpdate } from './update.js';

/**
 * `findAndModify`: updates (or removes) the first document in `sort` order and returns
 * it as it was (or, with `new`, as it became); `lastErrorObject` reports the outcome.
 */
export const findAndModifyCommand: CommandHandler = async (command, context) => {
  const name = requireCollection(command, Object.keys(command)[0]!);
  const filter = optionalDoc(command, 'query') ?? {};
  const sort = optionalDoc(command, 'sort');
  const fields = optionalDoc(command, 'fields');
  const collation = parseCollation(command['collation']);
  const variables = letVariables(command);
  const remove = command['remove'] === true;
  const update = command['update'];
  const returnNew = command['new'] === true;
  const upsert = command['upsert'] === true;
  if (remove && update !== undefined) throw errors.failedToParse('Cannot specify both an update and remove=true');
  if (!remove && update === undefined) throw errors.failedToParse('Either an update or remove=true must be specified');
  if (remove && (upsert || returnNew)) throw errors.failedToParse('Cannot specify both new=true and remove=true; \'remove\' always returns the deleted document');
  const project = compileProjection(fields, filter);
  const shape = (doc: Doc | undefined) => (doc ? (project ? project(doc) : doc) : null);
  if (remove) {
    const coll = context.engine.collection(context.db, name);
    const deleted = coll
      ? await executeDelete(context, coll, filter, { justOne: true, ...(sort ? { sort } : {}), collation, variables, ...(command['hint'] !== undefined ? { hint: command['hint'] } : {}) })
      : [];
    return { lastErrorObject: { n: deleted.length }, value: shape(deleted[0]), ok: 1 };
  }
  checkUpdate(update);
  const coll = upsert ? context.engine.ensureCollection(context.db, name) : context.engine.collection(context.db, name);
  if (!coll) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  const outcome = await executeUpdate(context, coll, {
    filter,
    update,
    upsert,
    multi: false,
    ...(Array.isArray(command['arrayFilters']) ? { arrayFilters: command['arrayFilters'] as Doc[] } : {}),
    collation,
    variables,
    ...(command['hint'] !== undefined ? { hint: command['hint'] } : {}),
    ...(sort ? { sort } : {}),
    bypassValidation: command['bypassDocumentValidation'] === true,
  });
  if (outcome.upsertedId !== undefined) {
    return {
      lastErrorObject: { n: 1, updatedExisting: false, upserted: outcome.upsertedId },
      value: returnNew ? shape(outcome.after) : null,
      ok: 1,
    };
  }
  const matched = outcome.matched > 0;
  return {
    lastErrorObject: { n: matched ? 1 : 0, updatedExisting: matched },
    value: matched ? shape(returnNew ? outcome.after : outcome.before) : null,
    ok: 1,
  };
};


import { isPlainObject, valueKey, type Doc } from '../bson-values.js';
import type { CommandContext, CommandHandler } from '../command-context.js';
import type { CollectionStore } from '../collection-store.js';
import { validateDocument } from '../document-validation.js';
import { runQuery } from '../document-query.js';
import { CommandError, ErrorCode, errors } from '../errors.js';
import { effectiveCollation, parseCollation, type Collation } from '../collation.js';
import { compileFilter } from '../query-engine.js';
import { applyUpdate, buildUpsertDocument, checkUpdate, isReplacement, type UpdateSpec } from '../update-engine.js';
import { docArray, letVariables, requireCollection, withLockRetry } from './command-args.js';
import { checkIdValue, isOrdered, runStatements } from './write-statements.js';

/** One update statement, as `update` and `findAndModify` share it. */
export interface UpdateStatement {
  readonly filter: Doc;
  readonly update: UpdateSpec;
  readonly upsert: boolean;
  readonly multi: boolean;
  readonly arrayFilters?: Doc[];
  readonly collation?: Collation | undefined;
  readonly variables?: Doc | undefined;
  readonly hint?: unknown;
  readonly sort?: Doc;
  readonly bypassValidation: boolean;
}

/** Parses a statement of the `updates` array. */
export function parseUpdateStatement(raw: Doc, bypassValidation: boolean, variables?: Doc): UpdateStatement {
  const filter = raw['q'] ?? {};
  if (!isPlainObject(filter)) throw errors.typeMismatch("BSON field 'update.updates.q' is the wrong type, expected type 'object'");
  const update = raw['u'];
  checkUpdate(update);
  const multi = raw['multi'] === true;
  if (multi && isReplacement(update)) throw errors.failedToParse('multi update is not supported for replacement-style update');
  if (multi && raw['sort'] !== undefined) throw new CommandError(ErrorCode.InvalidOptions, 'Cannot specify sort with multi=true');
  return {
    filter,
    update,
    upsert: raw['upsert'] === true,
    multi,
    ...(Array.isArray(raw['arrayFilters']) ? { arrayFilters: raw['arrayFilters'] as Doc[] } : {}),
    collation: parseCollation(raw['collation']),
    variables,
    ...(raw['hint'] !== undefined ? { hint: raw['hint'] } : {}),
    ...(isPlainObject(raw['sort']) ? { sort: raw['sort'] } : {}),
    bypassValidation,
  };
}

/** The outcome of one update statement. */
export interface UpdateOutcome {
  matched: number;
  modified: number;
  upsertedId?: unknown;
  /** The first matched document before and after the update (for findAndModify). */
  before?: Doc;
  after?: Doc;
}

/**
 * Executes one update statement: every matching document (or the first, in sort order)
 * is re-read, re-checked against the filter and rewritten as its own atomic write; with
 * `upsert` and no match, the upsert document is inserted.
 */
export async function executeUpdate(context: CommandContext, coll: CollectionStore, statement: UpdateStatement): Promise<UpdateOutcome> {
  const { view } = context;
  const test = compileFilter(statement.filter, { collation: effectiveCollation(statement.collation, coll.options['collation']), variables: statement.variables }).test;
  const outcome: UpdateOutcome = { matched: 0, modified: 0 };
  const found = runQuery(view, coll, {
    filter: statement.filter,
    ...(statement.sort ? { sort: statement.sort } : {}),
    ...(statement.multi ? {} : { limit: 1 }),
    collation: statement.collation,
    variables: statement.variables,
    ...(statement.hint !== undefined ? { hint: statement.hint } : {}),
  });
  for (const [id] of found.matches) {
    await withLockRetry(() => {
      const current = view.get(coll, id);
      if (!current || !test(current)) return;
      const options = { filter: statement.filter, variables: statement.variables, ...(statement.arrayFilters ? { arrayFilters: statement.arrayFilters } : {}) };
      const { doc, changed } = applyUpdate(current, statement.update, options);
      outcome.matched += 1;
      outcome.before ??= current;
      if (changed) {
        validateDocument(coll, doc, current, statement.bypassValidation);
        view.replace(coll, id, doc);
        outcome.modified += 1;
      }
      outcome.after ??= changed ? doc : current;
    });
  }
  if (outcome.matched === 0 && statement.upsert) {
    const doc = buildUpsertDocument(statement.filter, statement.update, statement.arrayFilters, statement.variables);
    checkIdValue(doc['_id']);
    validateDocument(coll, doc, undefined, statement.bypassValidation);
    await withLockRetry(() => view.insert(coll, valueKey(doc['_id']), doc));
    outcome.upsertedId = doc['_id'];
    outcome.after = doc;
  }
  return outcome;
}

/** `update`: result `{ n, nModified, upserted: [{ index, _id }], writeErrors }`. */
export const updateCommand: CommandHandler = async (command, context) => {
  const name = requireCollection(command, 'update');
  const statements = docArray(command, 'updates');
  const bypass = command['bypassDocumentValidation'] === true;
  const variables = letVariables(command);
  let n = 0;
  let nModified = 0;
  const upserted: Doc[] = [];
  const writeErrors = await runStatements(context, statements, isOrdered(command), async (raw, index) => {
    const statement = parseUpdateStatement(raw, bypass, variables);
    const coll = statement.upsert ? context.engine.ensureCollection(context.db, name) : context.engine.collection(context.db, name);
    if (!coll) return;
    const outcome = await executeUpdate(context, coll, statement);
    n += outcome.matched;
    nModified += outcome.modified;
    if (outcome.upsertedId !== undefined) {
      n += 1;
      upserted.push({ index, _id: outcome.upsertedId });
    }
  });
  return { n, nModified, ...(upserted.length ? { upserted } : {}), ...(writeErrors.length ? { writeErrors } : {}), ok: 1 };
};

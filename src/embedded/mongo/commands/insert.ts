import { ObjectId } from 'mongodb';
import { valueKey, type Doc } from '../bson-values.js';
import type { CommandHandler } from '../command-context.js';
import { validateDocument } from '../document-validation.js';
import { withIdFirst } from '../update-engine.js';
import { docArray, requireCollection, withLockRetry } from './command-args.js';
import { checkIdValue, isOrdered, runStatements } from './write-statements.js';

/** `insert`: adds documents, generating `_id` first when absent; creates the collection implicitly. */
export const insertCommand: CommandHandler = async (command, context) => {
  const name = requireCollection(command, 'insert');
  const documents = docArray(command, 'documents');
  const coll = context.engine.ensureCollection(context.db, name);
  let n = 0;
  const writeErrors = await runStatements(context, documents, isOrdered(command), async (raw) => {
    const doc: Doc = '_id' in raw ? withIdFirst(raw['_id'], raw) : withIdFirst(new ObjectId(), raw);
    checkIdValue(doc['_id']);
    validateDocument(coll, doc, undefined, command['bypassDocumentValidation'] === true);
    await withLockRetry(() => context.view.insert(coll, valueKey(doc['_id']), doc));
    n += 1;
  });
  return { n, ...(writeErrors.length ? { writeErrors } : {}), ok: 1 };
};

import { Query } from 'mingo';
import { isPlainObject, type Doc } from '../bson-values.js';
import type { CommandHandler } from '../command-context.js';
import { CommandError, ErrorCode, errors } from '../errors.js';
import { checkValidator } from '../document-validation.js';
import { CollectionIndex } from '../index-manager.js';
import { checkNamespace } from '../storage-engine.js';
import { mingoOptions } from '../query-engine.js';
import { cursorBatchSize, cursorReply } from './cursor-commands.js';
import { requireCollection } from './command-args.js';

const VALIDATION_LEVELS = new Set(['off', 'strict', 'moderate']);
const VALIDATION_ACTIONS = new Set(['error', 'warn']);

function checkValidationOptions(command: Doc): void {
  if (command['validator'] !== undefined) checkValidator(command['validator']);
  const level = command['validationLevel'];
  if (level !== undefined && !VALIDATION_LEVELS.has(String(level))) throw errors.badValue(`Enumeration value '${String(level)}' for field 'validationLevel' is not a valid value.`);
  const action = command['validationAction'];
  if (action !== undefined && !VALIDATION_ACTIONS.has(String(action))) throw errors.badValue(`Enumeration value '${String(action)}' for field 'validationAction' is not a valid value.`);
}

const CREATE_OPTIONS = ['capped', 'size', 'max', 'validator', 'validationLevel', 'validationAction', 'collation', 'timeseries', 'expireAfterSeconds', 'clusteredIndex', 'changeStreamPreAndPostImages', 'storageEngine', 'indexOptionDefaults', 'viewOn', 'pipeline', 'comment'];

/** `create`: explicit creation with validator options; 48 NamespaceExists when present. */
export const createCommand: CommandHandler = (command, context) => {
  const name = requireCollection(command, 'create');
  checkNamespace(context.db, name);
  if (command['viewOn'] !== undefined) throw new CommandError(ErrorCode.NotImplemented, 'views are not supported by the embedded server');
  if (command['timeseries'] !== undefined) throw new CommandError(ErrorCode.NotImplemented, 'time-series collections are not supported by the embedded server');
  checkValidationOptions(command);
  const options: Doc = {};
  for (const field of CREATE_OPTIONS) if (command[field] !== undefined && field !== 'comment') options[field] = command[field];
  const existing = context.engine.collection(context.db, name);
  if (existing) {
    // MongoDB accepts a repeated create with identical options.
    if (JSON.stringify(existing.options) === JSON.stringify(options)) return { ok: 1 };
    throw new CommandError(ErrorCode.NamespaceExists, `Collection ${context.db}.${name} already exists.`);
  }
  context.engine.createCollection(context.db, name, options);
  return { ok: 1 };
};

/** `collMod`: validator options and an index's `expireAfterSeconds` / `hidden`. */
export const collModCommand: CommandHandler = (command, context) => {
  const name = requireCollection(command, 'collMod');
  const coll = context.engine.collection(context.db, name);
  if (!coll) throw errors.namespaceNotFound(`ns does not exist: ${context.db}.${name}`);
  checkValidationOptions(command);
  const reply: Doc = {};
  const options = { ...coll.options };
  for (const field of ['validator', 'validationLevel', 'validationAction'] as const) {
    if (command[field] !== undefined) options[field] = command[field];
  }
  const indexChange = command['index'];
  if (indexChange !== undefined) {
    if (!isPlainObject(indexChange)) throw errors.typeMismatch("BSON field 'collMod.index' is the wrong type");
    const index = [...coll.indexes.values()].find((i) =>
      typeof indexChange['name'] === 'string' ? i.spec.name === indexChange['name'] : JSON.stringify(i.spec.key) === JSON.stringify(indexChange['keyPattern']),
    );
    if (!index) throw new CommandError(ErrorCode.IndexNotFound, `cannot find index ${JSON.stringify(indexChange['name'] ?? indexChange['keyPattern'])} for ns ${coll.ns}`);
    const document: Doc = { ...index.spec.document };
    let spec = { ...index.spec };
    if (typeof indexChange['expireAfterSeconds'] === 'number') {
      if (index.spec.expireAfterSeconds === undefined && index.fields.length > 1) throw errors.badValue('TTL indexes are single-field indexes');
      reply['expireAfterSeconds_old'] = index.spec.expireAfterSeconds;
      reply['expireAfterSeconds_new'] = indexChange['expireAfterSeconds'];
      document['expireAfterSeconds'] = indexChange['expireAfterSeconds'];
      spec = { ...spec, expireAfterSeconds: indexChange['expireAfterSeconds'] };
    }
    if (typeof indexChange['hidden'] === 'boolean') {
      reply['hidden_old'] = index.spec.document['hidden'] === true;
      reply['hidden_new'] = indexChange['hidden'];
      if (indexChange['hidden']) document['hidden'] = true;
      else delete document['hidden'];
    }
    const rebuilt = new CollectionIndex({ ...spec, document });
    for (const [id, doc] of coll.liveDocs()) rebuilt.add(doc, id);
    coll.indexes.set(index.spec.name, rebuilt);
  }
  coll.options = options;
  return { ...reply, ok: 1 };
};

/** `listCollections`: name filter, `nameOnly`, options incl. validator. */
export const listCollectionsCommand: CommandHandler = (command, context) => {
  const filter = isPlainObject(command['filter']) ? command['filter'] : {};
  const nameOnly = command['nameOnly'] === true;
  const docs = context.engine.collections(context.db).map((coll) =>
    nameOnly
      ? { name: coll.name, type: 'collection' }
      : { name: coll.name, type: 'collection', options: coll.options, info: { readOnly: false, uuid: coll.uuid }, idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } },
  );
  const query = new Query(filter, mingoOptions());
  return cursorReply(context, `${context.db}.$cmd.listCollections`, docs.filter((d) => query.test(d)), cursorBatchSize(command), false);
};

/** `drop`: `{ ns, nIndexesWas }`; dropping a missing collection succeeds (MongoDB 7+). */
export const dropCommand: CommandHandler = (command, context) => {
  const name = requireCollection(command, 'drop');
  const coll = context.engine.collection(context.db, name);
  if (!coll) return { ok: 1 };
  context.engine.dropCollection(context.db, name);
  return { ns: coll.ns, nIndexesWas: coll.indexes.size, ok: 1 };
};

/** `renameCollection` (admin command, full namespaces), within or across databases. */
export const renameCollectionCommand: CommandHandler = (command, context) => {
  const from = command['renameCollection'];
  const to = command['to'];
  if (typeof from !== 'string' || typeof to !== 'string') throw errors.typeMismatch('renameCollection requires namespaces');
  const split = (ns: string) => [ns.slice(0, ns.indexOf('.')), ns.slice(ns.indexOf('.') + 1)] as const;
  const [fromDb, fromName] = split(from);
  const [toDb, toName] = split(to);
  const source = context.engine.collection(fromDb, fromName);
  if (!source) throw errors.namespaceNotFound('Source collection ' + from + ' does not exist');
  if (context.engine.collection(toDb, toName)) {
    if (command['dropTarget'] !== true) throw new CommandError(ErrorCode.NamespaceExists, 'target namespace exists');
    context.engine.dropCollection(toDb, toName);
  }
  const target = context.engine.createCollection(toDb, toName, source.options);
  for (const index of source.indexes.values()) if (index.spec.name !== '_id_') target.addIndex(index.spec);
  const ts = context.engine.tick();
  for (const [id, doc] of source.liveDocs()) target.commit(id, doc, ts, false);
  context.engine.dropCollection(fromDb, fromName);
  return { ok: 1 };
};

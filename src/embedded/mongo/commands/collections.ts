import { Query } from 'mingo';
import { isPlainObject, type Doc } from '../bson-values.js';
import type { CommandContext, CommandHandler } from '../command-context.js';
import { describeCollation, isCollated, parseCollation, type Collation } from '../collation.js';
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
  const collation = parseCollation(command['collation']);
  if (command['viewOn'] !== undefined || command['pipeline'] !== undefined) return createView(command, context, name, collation);
  if (command['timeseries'] !== undefined) throw new CommandError(ErrorCode.NotImplemented, 'time-series collections are not supported by the embedded server');
  checkValidationOptions(command);
  const options: Doc = {};
  for (const field of CREATE_OPTIONS) if (command[field] !== undefined && field !== 'comment') options[field] = command[field];
  if (isCollated(collation)) options['collation'] = describeCollation(collation);
  else delete options['collation'];
  const existing = context.engine.collection(context.db, name);
  if (existing) {
    // MongoDB accepts a repeated create with identical options.
    if (JSON.stringify(existing.options) === JSON.stringify(options)) return { ok: 1 };
    throw new CommandError(ErrorCode.NamespaceExists, `Collection ${context.db}.${name} already exists.`);
  }
  context.engine.createCollection(context.db, name, options);
  return { ok: 1 };
};

/** A view: `viewOn` (a collection or view of the same database) and `pipeline`. */
function createView(command: Doc, context: CommandContext, name: string, collation: Collation | undefined): Doc {
  const viewOn = command['viewOn'];
  if (typeof viewOn !== 'string' || viewOn.length === 0) throw errors.typeMismatch("'viewOn' must be a non-empty string");
  const pipeline = command['pipeline'] ?? [];
  if (!Array.isArray(pipeline) || !pipeline.every(isPlainObject)) throw errors.typeMismatch("'pipeline' must be an array of stage documents");
  for (const stage of pipeline) {
    const op = Object.keys(stage)[0];
    if (op === '$out' || op === '$merge') throw new CommandError(ErrorCode.OptionNotSupportedOnView, `${op} cannot be used in a view definition`);
  }
  for (const field of ['validator', 'validationLevel', 'validationAction', 'capped', 'size', 'max', 'indexOptionDefaults', 'clusteredIndex', 'expireAfterSeconds']) {
    if (command[field] !== undefined) throw new CommandError(ErrorCode.InvalidOptions, `Cannot specify '${field}' when creating a view`);
  }
  const existing = context.engine.view(context.db, name);
  const definition = { viewOn, pipeline: pipeline as Doc[], ...(isCollated(collation) ? { collation: describeCollation(collation) } : {}) };
  // MongoDB accepts a repeated create with the identical definition.
  if (existing && JSON.stringify(existing) === JSON.stringify(definition)) return { ok: 1 };
  context.engine.createView(context.db, name, definition);
  return { ok: 1 };
}

/** `collMod`: validator options and an index's `expireAfterSeconds` / `hidden`; a view's `viewOn`/`pipeline`. */
export const collModCommand: CommandHandler = (command, context) => {
  const name = requireCollection(command, 'collMod');
  const view = context.engine.view(context.db, name);
  if (view) {
    for (const field of Object.keys(command)) {
      if (!['collMod', 'viewOn', 'pipeline'].includes(field)) throw new CommandError(ErrorCode.InvalidOptions, `option not supported on a view: ${field}`);
    }
    const pipeline = command['pipeline'] ?? view.pipeline;
    if (!Array.isArray(pipeline) || !pipeline.every(isPlainObject)) throw errors.typeMismatch("'pipeline' must be an array of stage documents");
    const viewOn = typeof command['viewOn'] === 'string' ? command['viewOn'] : view.viewOn;
    context.engine.dropView(context.db, name);
    try {
      context.engine.createView(context.db, name, { ...view, viewOn, pipeline: pipeline as Doc[] });
    } catch (error) {
      context.engine.createView(context.db, name, view);
      throw error;
    }
    return { ok: 1 };
  }
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
  coll.listener?.collectionChanged(coll);
  return { ...reply, ok: 1 };
};

/** `listCollections`: name filter, `nameOnly`, options incl. validator. */
export const listCollectionsCommand: CommandHandler = (command, context) => {
  const filter = isPlainObject(command['filter']) ? command['filter'] : {};
  const nameOnly = command['nameOnly'] === true;
  const docs: Doc[] = context.engine.collections(context.db).map((coll) =>
    nameOnly
      ? { name: coll.name, type: 'collection' }
      : { name: coll.name, type: 'collection', options: coll.options, info: { readOnly: false, uuid: coll.uuid }, idIndex: { v: 2, key: { _id: 1 }, name: '_id_' } },
  );
  for (const [name, view] of context.engine.views(context.db)) {
    docs.push(nameOnly ? { name, type: 'view' } : { name, type: 'view', options: { ...view }, info: { readOnly: true } });
  }
  const query = new Query(filter, mingoOptions());
  return cursorReply(context, `${context.db}.$cmd.listCollections`, docs.filter((d) => query.test(d)), cursorBatchSize(command), false);
};

/** `drop`: `{ ns, nIndexesWas }`; dropping a missing collection succeeds (MongoDB 7+). */
export const dropCommand: CommandHandler = (command, context) => {
  const name = requireCollection(command, 'drop');
  if (context.engine.dropView(context.db, name)) return { ns: `${context.db}.${name}`, ok: 1 };
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

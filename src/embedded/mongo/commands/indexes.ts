import { isPlainObject, type Doc } from '../bson-values.js';
import type { CommandHandler } from '../command-context.js';
import { isCollated, parseCollation } from '../collation.js';
import type { CollectionStore } from '../collection-store.js';
import { CommandError, ErrorCode, errors } from '../errors.js';
import type { IndexSpec } from '../index-manager.js';
import { checkValidator } from '../document-validation.js';
import { cursorBatchSize, cursorReply } from './cursor-commands.js';
import { requireCollection } from './command-args.js';

const KEY_TYPES = new Set([1, -1, '2dsphere', 'text', '2d', 'hashed']);
const OPTION_FIELDS = ['unique', 'sparse', 'partialFilterExpression', 'expireAfterSeconds', 'collation', 'hidden', 'weights', 'default_language', 'language_override', 'textIndexVersion', '2dsphereIndexVersion', 'bits', 'min', 'max', 'wildcardProjection'] as const;

function cannotCreate(message: string): CommandError {
  return new CommandError(ErrorCode.CannotCreateIndex, message);
}

/** Validates one `createIndexes` entry and turns it into an IndexSpec. */
export function parseIndexSpec(raw: Doc): IndexSpec {
  const key = raw['key'];
  if (!isPlainObject(key) || Object.keys(key).length === 0) throw cannotCreate('Index keys cannot be empty.');
  for (const [field, type] of Object.entries(key)) {
    if (!KEY_TYPES.has(type as never)) {
      throw cannotCreate(typeof type === 'string' ? `Unknown index plugin '${type}'` : `Values in v:2 index key pattern cannot be of type ${typeof type}. Only numbers > 0, numbers < 0, and strings are allowed.`);
    }
    if (type === 'hashed' || type === '2d') throw cannotCreate(`index type '${String(type)}' is not supported by the embedded server`);
    if (!field) throw cannotCreate('Index key field names cannot be empty');
  }
  const name = raw['name'];
  if (typeof name !== 'string' || !name) throw errors.failedToParse("The 'name' field is a required property of an index specification");
  const ttl = raw['expireAfterSeconds'];
  if (ttl !== undefined) {
    if (typeof ttl !== 'number' || ttl < 0 || !Number.isFinite(ttl)) throw cannotCreate('TTL index \'expireAfterSeconds\' option must be numeric and non-negative');
    if (Object.keys(key).length > 1) throw cannotCreate('TTL indexes are single-field indexes, compound indexes do not support TTL');
  }
  if (raw['partialFilterExpression'] !== undefined && !isPlainObject(raw['partialFilterExpression'])) {
    throw cannotCreate("'partialFilterExpression' for an index must be a document");
  }
  if (raw['partialFilterExpression'] !== undefined && raw['sparse'] === true) {
    throw cannotCreate('cannot mix "partialFilterExpression" and "sparse" options');
  }
  if (name === '_id_' && JSON.stringify(key) !== JSON.stringify({ _id: 1 })) throw cannotCreate('The index name \'_id_\' is reserved for the _id index');
  const document: Doc = { v: 2, key, name };
  for (const field of OPTION_FIELDS) if (raw[field] !== undefined) document[field] = raw[field];
  if (Object.values(key).includes('2dsphere')) document['2dsphereIndexVersion'] ??= 3;
  if (Object.values(key).includes('text')) {
    const textFields = Object.entries(key).filter(([, t]) => t === 'text').map(([f]) => f);
    document['weights'] ??= Object.fromEntries(textFields.map((f) => [f, 1]));
    document['default_language'] ??= 'english';
    document['language_override'] ??= 'language';
    document['textIndexVersion'] ??= 3;
  }
  return {
    name,
    key,
    document,
    ...(raw['unique'] === true ? { unique: true } : {}),
    ...(raw['sparse'] === true ? { sparse: true } : {}),
    ...(isPlainObject(raw['partialFilterExpression']) ? { partialFilterExpression: raw['partialFilterExpression'] } : {}),
    ...(typeof ttl === 'number' ? { expireAfterSeconds: ttl } : {}),
  };
}

function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  const options = (s: IndexSpec) => JSON.stringify(OPTION_FIELDS.filter((f) => f !== '2dsphereIndexVersion' && f !== 'textIndexVersion' && s.document[f] !== undefined && s.document[f] !== false).map((f) => [f, s.document[f]]));
  return options(a) === options(b);
}

/** Whether an index identical to `spec` exists; throws when a conflicting one does. */
function existingIndex(coll: CollectionStore, spec: IndexSpec): boolean {
  const sameKey = (s: IndexSpec) => JSON.stringify(s.key) === JSON.stringify(spec.key);
  const byName = coll.indexes.get(spec.name);
  if (byName) {
    if (!sameKey(byName.spec)) {
      throw new CommandError(ErrorCode.IndexKeySpecsConflict, `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec.document)}, existing index: ${JSON.stringify(byName.spec.document)}`);
    }
    if (!sameOptions(byName.spec, spec)) {
      throw new CommandError(ErrorCode.IndexOptionsConflict, `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Please refer to our documentation. Requested index: ${JSON.stringify(spec.document)}, existing index: ${JSON.stringify(byName.spec.document)}`);
    }
    return true;
  }
  for (const index of coll.indexes.values()) {
    if (sameKey(index.spec) && JSON.stringify(index.spec.partialFilterExpression ?? null) === JSON.stringify(spec.partialFilterExpression ?? null)) {
      if (sameOptions(index.spec, spec)) throw new CommandError(ErrorCode.IndexOptionsConflict, `Index already exists with a different name: ${index.spec.name}`);
      throw new CommandError(ErrorCode.IndexOptionsConflict, `An equivalent index already exists with a different name and options. Requested index: ${JSON.stringify(spec.document)}, existing index: ${JSON.stringify(index.spec.document)}`);
    }
  }
  return false;
}

/** `createIndexes`: builds indexes (failing with E11000 on existing duplicates). */
export const createIndexesCommand: CommandHandler = (command, context) => {
  const name = requireCollection(command, 'createIndexes');
  const raw = command['indexes'];
  if (!Array.isArray(raw) || raw.length === 0) throw errors.badValue('Must specify at least one index to create');
  const specs = raw.map((entry) => {
    if (!isPlainObject(entry)) throw errors.typeMismatch('index specification must be an object');
    return parseIndexSpec(entry);
  });
  const existed = context.engine.collection(context.db, name);
  const coll = existed ?? context.engine.ensureCollection(context.db, name);
  const numIndexesBefore = coll.indexes.size;
  const fresh = specs.filter((spec) => !existingIndex(coll, spec));
  for (const spec of fresh) {
    if (spec.partialFilterExpression) checkValidator(spec.partialFilterExpression);
    // Keys are kept in binary order: a unique index cannot enforce uniqueness under a collation.
    if (spec.unique && isCollated(parseCollation(spec.document['collation']))) {
      throw new CommandError(ErrorCode.NotImplemented, 'unique indexes with a non-simple collation are not supported by the embedded server');
    }
    coll.addIndex(spec);
  }
  return {
    numIndexesBefore,
    numIndexesAfter: coll.indexes.size,
    ...(fresh.length === 0 ? { note: 'all indexes already exist' } : {}),
    createdCollectionAutomatically: !existed,
    ok: 1,
  };
};

function requireExisting(context: Parameters<CommandHandler>[1], name: string): CollectionStore {
  const coll = context.engine.collection(context.db, name);
  if (!coll) throw errors.namespaceNotFound(`ns does not exist: ${context.db}.${name}`);
  return coll;
}

/** `listIndexes`: the index documents through a cursor. */
export const listIndexesCommand: CommandHandler = (command, context) => {
  const name = requireCollection(command, 'listIndexes');
  const coll = requireExisting(context, name);
  const docs = [...coll.indexes.values()].map((index) => index.spec.document);
  return cursorReply(context, `${context.db}.$cmd.listIndexes.${name}`, docs, cursorBatchSize(command), false);
};

/** `dropIndexes`: by name, key pattern, list of names, or `'*'` (all but `_id_`). */
export const dropIndexesCommand: CommandHandler = (command, context) => {
  const name = requireCollection(command, 'dropIndexes');
  const coll = requireExisting(context, name);
  const nIndexesWas = coll.indexes.size;
  const target = command['index'];
  let names: string[];
  if (target === '*') names = [...coll.indexes.keys()].filter((n) => n !== '_id_');
  else if (typeof target === 'string') names = [target];
  else if (Array.isArray(target)) names = target.map(String);
  else if (isPlainObject(target)) {
    const found = [...coll.indexes.values()].find((index) => JSON.stringify(index.spec.key) === JSON.stringify(target));
    if (!found) throw new CommandError(ErrorCode.IndexNotFound, `can't find index with key: ${JSON.stringify(target)}`);
    names = [found.spec.name];
  } else throw errors.typeMismatch("BSON field 'dropIndexes.index' is the wrong type");
  for (const indexName of names) {
    if (indexName === '_id_') throw new CommandError(ErrorCode.InvalidOptions, 'cannot drop _id index');
    if (!coll.indexes.has(indexName)) throw new CommandError(ErrorCode.IndexNotFound, `index not found with name [${indexName}]`);
  }
  for (const indexName of names) coll.indexes.delete(indexName);
  coll.listener?.collectionChanged(coll);
  return { nIndexesWas, ok: 1 };
};

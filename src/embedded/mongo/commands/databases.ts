import { Query } from 'mingo';
import { BSON } from 'mongodb';
import { demote, isPlainObject, type Doc } from '../bson-values.js';
import type { CommandHandler } from '../command-context.js';
import type { CollectionStore } from '../collection-store.js';
import { errors } from '../errors.js';
import { mingoOptions } from '../query-engine.js';
import { requireCollection } from './command-args.js';

function dataSize(coll: CollectionStore): number {
  let size = 0;
  for (const [, doc] of coll.liveDocs()) size += BSON.calculateObjectSize(demote(doc) as Doc);
  return size;
}

/** `listDatabases`: names with sizes; `nameOnly` and `filter` honoured. */
export const listDatabasesCommand: CommandHandler = (command, context) => {
  const nameOnly = command['nameOnly'] === true;
  let databases: Doc[] = context.engine.databaseNames().map((name) => {
    if (nameOnly) return { name };
    const sizeOnDisk = context.engine.collections(name).reduce((sum, coll) => sum + dataSize(coll), 0);
    return { name, sizeOnDisk, empty: sizeOnDisk === 0 };
  });
  if (isPlainObject(command['filter'])) {
    const query = new Query(command['filter'], mingoOptions());
    databases = databases.filter((d) => query.test(d));
  }
  if (nameOnly) return { databases, ok: 1 };
  const totalSize = databases.reduce((sum, d) => sum + (d['sizeOnDisk'] as number), 0);
  return { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1024 / 1024), ok: 1 };
};

/** `dropDatabase`: removes every collection of the database. */
export const dropDatabaseCommand: CommandHandler = (_command, context) => {
  context.engine.dropDatabase(context.db);
  return { ok: 1 };
};

/** `dbStats`: counts and sizes computed from the stored documents. */
export const dbStatsCommand: CommandHandler = (_command, context) => {
  const collections = context.engine.collections(context.db);
  const objects = collections.reduce((sum, coll) => sum + coll.count, 0);
  const size = collections.reduce((sum, coll) => sum + dataSize(coll), 0);
  const indexes = collections.reduce((sum, coll) => sum + coll.indexes.size, 0);
  return {
    db: context.db,
    collections: collections.length,
    views: 0,
    objects,
    avgObjSize: objects ? size / objects : 0,
    dataSize: size,
    storageSize: size,
    indexes,
    indexSize: 0,
    totalSize: size,
    scaleFactor: 1,
    ok: 1,
  };
};

/** `collStats` (deprecated in MongoDB, still answered): count and sizes. */
export const collStatsCommand: CommandHandler = (command, context) => {
  const name = requireCollection(command, 'collStats');
  const coll = context.engine.collection(context.db, name);
  if (!coll) throw errors.namespaceNotFound(`Collection [${context.db}.${name}] not found.`);
  const size = dataSize(coll);
  return {
    ns: coll.ns,
    count: coll.count,
    size,
    avgObjSize: coll.count ? Math.round(size / coll.count) : 0,
    storageSize: size,
    nindexes: coll.indexes.size,
    totalIndexSize: 0,
    indexSizes: Object.fromEntries([...coll.indexes.keys()].map((n) => [n, 0])),
    ok: 1,
  };
};

import { BSON, type Db, type Document } from 'mongodb';
import { ConfigurationError } from '../../core/errors.js';
import { MONGO_SCHEMA_VERSION, SDK_MONGO_COLLECTIONS, type MongoCollectionDefinition } from './collections.js';
import { toNexfitError } from './error-mapping.js';

/** The `nexfit_meta` document that records the applied MongoDB layout. */
export const MONGO_LAYOUT_ID = 'mongo-schema';

/** `nexfit_meta`'s layout record: the version applied and, to go back one step, the layout before it. */
export interface MongoLayoutRecord {
  readonly _id: typeof MONGO_LAYOUT_ID;
  readonly version: number;
  readonly appliedAt: Date;
  /** The validators and indexes before `version` was applied, as Extended JSON ({@link MongoLayoutSnapshot}). */
  readonly previous?: string;
}

/** The validators and indexes of the SDK's collections at one layout version. */
export interface MongoLayoutSnapshot {
  /** The version they belonged to; 0 for a database the SDK had not set up. */
  readonly version: number;
  readonly collections: Readonly<Record<string, { readonly validator: Document | null; readonly indexes: readonly Document[] }>>;
}

/** The layout version recorded in `db`, or `null` when the SDK never set it up. */
export async function storedMongoLayoutVersion(db: Db): Promise<number | null> {
  try {
    const record = await db.collection<MongoLayoutRecord>(SDK_MONGO_COLLECTIONS.nexfit_meta.name).findOne({ _id: MONGO_LAYOUT_ID });
    return typeof record?.version === 'number' ? record.version : null;
  } catch (error) {
    throw toNexfitError(error);
  }
}

/** Refuses a layout newer than this SDK's: its validators and indexes are for code this SDK does not have. */
export function assertUsableMongoLayout(stored: number | null): void {
  if (stored !== null && stored > MONGO_SCHEMA_VERSION) {
    throw new ConfigurationError(
      `The MongoDB layout is version ${stored}, newer than this SDK's version ${MONGO_SCHEMA_VERSION}: upgrade @nexfit/sdk (this version would replace the newer validators)`,
    );
  }
}

/** The validators and indexes of `definitions` as they are now in `db`. */
export async function snapshotMongoLayout(db: Db, version: number, definitions: readonly MongoCollectionDefinition[]): Promise<MongoLayoutSnapshot> {
  const infos = await db.listCollections({}, { nameOnly: false }).toArray();
  const collections: Record<string, { validator: Document | null; indexes: Document[] }> = {};
  for (const definition of definitions) {
    const info = infos.find((c) => c.name === definition.name) as { options?: { validator?: Document } } | undefined;
    if (!info) continue;
    const validator = info.options?.validator;
    const indexes = await db.collection(definition.name).listIndexes().toArray();
    collections[definition.name] = { validator: validator && Object.keys(validator).length > 0 ? validator : null, indexes };
  }
  return { version, collections };
}

/** What {@link revertMongoLayout} did. */
export interface MongoLayoutRevert {
  readonly from: number;
  readonly to: number;
  /** Collections whose validator was put back (or removed, when they had none). */
  readonly validators: readonly string[];
  /** `collection.index` names dropped because the reverted version had added them. */
  readonly droppedIndexes: readonly string[];
  /** `collection.index` names recreated because the reverted version had lost them. */
  readonly recreatedIndexes: readonly string[];
}

/**
 * `migrate down` for MongoDB: puts back, on the collections of `layout`, the validators and
 * indexes recorded before the current layout version was applied, and records that version
 * again. One step: the record
 * keeps one previous layout. Collections and documents are never dropped (a collection the
 * reverted version created stays, without its validator and indexes).
 *
 * @example
 * ```ts
 * const { from, to } = await revertMongoLayout(nexfit.mongo.db, MONGO_LAYOUT);
 * ```
 * @throws ConfigurationError when there is no previous layout to go back to.
 */
export async function revertMongoLayout(db: Db, layout: readonly MongoCollectionDefinition[]): Promise<MongoLayoutRevert> {
  const meta = db.collection<MongoLayoutRecord>(SDK_MONGO_COLLECTIONS.nexfit_meta.name);
  const record = await meta.findOne({ _id: MONGO_LAYOUT_ID });
  if (!record?.previous) {
    throw new ConfigurationError(
      record ? `The MongoDB layout is version ${record.version} with no earlier layout recorded: nothing to revert` : 'The MongoDB layout was never set up: nothing to revert',
    );
  }
  assertUsableMongoLayout(record.version);
  const previous = BSON.EJSON.parse(record.previous, { relaxed: true }) as MongoLayoutSnapshot;
  const validators: string[] = [];
  const droppedIndexes: string[] = [];
  const recreatedIndexes: string[] = [];
  try {
    const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    for (const definition of layout) {
      if (!existing.has(definition.name)) continue;
      const before = previous.collections[definition.name];
      await db.command({ collMod: definition.name, validator: before?.validator ?? {} });
      validators.push(definition.name);
      const collection = db.collection(definition.name);
      const now = await collection.listIndexes().toArray();
      const keep = new Set((before?.indexes ?? []).map((i) => String(i['name'])));
      for (const index of now) {
        const name = String(index['name']);
        if (name !== '_id_' && !keep.has(name)) {
          await collection.dropIndex(name);
          droppedIndexes.push(`${definition.name}.${name}`);
        }
      }
      const present = new Set(now.map((i) => String(i['name'])));
      for (const index of before?.indexes ?? []) {
        const { key, v: _v, ns: _ns, ...options } = index as Document & { key: Document };
        if (present.has(String(index['name']))) continue;
        await collection.createIndex(key, options);
        recreatedIndexes.push(`${definition.name}.${String(index['name'])}`);
      }
    }
    if (previous.version === 0) await meta.deleteOne({ _id: MONGO_LAYOUT_ID });
    else await meta.updateOne({ _id: MONGO_LAYOUT_ID }, { $set: { version: previous.version, appliedAt: new Date() }, $unset: { previous: '' } });
  } catch (error) {
    throw toNexfitError(error);
  }
  return { from: record.version, to: previous.version, validators, droppedIndexes, recreatedIndexes };
}

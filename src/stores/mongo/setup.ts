import type { Db, Document } from 'mongodb';
import { MONGO_SCHEMA_VERSION, RETIRED_MONGO_COLLECTIONS, SDK_MONGO_COLLECTIONS, type MongoCollectionDefinition } from './collections.js';
import { toNexfitError } from './error-mapping.js';
import { withEncryptedFields } from './encrypted-fields.js';
import { toMongoJsonSchema, type MongoJsonSchema } from './json-schema.js';
import { BSON } from 'mongodb';
import { ConfigurationError } from '../../core/errors.js';
import { assertUsableMongoLayout, MONGO_LAYOUT_ID, snapshotMongoLayout, storedMongoLayoutVersion, type MongoLayoutRecord } from './layout-version.js';

export interface EnsureMongoCollectionsOptions {
  /** The collections to set up; every collection of the layout by default. */
  readonly collections?: readonly MongoCollectionDefinition[];
  /** Clock for `appliedAt`; the wall clock by default. */
  readonly now?: () => Date;
}

export interface EnsureMongoCollectionsResult {
  readonly created: readonly string[];
  readonly updated: readonly string[];
  readonly schemaVersion: number;
}

/**
 * The `$jsonSchema` of one collection: generated from its stored zod schema, with the
 * encrypted paths accepting only the encrypted envelope and the blind-index fields added.
 *
 * @example
 * ```ts
 * collectionJsonSchema(USERS_COLLECTION).properties.phoneNumber // the envelope schema
 * ```
 */
export function collectionJsonSchema(definition: MongoCollectionDefinition): MongoJsonSchema | undefined {
  if (!definition.storedSchema) return undefined;
  const generated = toMongoJsonSchema(definition.storedSchema);
  if (!definition.encryptedFields?.length) return generated;
  return withEncryptedFields(generated, {
    paths: definition.encryptedFields,
    ...(definition.blindIndexes ? { blindIndexes: definition.blindIndexes } : {}),
    ...(definition.plaintextUntilRotated ? { plaintextUntilRotated: definition.plaintextUntilRotated } : {}),
  });
}

/** The `collMod`/`create` options of one collection's validator. */
export function validatorOptionsOf(definition: MongoCollectionDefinition): Document | undefined {
  const schema = collectionJsonSchema(definition);
  if (!schema) return undefined;
  return {
    validator: { $jsonSchema: schema },
    validationLevel: 'strict',
    validationAction: 'error',
  };
}

/**
 * Creates every collection of `layout` (the collections the modules define and the SDK's
 * own, as the composition root assembles them) with its `$jsonSchema` validator (strict
 * level, error action), or refreshes the validator of an existing one with `collMod`; creates
 * every index; and records the applied layout version in `nexfit_meta` as `{ _id:
 * 'mongo-schema', version, appliedAt }`. Safe to run again: existing collections and
 * identical indexes are kept.
 *
 * @example
 * ```ts
 * await ensureMongoCollections(client.db('nexfit'), MONGO_LAYOUT)
 * ```
 */
export async function ensureMongoCollections(db: Db, layout: readonly MongoCollectionDefinition[], options: EnsureMongoCollectionsOptions = {}): Promise<EnsureMongoCollectionsResult> {
  const definitions = options.collections ?? layout;
  const created: string[] = [];
  const updated: string[] = [];
  // A newer SDK's layout is never replaced by this one's validators.
  const stored = await storedMongoLayoutVersion(db);
  assertUsableMongoLayout(stored);
  // Moving to another version keeps the layout it replaces, for `migrate down`.
  const previous = stored === MONGO_SCHEMA_VERSION ? undefined : BSON.EJSON.stringify(await snapshotMongoLayout(db, stored ?? 0, layout), { relaxed: false });
  try {
    const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    for (const definition of definitions) {
      const validator = validatorOptionsOf(definition);
      if (!existing.has(definition.name)) {
        try {
          await db.createCollection(definition.name, validator ?? {});
          created.push(definition.name);
        } catch (error) {
          // 48 NamespaceExists: another process created it meanwhile; refresh its validator below.
          if ((error as { code?: unknown }).code !== 48) throw error;
          if (validator) await db.command({ collMod: definition.name, ...validator });
          updated.push(definition.name);
        }
      } else if (validator) {
        await db.command({ collMod: definition.name, ...validator });
        updated.push(definition.name);
      }
      if (definition.indexes.length > 0) {
        await db.collection(definition.name).createIndexes(definition.indexes.map((index) => ({ ...index, key: { ...index.key } })));
      }
    }
    for (const retired of RETIRED_MONGO_COLLECTIONS) if (existing.has(retired)) await db.collection(retired).drop().catch(() => {});
    try {
      // Only over an older or equal version: a newer SDK that migrated meanwhile keeps its record (the upsert then collides).
      await db.collection<MongoLayoutRecord>(SDK_MONGO_COLLECTIONS.nexfit_meta.name).updateOne(
        { _id: MONGO_LAYOUT_ID, version: { $lte: MONGO_SCHEMA_VERSION } },
        { $set: { version: MONGO_SCHEMA_VERSION, appliedAt: (options.now ?? (() => new Date()))(), ...(previous ? { previous } : {}) } },
        { upsert: true },
      );
    } catch (error) {
      if ((error as { code?: unknown }).code !== 11000) throw error;
      throw new ConfigurationError(`The MongoDB layout was moved past version ${MONGO_SCHEMA_VERSION} by a newer SDK while this one migrated: upgrade @nexfit/sdk`);
    }
  } catch (error) {
    throw toNexfitError(error);
  }
  return { created, updated, schemaVersion: MONGO_SCHEMA_VERSION };
}

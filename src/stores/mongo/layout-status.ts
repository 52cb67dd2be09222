import { BSON, type Db, type Document } from 'mongodb';
import { MONGO_SCHEMA_VERSION, type MongoCollectionDefinition } from './collections.js';
import { toNexfitError } from './error-mapping.js';
import { compareIndexes } from './index-comparison.js';
import { storedMongoLayoutVersion } from './layout-version.js';
import { validatorOptionsOf } from './setup.js';

/**
 * Where a MongoDB database stands against this SDK's layout:
 * - `not-migrated`: no layout recorded (the SDK never set it up);
 * - `behind`: an older layout version is recorded;
 * - `incomplete`: this version is recorded, but a collection, validator or index is missing
 *   or differs (changed by hand, or a migration that stopped half-way);
 * - `current`: this version, with every collection, validator and index in place;
 * - `ahead`: a newer SDK migrated it (this SDK refuses to use it).
 */
export type MongoLayoutState = 'not-migrated' | 'behind' | 'incomplete' | 'current' | 'ahead';

/** The MongoDB layout of a database compared with the one this SDK writes. */
export interface MongoLayoutStatus {
  readonly state: MongoLayoutState;
  /** The layout version recorded in `nexfit_meta`; `null` when none is. */
  readonly recordedVersion: number | null;
  /** The layout version this SDK writes (`MONGO_SCHEMA_VERSION`). */
  readonly sdkVersion: number;
  /** Collections of the SDK that do not exist. */
  readonly missingCollections: readonly string[];
  /** Existing collections whose validator is absent or not the one this SDK generates. */
  readonly outdatedValidators: readonly string[];
  /** Declared indexes that are absent, as `collection.index`. */
  readonly missingIndexes: readonly string[];
  /** Indexes present under a declared name with other keys or options, as `collection.index`. */
  readonly differingIndexes: readonly string[];
}

/**
 * Reads the MongoDB layout of `db` — the recorded version, and the validator and indexes of
 * each collection of `layout` (this SDK's declarations) — without changing anything: no
 * collection, validator, index or record is created.
 *
 * @example
 * ```ts
 * const { state } = await mongoLayoutStatus(nexfit.mongo.db, MONGO_LAYOUT);
 * if (state !== 'current') await nexfit.migrate();
 * ```
 */
export async function mongoLayoutStatus(db: Db, layout: readonly MongoCollectionDefinition[]): Promise<MongoLayoutStatus> {
  const recordedVersion = await storedMongoLayoutVersion(db);
  const missingCollections: string[] = [];
  const outdatedValidators: string[] = [];
  const missingIndexes: string[] = [];
  const differingIndexes: string[] = [];
  try {
    const infos = new Map((await db.listCollections({}, { nameOnly: false }).toArray()).map((c) => [c.name, c as { options?: Document }]));
    for (const definition of layout) {
      const info = infos.get(definition.name);
      if (!info) {
        missingCollections.push(definition.name);
        continue;
      }
      const expected = validatorOptionsOf(definition);
      if (expected && !sameValidator(info.options ?? {}, expected)) outdatedValidators.push(definition.name);
      const indexes = compareIndexes(await db.collection(definition.name).indexes(), definition.indexes);
      missingIndexes.push(...indexes.missing.map((name) => `${definition.name}.${name}`));
      differingIndexes.push(...indexes.differing.map((name) => `${definition.name}.${name}`));
    }
  } catch (error) {
    throw toNexfitError(error);
  }
  const complete = missingCollections.length + outdatedValidators.length + missingIndexes.length + differingIndexes.length === 0;
  const state: MongoLayoutState =
    recordedVersion === null ? 'not-migrated'
    : recordedVersion > MONGO_SCHEMA_VERSION ? 'ahead'
    : recordedVersion < MONGO_SCHEMA_VERSION ? 'behind'
    : complete ? 'current'
    : 'incomplete';
  return { state, recordedVersion, sdkVersion: MONGO_SCHEMA_VERSION, missingCollections, outdatedValidators, missingIndexes, differingIndexes };
}

/** The validator, level and action a collection has, against the ones set-up gives it (key order ignored). */
function sameValidator(actual: Document, expected: Document): boolean {
  return ['validator', 'validationLevel', 'validationAction'].every((option) => canonical(actual[option]) === canonical(expected[option]));
}

function canonical(value: unknown): string {
  if (value === undefined) return 'none';
  const sorted = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sorted);
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return BSON.EJSON.stringify(sorted(value) as Document, { relaxed: true });
}

import type { Db, Document } from 'mongodb';
import { MONGO_COLLECTIONS } from '../../modules/mongo-collections.js';
import type { MongoIndexDefinition } from '../../stores/mongo/collections.js';
import { compareIndexes, type MongoIndexComparison } from '../../stores/mongo/index-comparison.js';
import { DOCUMENT_MIGRATIONS_COLLECTION } from '../../stores/mongo/document-migrations/migration-log.js';
import { toNexfitError } from '../../stores/mongo/error-mapping.js';
import { ARCHIVE_TARGETS } from '../archive/archive-targets.js';

/** One MongoDB collection in the health report. */
export interface MongoCollectionHealth {
  readonly name: string;
  /** Declared by the SDK (`MONGO_COLLECTIONS`, the archives, the migration log). */
  readonly declared: boolean;
  readonly exists: boolean;
  readonly count: number;
  /** Uncompressed data size; `null` where the server reports no storage statistics. */
  readonly sizeBytes: number | null;
  readonly storageSizeBytes: number | null;
  readonly indexSizeBytes: number | null;
  readonly indexes: MongoIndexComparison;
  /** Indexes with no query since the server started; `null` when `$indexStats` is unavailable. */
  readonly unusedIndexes: readonly string[] | null;
}

/** The MongoDB half of the health report. */
export interface MongoHealth {
  readonly collections: readonly MongoCollectionHealth[];
  /** Where the sizes came from. */
  readonly statistics: '$collStats' | 'counts only';
  readonly indexUsage: { readonly available: true } | { readonly available: false; readonly reason: string };
}

interface DeclaredCollection {
  readonly indexes: readonly MongoIndexDefinition[];
  /** Created by set-up (`ensureMongoCollections`), so its absence is a problem. */
  readonly required: boolean;
}

function declaredCollections(): Map<string, DeclaredCollection> {
  const declared = new Map<string, DeclaredCollection>();
  for (const def of Object.values(MONGO_COLLECTIONS)) declared.set(def.name, { indexes: def.indexes, required: true });
  for (const target of Object.values(ARCHIVE_TARGETS)) {
    if (target.store === 'mongo') declared.set(target.archiveCollection, { indexes: target.archiveIndexes, required: false });
  }
  declared.set(DOCUMENT_MIGRATIONS_COLLECTION, { indexes: [], required: false });
  return declared;
}

/**
 * Counts, sizes and indexes of every collection: the declared ones (missing ones
 * included) and any other in the database. Sizes come from `$collStats` and degrade to
 * counts where a server has no storage statistics; index usage comes from `$indexStats`
 * where the server has it.
 *
 * @example
 * ```ts
 * const { collections } = await mongoHealth(db);
 * collections.filter((c) => c.indexes.missing.length > 0);
 * ```
 */
export async function mongoHealth(db: Db): Promise<MongoHealth> {
  try {
    const declared = declaredCollections();
    const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).filter((n) => !n.startsWith('system.')));
    const names = [...new Set([...[...declared].filter(([, d]) => d.required).map(([n]) => n), ...existing])].sort();
    let statistics: MongoHealth['statistics'] = '$collStats';
    let indexUsage: MongoHealth['indexUsage'] = { available: true };
    const collections: MongoCollectionHealth[] = [];
    for (const name of names) {
      const declaration = declared.get(name);
      if (!existing.has(name)) {
        const missing = ['_id_', ...(declaration?.indexes ?? []).map((i) => i.name)];
        collections.push({ name, declared: true, exists: false, count: 0, sizeBytes: null, storageSizeBytes: null, indexSizeBytes: null, indexes: { present: [], missing, unexpected: [], differing: [] }, unusedIndexes: null });
        continue;
      }
      const collection = db.collection(name);
      const stats = await storageStats(db, name);
      if (!stats) statistics = 'counts only';
      const indexes = await collection.indexes();
      let unusedIndexes: string[] | null = null;
      if (indexUsage.available) {
        const usage = await indexAccesses(db, name);
        if ('reason' in usage) indexUsage = { available: false, reason: usage.reason };
        else unusedIndexes = indexes.filter((i) => isQueryIndex(i) && (usage.ops.get(String(i.name)) ?? 0) === 0).map((i) => String(i.name));
      }
      collections.push({
        name,
        declared: declaration !== undefined,
        exists: true,
        count: stats?.count ?? (await collection.estimatedDocumentCount()),
        sizeBytes: stats?.size ?? null,
        storageSizeBytes: stats?.storageSize ?? null,
        indexSizeBytes: stats?.totalIndexSize ?? null,
        indexes: compareIndexes(indexes, declaration?.indexes),
        unusedIndexes,
      });
    }
    return { collections, statistics, indexUsage };
  } catch (error) {
    throw toNexfitError(error);
  }
}

interface StorageStats {
  readonly count: number;
  readonly size: number | null;
  readonly storageSize: number | null;
  readonly totalIndexSize: number | null;
}

async function storageStats(db: Db, name: string): Promise<StorageStats | null> {
  try {
    const [out] = await db.collection(name).aggregate([{ $collStats: { storageStats: {} } }]).toArray();
    const stats = out?.['storageStats'] as Document | undefined;
    if (!stats) return null;
    return { count: num(stats['count']) ?? 0, size: num(stats['size']), storageSize: num(stats['storageSize']), totalIndexSize: num(stats['totalIndexSize']) };
  } catch {
    // A server without $collStats (some managed and embedded servers): counts only.
    return null;
  }
}

async function indexAccesses(db: Db, name: string): Promise<{ ops: Map<string, number> } | { reason: string }> {
  try {
    const rows = await db.collection(name).aggregate([{ $indexStats: {} }]).toArray();
    return { ops: new Map(rows.map((r) => [String(r['name']), num((r['accesses'] as Document | undefined)?.['ops']) ?? 0])) };
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Indexes whose worth is their query use. `_id_`, unique and TTL indexes do their work
 * on writes and in the TTL monitor, so zero queries does not make them unused.
 */
function isQueryIndex(index: Document): boolean {
  return index['name'] !== '_id_' && index['unique'] !== true && index['expireAfterSeconds'] === undefined;
}

function num(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

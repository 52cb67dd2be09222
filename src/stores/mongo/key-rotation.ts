import { ObjectId, type Collection, type Db, type Document } from 'mongodb';
import { z } from 'zod';
import { ConcurrencyError } from '../../core/errors.js';
import { FieldCipher } from '../../core/field-cipher.js';
import type { Keyring } from '../../core/keyring.js';
import { parseOrThrow } from '../../core/validation.js';
import type { MongoCollectionDefinition } from './collections.js';
import { EncryptedFields } from './encrypted-fields.js';
import { toNexfitError } from './error-mapping.js';
import { idOrderedBatches } from './id-ordered-batches.js';

/** Where a key rotation stands after one batch: report it, and pass `checkpoint` back to resume. */
export interface KeyRotationProgress {
  readonly collection: string;
  /** Documents of this collection looked at so far (this run). */
  readonly scanned: number;
  /** Documents this run has to look at in this collection, counted when it reached it. */
  readonly total: number;
  /** Documents rewritten under the active key so far (this run). */
  readonly rotated: number;
  /** Rewrites that lost a race with a concurrent write and were redone on the fresh document. */
  readonly retried: number;
  /** Resume a stopped run strictly after this point (`rotateEncryptionKeys({ resumeFrom })`). */
  readonly checkpoint: KeyRotationCheckpoint;
}

/** The last document a rotation finished: a collection and an `_id` in it. */
export interface KeyRotationCheckpoint {
  readonly collection: string;
  readonly after: string;
}

/** Options of `rotateEncryptionKeys`: batch size, progress reports, resuming from a checkpoint, a stop signal. */
export interface KeyRotationOptions {
  /** Documents read and rewritten per batch (default 500). */
  readonly batchSize?: number;
  /** Called after every batch; awaited, so a slow reporter slows the rotation rather than piling up. */
  readonly onProgress?: (progress: KeyRotationProgress) => void | Promise<void>;
  /** Continue an interrupted rotation from its last reported checkpoint. */
  readonly resumeFrom?: KeyRotationCheckpoint;
  /** Stop before the next batch once aborted; the last progress report's checkpoint resumes it. */
  readonly signal?: AbortSignal;
}

/** What one rotation did, per collection with encrypted fields. */
export interface KeyRotationReport {
  readonly activeKeyId: string;
  readonly collections: Readonly<Record<string, { readonly scanned: number; readonly rotated: number; readonly retried: number }>>;
  /** False when `signal` stopped it early. */
  readonly completed: boolean;
}

const optionsSchema = (collections: readonly string[]) =>
  z.strictObject({
    batchSize: z.number().int().min(1).max(10_000).default(500),
    resumeFrom: z.strictObject({ collection: z.enum(collections as [string, ...string[]]), after: z.string().regex(/^[0-9a-f]{24}$/i) }).optional(),
  });

/** How often one document is re-read and rewritten when concurrent writes keep winning. */
const MAX_ATTEMPTS = 10;

/**
 * The collections of `layout` whose documents hold encrypted fields, in the order a rotation
 * visits them.
 *
 * @example
 * ```ts
 * encryptedCollections(MONGO_LAYOUT).map((d) => d.name) // ['users', 'coach_clients']
 * ```
 */
export function encryptedCollections(layout: readonly MongoCollectionDefinition[]): MongoCollectionDefinition[] {
  return layout.filter((d) => (d.encryptedFields?.length ?? 0) > 0);
}

/**
 * Re-encrypts under the keyring's active key every encrypted value that is not under it —
 * values of an older key, and plaintext written before a field was declared encrypted — and
 * recomputes every blind index that is not the keyring's (missing, stale, or made under an
 * earlier blind-index key). It walks each collection — and the archive of its old
 * documents, when it has one — in resumable `_id`-ordered batches and reports progress after each. A rewrite lands only if
 * the document's `version` is still the one read: a concurrent write wins, and the
 * rotation re-reads that document and redoes it, so no write is ever lost. It does not
 * bump `version` — the data is the same — so it never makes a host's own update fail.
 * Once a run reports `rotated: 0` everywhere, older keys can be removed from the keyring.
 *
 * @example
 * ```ts
 * const report = await rotateEncryptionKeys(db, keyring, MONGO_LAYOUT, { batchSize: 200, onProgress: (p) => log(p) })
 * ```
 */
export async function rotateEncryptionKeys(db: Db, keyring: Keyring, layout: readonly MongoCollectionDefinition[], options: KeyRotationOptions = {}): Promise<KeyRotationReport> {
  // An archive holds its source's documents unchanged, sealed for the source: same fields, same cipher.
  const stops = encryptedCollections(layout).flatMap((definition) => [
    { name: definition.name, definition },
    ...(definition.archiveCollection ? [{ name: definition.archiveCollection, definition }] : []),
  ]);
  const { batchSize, resumeFrom } = parseOrThrow(optionsSchema(stops.map((d) => d.name)), { batchSize: options.batchSize, resumeFrom: options.resumeFrom }, { entity: 'key rotation' });
  const cipher = new FieldCipher(keyring);
  const startAt = resumeFrom ? stops.findIndex((d) => d.name === resumeFrom.collection) : 0;
  const report: Record<string, { scanned: number; rotated: number; retried: number }> = {};
  for (const { name, definition } of stops.slice(Math.max(startAt, 0))) {
    if (options.signal?.aborted) return { activeKeyId: keyring.activeKeyId, collections: report, completed: false };
    const fields = encryptedFieldsOf(definition, cipher);
    const collection = db.collection(name);
    const counts = { scanned: 0, rotated: 0, retried: 0 };
    report[name] = counts;
    const after = resumeFrom?.collection === name ? ObjectId.createFromHexString(resumeFrom.after) : undefined;
    try {
      const total = await collection.countDocuments(after ? { _id: { $gt: after } } : {});
      const batches = idOrderedBatches(collection, {}, { batchSize, ...(after ? { after } : {}), ...(options.signal ? { signal: options.signal } : {}) });
      for await (const batch of batches) {
        for (const doc of batch) {
          const outcome = await rotateStoredDocument(collection, fields, doc);
          if (outcome.rewritten) counts.rotated++;
          counts.retried += outcome.retried;
        }
        counts.scanned += batch.length;
        const last = batch.at(-1)!['_id'] as ObjectId;
        await options.onProgress?.({ collection: name, ...counts, total, checkpoint: { collection: name, after: last.toHexString() } });
      }
    } catch (error) {
      throw toNexfitError(error, { collection: name });
    }
  }
  return { activeKeyId: keyring.activeKeyId, collections: report, completed: !options.signal?.aborted };
}

/** The encrypted fields of one collection definition under `cipher`. */
export function encryptedFieldsOf(definition: MongoCollectionDefinition, cipher: FieldCipher): EncryptedFields {
  return new EncryptedFields(
    {
      collection: definition.name,
      paths: definition.encryptedFields ?? [],
      ...(definition.blindIndexes ? { blindIndexes: definition.blindIndexes } : {}),
      ...(definition.plaintextUntilRotated ? { plaintextUntilRotated: definition.plaintextUntilRotated } : {}),
    },
    cipher,
  );
}

/**
 * Rotates one document as read (possibly stale by now): if a value is not under the active
 * key or a blind index is not the keyring's, rewrites the encrypted fields' roots and blind indexes on the condition that
 * `version` is unchanged; when a concurrent write got there first, re-reads the document
 * and starts again. The unit of a rotation, exposed so its race can be tested step by step.
 */
export async function rotateStoredDocument(collection: Collection<Document>, fields: EncryptedFields, read: Document): Promise<{ rewritten: boolean; retried: number }> {
  let doc: Document | null = read;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (!doc || !(fields.isStale(doc) || fields.hasStaleBlindIndex(doc))) return { rewritten: false, retried: attempt };
    const resealed = fields.seal(fields.open(doc, { allowPlaintext: true }));
    const set: Document = {};
    const unset: Document = {};
    for (const root of fields.rootFields) {
      const value = readPath(resealed, root);
      if (value !== undefined) set[root] = value;
      else if (readPath(doc, root) !== undefined) unset[root] = '';
    }
    const update: Document = { ...(Object.keys(set).length ? { $set: set } : {}), ...(Object.keys(unset).length ? { $unset: unset } : {}) };
    const result = await collection.updateOne({ _id: doc['_id'], version: doc['version'] }, update);
    if (result.matchedCount === 1) return { rewritten: true, retried: attempt };
    doc = await collection.findOne({ _id: doc['_id'] });
  }
  throw new ConcurrencyError(collection.collectionName, String(read['_id']));
}

function readPath(doc: Document, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value;
}

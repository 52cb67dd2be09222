import type { Document, IndexDirection } from 'mongodb';
import type { z } from 'zod';
import type { BlindIndexDefinition } from './encrypted-fields.js';

/** One index of a collection, in the shape `createIndexes` takes. */
export interface MongoIndexDefinition {
  readonly key: Readonly<Record<string, IndexDirection>>;
  readonly name: string;
  readonly unique?: boolean;
  readonly partialFilterExpression?: Document;
  readonly expireAfterSeconds?: number;
  readonly '2dsphereIndexVersion'?: number;
}

/**
 * One collection: its name, the stored-document schema its `$jsonSchema` validator is
 * generated from (none for the SDK's internal bookkeeping collections), the document format
 * version, the indexes, and how stored-only fields derive from the entity.
 */
export interface MongoCollectionDefinition {
  readonly name: string;
  readonly storedSchema?: z.ZodType;
  /** The current `schemaVersion` of its documents. */
  readonly schemaVersion: number;
  readonly indexes: readonly MongoIndexDefinition[];
  /**
   * The stored-only fields derived from the API entity (`searchName`, `address`
   * with its `location`, `holdsSeat`, `isOpen`), as top-level fields free of ids, to merge
   * over the encoded document.
   */
  readonly derive?: (entity: never) => Document;
  /** Stored fields reads leave out (a projection): secrets and derived fields. */
  readonly hiddenFields?: readonly string[];
  /**
   * Paths encrypted at rest (AES-256-GCM, see `EncryptedFields`), `[]` marking array
   * elements. The validator accepts only the encrypted envelope there.
   */
  readonly encryptedFields?: readonly string[];
  /** Encrypted fields searchable by equality through a keyed hash in a hidden field of their own. */
  readonly blindIndexes?: readonly BlindIndexDefinition[];
  /**
   * Encrypted paths that earlier layouts stored in clear: reads and the validator accept
   * their plaintext until `nexfit keys rotate` has sealed it; every write seals them.
   */
  readonly plaintextUntilRotated?: readonly string[];
  /**
   * Where archiving moves old documents, unchanged (sealed values stay bound to this
   * collection): repositories read it, the key rotation and erasure visit it too.
   */
  readonly archiveCollection?: string;
}


/**
 * An ascending single-field index, named after its field (dots become underscores).
 *
 * @example
 * ```ts
 * ascendingIndex('staff.userId') // { key: { 'staff.userId': 1 }, name: 'staff_userId' }
 * ```
 */
export function ascendingIndex(field: string, name = field.replace(/\./g, '_')): MongoIndexDefinition {
  return { key: { [field]: 1 }, name };
}

/**
 * The SDK's own bookkeeping collections, beside the ones the modules define: document locks,
 * unit-of-work decisions (with their TTL index, SPEC decision 11) and the layout record.
 *
 * @example
 * ```ts
 * SDK_MONGO_COLLECTIONS.nexfit_meta.name // 'nexfit_meta'
 * ```
 */
export const SDK_MONGO_COLLECTIONS = {
  nexfit_locks: {
    name: 'nexfit_locks',
    schemaVersion: 1,
    // Lock documents written inside units of work to serialise a check-then-write across
    // documents (a coach's agenda, a member's weekly bookings): see DocumentLocks.
    // Housekeeping removes the locks of past weeks and long-idle agendas.
    indexes: [{ key: { updatedAt: 1 }, name: 'updatedAt' }],
  },
  nexfit_uow_decisions: {
    name: 'nexfit_uow_decisions',
    schemaVersion: 1,
    // A decision record is kept for its recovery window, then removed by the TTL monitor.
    indexes: [{ key: { expiresAt: 1 }, name: 'expiresAt_ttl', expireAfterSeconds: 0 }],
  },
  nexfit_meta: {
    name: 'nexfit_meta',
    schemaVersion: 1,
    indexes: [],
  },
} as const satisfies Record<string, MongoCollectionDefinition>;

/**
 * The version of the whole MongoDB layout (validators and indexes of every collection the
 * modules and the SDK define), recorded in `nexfit_meta` by `ensureMongoCollections`. Raise
 * it with any change to a collection definition.
 */
export const MONGO_SCHEMA_VERSION = 11;

/**
 * Collections earlier layouts created and nothing writes any more (idempotency records live
 * in PostgreSQL, in the unit of work of the operation they belong to): `migrate` drops them.
 */
export const RETIRED_MONGO_COLLECTIONS: readonly string[] = ['nexfit_idempotency'];

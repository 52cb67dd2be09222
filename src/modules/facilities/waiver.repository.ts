import type { Db } from 'mongodb';
import type { FacilityId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import { WAIVER_SIGNATURES_COLLECTION, WAIVERS_COLLECTION } from './waiver.collection.js';
import {
  createWaiverInputSchema,
  createWaiverSignatureInputSchema,
  patchWaiverInputSchema,
  patchWaiverSignatureInputSchema,
  waiverSchema,
  waiverSignatureSchema,
  type Waiver,
  type WaiverSignature,
} from './waiver.schema.js';

/**
 * The `waivers` collection: a facility's published waiver versions, the newest one, and one
 * version by number.
 *
 * @example
 * ```ts
 * const waivers = new WaiverRepository(db, deps)
 * const current = await waivers.findCurrent(facilityId)
 * ```
 */
export class WaiverRepository extends MongoRepository<Waiver, typeof createWaiverInputSchema, typeof patchWaiverInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    const definition = WAIVERS_COLLECTION;
    super(
      db,
      {
        entity: 'waiver',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: waiverSchema,
        idSchema: waiverSchema.shape.id,
        createSchema: createWaiverInputSchema,
        patchSchema: patchWaiverInputSchema,
        codec: createDocumentCodec<Waiver>(definition.storedSchema),
      },
      deps,
    );
  }

  /** The facility's newest waiver version, or `null` when it has published none (one read on the unique index). */
  async findCurrent(facilityId: FacilityId, ctx?: StoreContext): Promise<Waiver | null> {
    return this.run('findCurrent', () => this.findOneWhere({ facilityId: this.#facility(facilityId) }, ctx, { sort: { facilityId: 1, waiverVersion: -1 } }));
  }

  /** The facility's waiver `version`, or `null`. */
  async findVersion(facilityId: FacilityId, version: number, ctx?: StoreContext): Promise<Waiver | null> {
    const filter = { facilityId: this.#facility(facilityId), waiverVersion: this.parse(waiverSchema.shape.waiverVersion, version) };
    return this.run('findVersion', () => this.findOneWhere(filter, ctx));
  }

  /** Every version the facility published, newest first, a page at a time. */
  async listByFacility(facilityId: FacilityId, page?: PageRequest, ctx?: StoreContext): Promise<Page<Waiver>> {
    return this.pageWhere('listByFacility', { facilityId: this.#facility(facilityId) }, [['waiverVersion', -1]], page, ctx);
  }

  #facility(facilityId: unknown) {
    return this.config.codec.toStoredValue('facilityId', this.parse(waiverSchema.shape.facilityId, facilityId));
  }
}

/**
 * The `waiver_signatures` collection: a member's signature of a waiver version, their newest
 * signature at a facility, and every signature of a member.
 *
 * @example
 * ```ts
 * const signatures = new WaiverSignatureRepository(db, deps)
 * const newest = await signatures.findNewest(userId, facilityId)
 * ```
 */
export class WaiverSignatureRepository extends MongoRepository<WaiverSignature, typeof createWaiverSignatureInputSchema, typeof patchWaiverSignatureInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    const definition = WAIVER_SIGNATURES_COLLECTION;
    super(
      db,
      {
        entity: 'waiver signature',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: waiverSignatureSchema,
        idSchema: waiverSignatureSchema.shape.id,
        createSchema: createWaiverSignatureInputSchema,
        patchSchema: patchWaiverSignatureInputSchema,
        codec: createDocumentCodec<WaiverSignature>(definition.storedSchema),
      },
      deps,
    );
  }

  /** The member's signature of the waiver version `waiverId`, or `null` (the unique index). */
  async findByWaiver(userId: UserId, waiverId: string, ctx?: StoreContext): Promise<WaiverSignature | null> {
    const filter = { userId: this.#user(userId), waiverId: this.config.codec.toStoredValue('waiverId', this.parse(waiverSignatureSchema.shape.waiverId, waiverId)) };
    return this.run('findByWaiver', () => this.findOneWhere(filter, ctx));
  }

  /** The member's signature of the highest version at the facility, or `null` (one read on an index). */
  async findNewest(userId: UserId, facilityId: FacilityId, ctx?: StoreContext): Promise<WaiverSignature | null> {
    const filter = { userId: this.#user(userId), facilityId: this.config.codec.toStoredValue('facilityId', this.parse(waiverSignatureSchema.shape.facilityId, facilityId)) };
    return this.run('findNewest', () => this.findOneWhere(filter, ctx, { sort: { userId: 1, facilityId: 1, waiverVersion: -1 } }));
  }

  /** Every signature of the member (every facility), oldest first, a page at a time. */
  async listByUser(userId: UserId, page?: PageRequest, ctx?: StoreContext): Promise<Page<WaiverSignature>> {
    return this.pageWhere('listByUser', { userId: this.#user(userId) }, [['_id', 1]], page, ctx);
  }

  #user(userId: unknown) {
    return this.config.codec.toStoredValue('userId', this.parse(waiverSignatureSchema.shape.userId, userId));
  }
}

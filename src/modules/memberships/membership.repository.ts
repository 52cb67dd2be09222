import type { Db } from 'mongodb';
import { z } from 'zod';
import type { FacilityId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { MongoRepository, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import type { StoreContext } from '../../stores/store-context.js';
import { createMembershipInputSchema, membershipSchema, patchMembershipInputSchema, type Membership } from './membership.schema.js';
import { MEMBERSHIPS_COLLECTION } from './membership.collection.js';

const definition = MEMBERSHIPS_COLLECTION;

const facilityIdSchema = membershipSchema.shape.facilityId;
const planFilterSchema = z.strictObject({ activeOnly: z.boolean().optional() });

/** Which plans of a facility to list. */
export type MembershipPlanFilter = z.input<typeof planFilterSchema>;

/**
 * The `memberships` collection: the plan catalogue of each facility.
 *
 * @example
 * ```ts
 * const plans = new MembershipRepository(db, { clock: systemClock, ids: defaultIdGenerator })
 * const { items } = await plans.listByFacility(facilityId, { activeOnly: true })
 * ```
 */
export class MembershipRepository extends MongoRepository<Membership, typeof createMembershipInputSchema, typeof patchMembershipInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'membership',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        cached: true,
        entitySchema: membershipSchema,
        idSchema: membershipSchema.shape.id,
        createSchema: createMembershipInputSchema,
        patchSchema: patchMembershipInputSchema,
        codec: createDocumentCodec<Membership>(definition.storedSchema),
      },
      deps,
    );
  }

  /**
   * A facility's plans in creation order; `activeOnly` leaves out the plans no longer sold
   * (index `facilityId_isActive`).
   */
  async listByFacility(facilityId: FacilityId, filter: MembershipPlanFilter = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<Membership>> {
    const id = this.config.codec.toStoredValue('facilityId', this.parse(facilityIdSchema, facilityId));
    const { activeOnly } = this.parse(planFilterSchema, filter);
    return this.pageWhere('listByFacility', { facilityId: id, ...(activeOnly ? { isActive: true } : {}) }, [], page, ctx);
  }
}

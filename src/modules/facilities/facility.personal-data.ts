import type { FacilityId } from '../../core/ids.js';
import type { StoreContext } from '../../stores/store-context.js';
import { auditSnapshot } from '../audit/audit-trail.js';
import { allItems, everyItem, jsonOfAll, type ErasureBlocker, type PersonalDataContributor, type PersonalDataDeclaration } from '../personal-data.js';
import { FACILITIES_COLLECTION } from './facility.collection.js';
import type { FacilityRepository } from './facility.repository.js';
import type { Facility } from './facility.schema.js';

/** The facilities module's user-linked data: the facilities a user owns or works at. */
export const FACILITY_PERSONAL_DATA = {
  module: 'facilities',
  holds: [{ store: 'mongo', name: FACILITIES_COLLECTION.name }],
} as const satisfies PersonalDataDeclaration;

/** Whether a facility still has active members: asked of the memberships module, which modules do not import. */
export type ActiveMembersCheck = (facilityId: FacilityId, ctx: StoreContext) => Promise<boolean>;

/**
 * The facilities module's part in export and erasure. The export holds the facilities the
 * user owns, and for those where the user is staff, the facility's name and the user's own
 * staff entry. Erasure is refused while the user owns a facility with active members (their
 * memberships would be stranded); otherwise the user's staff entries are removed.
 *
 * @example
 * ```ts
 * const contributor = facilityPersonalData(facilities.facilities, { hasActiveMembers: async (id, ctx) => (await subscriptions.listByFacility(id, { status: 'active' }, { limit: 1 }, ctx)).items.length > 0 });
 * ```
 */
export function facilityPersonalData(facilities: FacilityRepository, collaborators: { readonly hasActiveMembers: ActiveMembersCheck }): PersonalDataContributor {
  return {
    ...FACILITY_PERSONAL_DATA,
    async export(userId) {
      const staffed = await allItems((p) => facilities.listByStaffMember(userId, p));
      return {
        facilities: {
          owned: await jsonOfAll((p) => facilities.listByOwner(userId, p)),
          staffed: staffed.map((f) => staffView(f, userId)),
        },
      };
    },
    async erasureBlockers(userId, uow) {
      const blockers: ErasureBlocker[] = [];
      for await (const facility of everyItem((p) => facilities.listByOwner(userId, p, uow.ctx))) {
        if (await collaborators.hasActiveMembers(facility.id, uow.ctx)) blockers.push({ reason: 'owns_facility_with_active_members', facilityId: facility.id });
      }
      return blockers;
    },
    async erase(userId, { uow }) {
      const ctx = uow.ctx;
      let staffEntries = 0;
      for (const facility of await allItems((p) => facilities.listByStaffMember(userId, p, ctx))) {
        await facilities.removeStaff(facility.id, userId, {}, ctx);
        staffEntries++;
      }
      return { anonymised: { staffEntries } };
    },
  };
}

function staffView(facility: Facility, userId: string) {
  return auditSnapshot({ facilityId: facility.id, name: facility.name, type: facility.type, staffEntry: facility.staff.find((s) => s.userId === userId) ?? null });
}

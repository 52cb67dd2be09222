import type { FacilityId, UserId } from '../../core/ids.js';
import type { Facility } from '../../modules/facilities/index.js';
import type { MemberProfileReader } from '../../modules/nutrition/index.js';
import type { User } from '../../modules/users/index.js';
import type { StoreContext } from '../../stores/store-context.js';

/** What the adapter reads of users and facilities. `UserRepository` and `FacilityRepository` fit. */
export interface MemberProfileSources {
  readonly users: { findById(id: UserId, ctx?: StoreContext): Promise<User | null> };
  readonly facilities: { findById(id: FacilityId, ctx?: StoreContext): Promise<Facility | null> };
}

/**
 * The nutrition module's {@link MemberProfileReader} on the users and facilities modules:
 * body data from the user's client role data (`dateOfBirth`, `height` in cm, `weight` in kg),
 * and the time zone of the facility the user belongs to — as a gym member or studio client
 * first, else as a gym or studio coach — when there is one.
 *
 * @example
 * ```ts
 * const nutrition = createNutritionModule(db, pg, deps, { foods, profiles: memberProfileReader({ users: userRepository, facilities: facilityRepository }) })
 * ```
 */
export function memberProfileReader(sources: MemberProfileSources): MemberProfileReader {
  return {
    async memberProfile(userId, ctx) {
      const user = await sources.users.findById(userId, ctx);
      if (!user) return null;
      const roles = user.roleSpecificData;
      const client = roles.client;
      const facilityId = roles.gym_member?.facilityId ?? roles.studio_client?.facilityId ?? roles.gym_coach?.facilityId ?? roles.studio_coach?.facilityId;
      const facility = facilityId === undefined ? null : await sources.facilities.findById(facilityId, ctx);
      return {
        ...(client?.dateOfBirth === undefined ? {} : { dateOfBirth: client.dateOfBirth }),
        ...(client?.height === undefined ? {} : { heightCm: client.height }),
        ...(client?.weight === undefined ? {} : { weightKg: client.weight }),
        ...(facility ? { timeZone: facility.timezone } : {}),
      };
    },
  };
}

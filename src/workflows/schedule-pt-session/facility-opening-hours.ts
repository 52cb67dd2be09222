import type { FacilityId } from '../../core/ids.js';
import type { OpeningHoursPort } from '../../modules/coaching/index.js';
import { nextFacilityOpening, type FacilityHours } from '../../modules/facilities/index.js';
import type { StoreContext } from '../../stores/store-context.js';

/** What the adapter reads of a facility. `FacilityRepository` fits. */
export interface FacilityHoursSource {
  getById(id: FacilityId, ctx?: StoreContext): Promise<FacilityHours>;
}

/**
 * The coaching module's {@link OpeningHoursPort} on the facilities module: a session fits
 * when one opening of the facility (its operating hours in its own time zone, across DST)
 * covers the whole `[start, end)`.
 *
 * @example
 * ```ts
 * const coaching = new CoachingService(relations, sessions, locks, facilityOpeningHours(facilityRepository), deps)
 * ```
 */
export function facilityOpeningHours(facilities: FacilityHoursSource): OpeningHoursPort {
  return {
    async isOpenThroughout(facilityId, start, end, ctx) {
      const opening = nextFacilityOpening(await facilities.getById(facilityId, ctx), start);
      return opening !== null && opening.opensAt.getTime() <= start.getTime() && end.getTime() <= opening.closesAt.getTime();
    },
  };
}

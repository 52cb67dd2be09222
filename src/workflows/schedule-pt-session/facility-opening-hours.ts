import type { FacilityId } from '../../core/ids.js';
import type { FacilityCalendarPort, OpeningHoursPort } from '../../modules/coaching/index.js';
import { facilityOpeningsBetween, nextFacilityOpening, type FacilityHours } from '../../modules/facilities/index.js';
import type { StoreContext } from '../../stores/store-context.js';

/** What the adapter reads of a facility. `FacilityRepository` fits. */
export interface FacilityHoursSource {
  getById(id: FacilityId, ctx?: StoreContext): Promise<FacilityHours>;
}

/**
 * The coaching module's {@link OpeningHoursPort} on the facilities module: a session fits
 * when one opening of the facility (its operating hours in its own time zone, across DST)
 * covers the whole `[start, end)`. It is also the {@link FacilityCalendarPort} that free PT
 * slots are computed with: the facility's time zone and its openings over a range.
 *
 * @example
 * ```ts
 * const coaching = new CoachingService(relations, sessions, locks, facilityOpeningHours(facilityRepository), deps)
 * ```
 */
export function facilityOpeningHours(facilities: FacilityHoursSource): OpeningHoursPort & FacilityCalendarPort {
  return {
    async calendarOf(facilityId, from, to, ctx) {
      const facility = await facilities.getById(facilityId, ctx);
      const openings = facilityOpeningsBetween(facility, from, to).map((o) => ({ start: o.opensAt.getTime(), end: o.closesAt.getTime() }));
      return { timeZone: facility.timezone, openings };
    },
    async isOpenThroughout(facilityId, start, end, ctx) {
      const opening = nextFacilityOpening(await facilities.getById(facilityId, ctx), start);
      return opening !== null && opening.opensAt.getTime() <= start.getTime() && end.getTime() <= opening.closesAt.getTime();
    },
  };
}

import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import { idSchema, type FacilityId, type UserId } from '../../core/ids.js';
import { isoWeekOf } from '../../core/iso-week.js';
import { instantSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import type { FacilityService, WaiverService } from '../../modules/facilities/index.js';
import type { MembershipService, RecordedVisit } from '../../modules/memberships/index.js';
import type { ServiceDeps } from '../../modules/service-deps.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';

export interface RecordFacilityVisitDeps {
  readonly facilities: Pick<FacilityService, 'getById' | 'isOpenAt'>;
  readonly memberships: Pick<MembershipService, 'recordVisit'>;
  readonly deps: ServiceDeps;
  /** Refuses members who have not signed the facility's current waiver (`waiver_required`); without it, waivers are not checked. */
  readonly waivers?: Pick<WaiverService, 'assertCleared'> | undefined;
}

const visitInputSchema = z.strictObject({
  userId: idSchema('UserId'),
  facilityId: idSchema('FacilityId'),
  at: instantSchema.optional().describe('When the member came in (now by default)'),
});
/**
 * Input of `nexfit.workflows.recordFacilityVisit`: the member, the facility and when they came in.
 *
 * @useDeclaredType
 */
export type RecordFacilityVisitInput = z.input<typeof visitInputSchema>;

/**
 * Checks a member in at a facility (spans facilities + memberships). Rules, in order:
 * 1. the facility is open at `at` by its opening hours in its own time zone
 *    (`ConflictError('facility_closed')`);
 * 1a. the member signed the facility's current waiver, if it has one
 *    (`ConflictError('waiver_required')`, `details.waiverId` and `details.version`);
 * 2. the member has an active subscription at the facility covering `at`
 *    (`ConflictError('membership_required')`);
 * 3. the visits of that subscription in the ISO week of `at` (facility zone, Monday 00:00
 *    local) stay within the plan's `maxVisitsPerWeek` (`ConflictError('weekly_visit_limit_reached')`;
 *    absent = unlimited) — seed `memberships.limitations`.
 * The week's count is claimed atomically, so concurrent check-ins of one member never exceed
 * the limit. Emits `membership.visit_recorded`.
 *
 * @example
 * ```ts
 * const visit = await nexfit.workflows.recordFacilityVisit({ userId, facilityId })
 * console.log(`${visit.visitsThisWeek} of ${visit.maxVisitsPerWeek ?? '∞'} visits this week`)
 * ```
 */
export async function recordFacilityVisit(d: RecordFacilityVisitDeps, input: RecordFacilityVisitInput, uow?: UnitOfWork): Promise<RecordedVisit> {
  const v = parseOrThrow(visitInputSchema, input, { entity: 'facility visit', ...(d.deps.locale ? { locale: d.deps.locale } : {}) });
  const at = v.at ?? d.deps.clock.now();
  const facility = await d.facilities.getById(v.facilityId, uow);
  if (!(await d.facilities.isOpenAt(facility, at, uow))) {
    throw new ConflictError('facility_closed', `Facility ${v.facilityId} is closed at ${at.toISOString()}`, { details: { facilityId: v.facilityId, at: at.toISOString() } });
  }
  await d.waivers?.assertCleared(v.userId as UserId, v.facilityId as FacilityId, uow);
  const week = isoWeekOf(at, facility.timezone);
  return d.memberships.recordVisit({ userId: v.userId, facilityId: v.facilityId, at, isoWeek: week.label }, uow);
}

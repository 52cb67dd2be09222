/**
 * The facilities module's only door: gyms and studios, their staff, opening hours and
 * geo search.
 *
 * @example
 * ```ts
 * const { service } = createFacilitiesModule(db, pg, deps);
 * await service.isOpenAt(facilityId, new Date());
 * ```
 */
import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import type { Database } from '../../stores/postgres/database.js';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { ServiceDeps } from '../service-deps.js';
import { FacilityRepository } from './facility.repository.js';
import { FacilityService } from './facility.service.js';

export * from './facility.schema.js';
export { FacilityRepository, type FacilityNearby, type FindNearOptions, type NewStaffMemberInput, type StaffChangesInput } from './facility.repository.js';
export { DEFAULT_STAFF_PERMISSIONS, FacilityService, type AddStaffInput, type ChangeStaffInput, type FacilityRef } from './facility.service.js';
export { facilityOpeningsBetween, isFacilityOpenAt, nextFacilityOpening, openingOn, type FacilityHours, type OpeningInterval } from './opening-hours.js';

/** The facility repository and service, built on the SDK's stores (audit rows go to PostgreSQL). */
export function createFacilitiesModule(db: Db, pg: Kysely<Database>, deps: ServiceDeps): { readonly facilities: FacilityRepository; readonly service: FacilityService } {
  const facilities = new FacilityRepository(db, deps);
  return { facilities, service: new FacilityService(facilities, new AuditTrail(new AuditLogRepository(pg, deps)), deps) };
}

/**
 * The facilities module's only door: gyms and studios, their staff, opening hours, geo
 * search, and the liability waivers members sign before their first booking.
 *
 * @example
 * ```ts
 * const { service } = createFacilitiesModule(db, pg, deps);
 * await service.isOpenAt(facilityId, new Date());
 * ```
 */
import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import { DocumentLocks } from '../../stores/mongo/document-lock.js';
import type { Database } from '../../stores/postgres/database.js';
import { AuditLogRepository } from '../audit/audit-log.repository.js';
import { AuditTrail } from '../audit/audit-trail.js';
import type { ServiceDeps } from '../service-deps.js';
import { FacilityRepository } from './facility.repository.js';
import { FacilityService } from './facility.service.js';
import { WaiverRepository, WaiverSignatureRepository } from './waiver.repository.js';
import { WaiverService } from './waiver.service.js';

export * from './facility.schema.js';
export { FacilityRepository, type FacilityNearby, type FindNearOptions, type NewStaffMemberInput, type StaffChangesInput } from './facility.repository.js';
export { DEFAULT_STAFF_PERMISSIONS, FacilityService, type AddStaffInput, type ChangeStaffInput, type FacilityRef } from './facility.service.js';
export * from './waiver.schema.js';
export { WAIVERS_COLLECTION, WAIVER_SIGNATURES_COLLECTION } from './waiver.collection.js';
export { WaiverRepository, WaiverSignatureRepository } from './waiver.repository.js';
export { WaiverService, type RequiredWaiver, type WaiverClearance } from './waiver.service.js';
export { ERASED_SIGNER_NAME, WAIVER_PERSONAL_DATA, waiverPersonalData } from './waiver.personal-data.js';
export { facilityOpeningsBetween, isFacilityOpenAt, nextFacilityOpening, openingOn, type FacilityHours, type OpeningInterval } from './opening-hours.js';

/** What the facilities module builds: its repositories and services. */
export interface FacilitiesModule {
  readonly facilities: FacilityRepository;
  readonly service: FacilityService;
  readonly waivers: WaiverRepository;
  readonly waiverSignatures: WaiverSignatureRepository;
  readonly waiverService: WaiverService;
}

/** The facility and waiver repositories and services, built on the SDK's stores (audit rows go to PostgreSQL). */
export function createFacilitiesModule(db: Db, pg: Kysely<Database>, deps: ServiceDeps): FacilitiesModule {
  const facilities = new FacilityRepository(db, deps);
  const audit = new AuditTrail(new AuditLogRepository(pg, deps));
  const waivers = new WaiverRepository(db, deps);
  const waiverSignatures = new WaiverSignatureRepository(db, deps);
  return {
    facilities,
    service: new FacilityService(facilities, audit, deps),
    waivers,
    waiverSignatures,
    waiverService: new WaiverService(waivers, waiverSignatures, facilities, new DocumentLocks(db, deps), audit, deps),
  };
}

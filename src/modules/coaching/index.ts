/**
 * The coaching module: its only door. Coach–client and PT session schemas, their
 * repositories and the {@link CoachingService}. Completing a session (with its package
 * debit) and rating one are the `completePtSession` and `submitPtSessionFeedback` workflows.
 *
 * @example
 * ```ts
 * const { service: coaching } = createCoachingModule(db, pg, deps, { openingHours: facilityOpeningHours(facilityRepository) })
 * await coaching.requestCoaching({ coachId, clientId })
 * ```
 */
import type { Kysely } from 'kysely';
import type { Db } from 'mongodb';
import { DocumentLocks } from '../../stores/mongo/document-lock.js';
import type { Database } from '../../stores/postgres/database.js';
import type { ServiceDeps } from '../service-deps.js';
import { CoachClientRepository } from './coach-client.repository.js';
import { CoachAvailabilityRepository } from './coach-availability.repository.js';
import { CoachingService, type CoachingPolicy, type FacilityCalendarPort, type OpeningHoursPort, type WaiverCheckPort } from './coaching.service.js';
import { PtSessionRepository } from './pt-session.repository.js';

export * from './coach-client.schema.js';
export * from './pt-session.schema.js';
export * from './coach-availability.schema.js';
export { CoachAvailabilityRepository } from './coach-availability.repository.js';
export type { TimeInterval } from './free-slots.js';
export { CoachClientRepository, type CoachClientFilter, type NewCoachNoteInput } from './coach-client.repository.js';
export { PtSessionRepository, type CancelPtSessionOptions, type OverlapQuery } from './pt-session.repository.js';
export {
  CoachingService,
  DEFAULT_COACHING_POLICY,
  type CancelPtSessionInput,
  type ClientCoachView,
  type CoachingPackageInput,
  type CoachingPolicy,
  type CoachingRequestInput,
  type OpeningHoursPort,
  type WaiverCheckPort,
  type BookPtSlotInput,
  type CoachingAvailabilityParts,
  type FacilityCalendar,
  type FacilityCalendarPort,
  type FreeSlot,
  type FreeSlotQuery,
  type PtFeedbackInput,
} from './coaching.service.js';

/** The coaching module's repositories and service, built on the SDK's stores. */
export interface CoachingModule {
  readonly relations: CoachClientRepository;
  readonly sessions: PtSessionRepository;
  readonly availabilities: CoachAvailabilityRepository;
  readonly service: CoachingService;
}

/**
 * Builds the coaching module; `openingHours` answers for sessions at a facility and
 * `calendar` for free PT slots (`facilityOpeningHours` is both; an `openingHours` that is
 * also a calendar serves as one when `calendar` is not given); `waivers` refuses PT slot
 * bookings of clients who have not signed the facility's waiver.
 */
export function createCoachingModule(
  db: Db,
  _pg: Kysely<Database>,
  deps: ServiceDeps,
  options: { readonly openingHours: OpeningHoursPort | (OpeningHoursPort & FacilityCalendarPort); readonly calendar?: FacilityCalendarPort; readonly policy?: Partial<CoachingPolicy>; readonly waivers?: WaiverCheckPort },
): CoachingModule {
  const relations = new CoachClientRepository(db, deps);
  const sessions = new PtSessionRepository(db, deps);
  const availabilities = new CoachAvailabilityRepository(db, deps);
  const calendar = options.calendar ?? ('calendarOf' in options.openingHours ? options.openingHours : undefined);
  const service = new CoachingService(relations, sessions, new DocumentLocks(db, deps), options.openingHours, deps, options.policy ?? {}, calendar ? { repository: availabilities, calendar } : undefined, options.waivers);
  return { relations, sessions, availabilities, service };
}

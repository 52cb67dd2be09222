import { z } from 'zod';
import { ConflictError, ForbiddenError, ValidationError } from '../../core/errors.js';
import type { CoachClientId, FacilityId, PtSessionId, UserId } from '../../core/ids.js';
import { idSchema } from '../../core/ids.js';
import { currencyWithDefaultSchema, instantSchema, longTextSchema, moneyAmountSchema, nameSchema, positiveIntSchema, ratingSchema } from '../../core/schema-primitives.js';
import { assertTransition } from '../../core/status-transition.js';
import { parseOrThrow } from '../../core/validation.js';
import type { DocumentLocks } from '../../stores/mongo/document-lock.js';
import type { StoreContext } from '../../stores/store-context.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { ServiceDeps } from '../service-deps.js';
import type { CoachClientRepository, NewCoachNoteInput } from './coach-client.repository.js';
import { coachClientSchema, createCoachClientInputSchema, type CoachClient, type CoachClientStatus } from './coach-client.schema.js';
import type { PtSessionRepository } from './pt-session.repository.js';
import type { TimeRangeInput } from '../../stores/mongo/time-range.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { createPtSessionInputSchema, ptSessionSchema, type CreatePtSessionData, type CreatePtSessionInput, type PtSession } from './pt-session.schema.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';
import type { CoachAvailabilityRepository } from './coach-availability.repository.js';
import { createCoachAvailabilityInputSchema, type CoachAvailability, type CoachAvailabilityInput } from './coach-availability.schema.js';
import { availabilityWindows, cutSlots, intersectIntervals, longestWindowMinutes, subtractIntervals, type TimeInterval } from './free-slots.js';

/**
 * What the coaching module needs to know about a facility's opening hours; the facilities
 * module fits it through a small adapter (modules do not import each other).
 */
export interface OpeningHoursPort {
  /** Whether the facility is open for the whole of `[start, end)`. */
  isOpenThroughout(facilityId: FacilityId, start: Date, end: Date, ctx?: StoreContext): Promise<boolean>;
}

/** A facility's time zone and its openings over a range (see {@link FacilityCalendarPort}). */
export interface FacilityCalendar {
  /** The facility's IANA time zone: availability windows are wall-clock times in it. */
  readonly timeZone: string;
  /** The facility's openings overlapping the range, in epoch milliseconds. */
  readonly openings: readonly TimeInterval[];
}

/**
 * What free PT slots need to know about a facility; the facilities module fits it through
 * the same adapter as {@link OpeningHoursPort} (`facilityOpeningHours`).
 */
export interface FacilityCalendarPort {
  /** The facility's time zone and its openings overlapping `[from, to)`; `NotFoundError` for an unknown facility. */
  calendarOf(facilityId: FacilityId, from: Date, to: Date, ctx?: StoreContext): Promise<FacilityCalendar>;
}

/**
 * Whether a client signed the facility's current waiver before a PT slot there is booked; the
 * facilities module's `WaiverService` fits (modules do not import each other).
 */
export interface WaiverCheckPort {
  /** Refuses with `ConflictError('waiver_required')` while the user has not signed the facility's current waiver. */
  assertCleared(userId: UserId, facilityId: FacilityId, uow?: UnitOfWork): Promise<void>;
}

/** The coaching module's availability store and the facility calendar free slots are computed with. */
export interface CoachingAvailabilityParts {
  readonly repository: CoachAvailabilityRepository;
  readonly calendar: FacilityCalendarPort;
}

/** How close to its start a cancellation of a PT session counts as late (default 24 hours). */
export interface CoachingPolicy {
  readonly lateCancellationMinutes: number;
}
export const DEFAULT_COACHING_POLICY: CoachingPolicy = { lateCancellationMinutes: 24 * 60 };

/** What a client sees of a relationship: everything but the coach's private notes. */
export type ClientCoachView = Omit<CoachClient, 'notes'> & { readonly notes: { readonly visible: CoachClient['notes']['visible'] } };

const userIdSchema = idSchema('UserId');
const relationIdSchema = coachClientSchema.shape.id;
const sessionIdSchema = ptSessionSchema.shape.id;

const requestSchema = createCoachClientInputSchema.pick({ coachId: true, clientId: true, goals: true }).extend({ message: longTextSchema.optional() });
export type CoachingRequestInput = z.input<typeof requestSchema>;

const packageSchema = z.strictObject({
  name: nameSchema,
  sessions: positiveIntSchema.max(10_000),
  price: moneyAmountSchema('Package price'),
  currency: currencyWithDefaultSchema,
  startDate: instantSchema,
  endDate: instantSchema.optional(),
});
/** A package of `sessions` sessions sold to the client (`used` starts at 0). */
export type CoachingPackageInput = z.input<typeof packageSchema>;

const cancelSchema = z.strictObject({ by: userIdSchema, reason: longTextSchema.optional() });
export type CancelPtSessionInput = z.input<typeof cancelSchema>;

const feedbackSchema = z.strictObject({ rating: ratingSchema, notes: longTextSchema.optional() });
export type PtFeedbackInput = z.input<typeof feedbackSchema>;

const DAY_MS = 24 * 60 * 60_000;
/** The longest range of free slots one question may ask for. */
const MAX_SLOT_RANGE_DAYS = 31;
const slotMinutesSchema = z.number().int().min(5).max(8 * 60).describe('Minutes');

const freeSlotQuerySchema = z
  .strictObject({
    from: instantSchema,
    to: instantSchema,
    duration: slotMinutesSchema,
    step: slotMinutesSchema.optional(),
    facilityId: idSchema('FacilityId').optional(),
  })
  .refine((q) => q.to.getTime() > q.from.getTime(), { error: M.endAfterStart.en, path: ['to'] })
  .refine((q) => q.to.getTime() - q.from.getTime() <= MAX_SLOT_RANGE_DAYS * DAY_MS, { error: M.slotRangeTooLong.en, path: ['to'] });
/**
 * Which free slots to list: starting in `[from, to)` (at most 31 days), `duration` minutes
 * long (5 to 480), one every `step` minutes (the duration by default), at one facility or at
 * all of the coach's.
 *
 * @useDeclaredType
 */
export type FreeSlotQuery = z.input<typeof freeSlotQuerySchema>;

/** A free slot of a coach: `[startTime, endTime)` at `facilityId`. */
export interface FreeSlot {
  readonly facilityId: FacilityId;
  readonly startTime: Date;
  readonly endTime: Date;
}

const bookSlotSchema = z.strictObject({
  coachId: userIdSchema,
  clientId: userIdSchema,
  facilityId: idSchema('FacilityId'),
  startTime: instantSchema,
  duration: slotMinutesSchema,
  coachClientId: idSchema('CoachClientId').optional(),
  notes: longTextSchema.optional(),
});
/**
 * A client takes `duration` minutes of the coach's availability at a facility from `startTime`.
 *
 * @useDeclaredType
 */
export type BookPtSlotInput = z.input<typeof bookSlotSchema>;

/**
 * Attempts for a scheduling unit: racing schedulings of one person write the same agenda
 * lock, abort each other with write conflicts and re-run; each round commits one.
 */
const AGENDA_ATTEMPTS = 25;

const agendaKey = (who: 'coach' | 'client', id: string) => `pt-agenda:${who}:${id}`;

/**
 * Coaching: coach–client relationships with their packages and notes, and personal-training
 * sessions (seed: `coach_clients`, `pt_sessions`).
 *
 * Relationship status machine (SPEC §3 coaching): a **client** requests (`pending`); the
 * **coach** accepts (`active`) or declines (`declined`); **either side** ends an active one
 * (`ended`). Anything else is `ConflictError('invalid_transition')`; an action by someone
 * who is not that party is a `ForbiddenError`.
 *
 * @example
 * ```ts
 * const coaching = new CoachingService(relations, sessions, locks, openingHours, deps)
 * const request = await coaching.requestCoaching({ coachId, clientId, goals: ['kilo vermek'] })
 * await coaching.acceptRequest(request.id, coachId)
 * ```
 */
export class CoachingService {
  readonly #relations: CoachClientRepository;
  readonly #sessions: PtSessionRepository;
  readonly #locks: DocumentLocks;
  readonly #openingHours: OpeningHoursPort;
  readonly #deps: ServiceDeps;
  readonly #availability: CoachingAvailabilityParts | undefined;
  readonly #waivers: WaiverCheckPort | undefined;
  readonly policy: CoachingPolicy;

  constructor(
    relations: CoachClientRepository,
    sessions: PtSessionRepository,
    locks: DocumentLocks,
    openingHours: OpeningHoursPort,
    deps: ServiceDeps,
    policy: Partial<CoachingPolicy> = {},
    availability?: CoachingAvailabilityParts,
    waivers?: WaiverCheckPort,
  ) {
    this.#availability = availability;
    this.#waivers = waivers;
    this.#relations = relations;
    this.#sessions = sessions;
    this.#locks = locks;
    this.#openingHours = openingHours;
    this.#deps = deps;
    this.policy = { ...DEFAULT_COACHING_POLICY, ...policy };
  }

  // ---- relationships -------------------------------------------------------------------

  /**
   * A client asks a coach to coach them: a `pending` relationship.
   * `ConflictError('relationship_exists')` while the pair already has a pending or active one
   * (the unique partial index decides under concurrency); a coach cannot coach themself.
   */
  async requestCoaching(input: CoachingRequestInput, uow?: UnitOfWork): Promise<CoachClient> {
    const r = this.#parse(requestSchema, input);
    if (r.coachId === r.clientId) throw new ConflictError('self_coaching', 'A coach cannot be their own client');
    try {
      return await this.#relations.create(
        { coachId: r.coachId, clientId: r.clientId, goals: r.goals, ...(r.message ? { notes: { visible: [{ text: r.message, date: this.#deps.clock.now() }], private: [] } } : {}) },
        uow?.ctx,
      );
    } catch (error) {
      if (error instanceof ConflictError && error.reason === 'duplicate') {
        throw new ConflictError('relationship_exists', `Coach ${r.coachId} and client ${r.clientId} already have an open relationship`, { cause: error });
      }
      throw error;
    }
  }

  /** The coach accepts a pending request: `active`, started now. */
  async acceptRequest(id: CoachClientId, coachId: UserId, uow?: UnitOfWork): Promise<CoachClient> {
    return this.#transition(id, coachId, 'coach', ['pending'], 'active', (now) => ({ status: 'active', startDate: now }), uow);
  }

  /** The coach declines a pending request. */
  async declineRequest(id: CoachClientId, coachId: UserId, uow?: UnitOfWork): Promise<CoachClient> {
    return this.#transition(id, coachId, 'coach', ['pending'], 'declined', () => ({ status: 'declined' }), uow);
  }

  /** Either side ends an active relationship (ended now). Sessions already scheduled stay. */
  async endRelationship(id: CoachClientId, actorId: UserId, uow?: UnitOfWork): Promise<CoachClient> {
    return this.#transition(id, actorId, 'either', ['active'], 'ended', (now, current) => ({ ...current.relationship, status: 'ended', endDate: now }), uow);
  }

  /**
   * The coach sells the client a package of sessions: `{ total: sessions, used: 0,
   * remaining: sessions }`, replacing a previous one only when it is used up
   * (`ConflictError('package_in_use')`). Only on an active relationship.
   */
  async assignPackage(id: CoachClientId, coachId: UserId, input: CoachingPackageInput, uow?: UnitOfWork): Promise<CoachClient> {
    const p = this.#parse(packageSchema, input);
    const relation = await this.#relationOf(id, coachId, 'coach', uow);
    if (relation.relationship.status !== 'active') assertTransition('coach client', relation.id, relation.relationship.status, ['active'], 'active');
    if (relation.package && relation.package.sessions.remaining > 0) {
      throw new ConflictError('package_in_use', `The package of coach client ${relation.id} still has ${relation.package.sessions.remaining} session(s)`);
    }
    const pkg = { name: p.name, sessions: { total: p.sessions, used: 0, remaining: p.sessions }, price: p.price, currency: p.currency, startDate: p.startDate, ...(p.endDate ? { endDate: p.endDate } : {}) };
    return this.#relations.patch(relation.id, { package: pkg }, { expectedVersion: relation.version }, uow?.ctx);
  }

  /** The coach adds a note, `visible` to both or `private` to the coach. */
  async addNote(id: CoachClientId, coachId: UserId, note: NewCoachNoteInput, uow?: UnitOfWork): Promise<CoachClient> {
    const relation = await this.#relationOf(id, coachId, 'coach', uow);
    return this.#relations.addNote(relation.id, note, uow?.ctx);
  }

  /** The relationship as its coach sees it, private notes included; `ForbiddenError` for anyone else. */
  async getRelationForCoach(id: CoachClientId, coachId: UserId, uow?: UnitOfWork): Promise<CoachClient> {
    return this.#relationOf(id, coachId, 'coach', uow);
  }

  /**
   * The relationship as its client sees it: `notes.private` is stripped — private notes are
   * the coach's own (seed: `notes.private`), never shown to the client.
   */
  async getRelationForClient(id: CoachClientId, clientId: UserId, uow?: UnitOfWork): Promise<ClientCoachView> {
    const relation = await this.#relationOf(id, clientId, 'client', uow);
    return { ...relation, notes: { visible: relation.notes.visible } };
  }

  /** Uses one session of the relationship's package: `ConflictError('package_exhausted')` at 0 (atomic). */
  async consumePackageSession(id: CoachClientId, uow?: UnitOfWork): Promise<CoachClient> {
    return this.#relations.consumeSession(this.#parse(relationIdSchema, id), uow?.ctx);
  }

  /** Gives a consumed session back (a completion undone). */
  async returnPackageSession(id: CoachClientId, uow?: UnitOfWork): Promise<CoachClient> {
    return this.#relations.returnSession(this.#parse(relationIdSchema, id), uow?.ctx);
  }

  // ---- PT sessions ---------------------------------------------------------------------

  /**
   * Schedules a PT session. Refused when: the linked relationship (`coachClientId`) is not
   * this coach's and client's active one (`ConflictError('relationship_not_active')`); the
   * slot overlaps another scheduled session of the coach or of the client
   * (`ConflictError('session_overlap')`, back-to-back is fine); at a facility
   * (`location.type: 'facility'` with a `facilityId`), the facility is not open for the whole
   * session (`ConflictError('facility_closed')`). The overlap check runs after locking the
   * coach's and the client's agendas in the unit, so concurrent schedulings of the same
   * person see each other (one re-runs) instead of both passing.
   */
  async scheduleSession(input: CreatePtSessionInput, uow?: UnitOfWork): Promise<PtSession> {
    const s = this.#parse(createPtSessionInputSchema, input);
    if (s.status !== 'scheduled') throw new ConflictError('invalid_transition', 'A new PT session starts scheduled');
    return this.#schedule(s, uow);
  }

  // ---- availability and bookable slots ---------------------------------------------------

  /**
   * Sets the coach's weekly availability and its exceptions at a facility (replacing what was
   * set there before): wall-clock windows in the facility's time zone. Refused with
   * `VALIDATION_FAILED`, nothing written, when a window ends before it starts, two windows of
   * one weekday (or two extra-hours exceptions of one date) overlap, or an exception is not a
   * `YYYY-MM-DD` date with `HH:mm` times; `NotFoundError` for an unknown facility.
   *
   * @example
   * ```ts
   * await coaching.setAvailability({ coachId, facilityId, weekly: [{ day: 1, start: '09:00', end: '12:00' }], exceptions: [{ date: '2026-04-06', kind: 'off' }] })
   * ```
   */
  async setAvailability(input: CoachAvailabilityInput, uow?: UnitOfWork): Promise<CoachAvailability> {
    const a = this.#parse(createCoachAvailabilityInputSchema, input);
    const { repository, calendar } = this.#availabilityParts();
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const now = this.#deps.clock.now();
      await calendar.calendarOf(a.facilityId, now, now, u.ctx);
      const current = await repository.findByCoachAndFacility(a.coachId, a.facilityId, u.ctx);
      if (!current) return repository.create(a, u.ctx);
      return repository.patch(current.id, { weekly: a.weekly, exceptions: a.exceptions }, { expectedVersion: current.version }, u.ctx);
    });
  }

  /**
   * The coach's availability at every facility where it is set (at most 50).
   *
   * @example
   * ```ts
   * const windows = await coaching.listCoachAvailability(coachId)
   * ```
   */
  async listCoachAvailability(coachId: UserId, uow?: UnitOfWork): Promise<CoachAvailability[]> {
    return this.#availabilityParts().repository.listByCoach(this.#parse(userIdSchema, coachId), uow?.ctx);
  }

  /**
   * The coach's free PT slots starting in `[from, to)` and not before now: inside the coach's availability
   * (weekly windows plus extra hours, minus time off, in each facility's time zone, so
   * correct across DST), inside the facility's opening hours, and clear of every scheduled
   * session of the coach (at any facility). Each free stretch is cut into `duration`-minute
   * slots from its start, one every `step` minutes. A `duration` longer than every window
   * of the coach's availability is `VALIDATION_FAILED`.
   *
   * @example
   * ```ts
   * const slots = await coaching.findFreeSlots(coachId, { from: '2026-03-23T00:00:00Z', to: '2026-03-30T00:00:00Z', duration: 60 })
   * ```
   */
  async findFreeSlots(coachId: UserId, query: FreeSlotQuery, uow?: UnitOfWork): Promise<FreeSlot[]> {
    const coach = this.#parse(userIdSchema, coachId);
    const q = this.#parse(freeSlotQuerySchema, query);
    const { repository } = this.#availabilityParts();
    const ctx = uow?.ctx;
    const all = q.facilityId ? [await repository.findByCoachAndFacility(coach, q.facilityId, ctx)].filter((a) => a !== null) : await repository.listByCoach(coach, ctx);
    if (all.length > 0 && all.every((a) => longestWindowMinutes(a) < q.duration)) {
      const message = M.slotDurationNotFitting.en;
      throw new ValidationError(`Invalid coaching: duration: ${message}`, [{ path: ['duration'], code: 'custom', message }]);
    }
    const durationMs = q.duration * 60_000;
    // A slot that has begun is no longer bookable; slots start in [from, to), so the last one
    // may end up to a duration after `to`.
    const from = new Date(Math.max(q.from.getTime(), this.#deps.clock.now().getTime()));
    const until = new Date(q.to.getTime() + durationMs);
    if (from.getTime() >= q.to.getTime()) return [];
    const busy = await this.#scheduledIntervals(coach, from, until, ctx);
    const slots: FreeSlot[] = [];
    for (const availability of all) {
      const free = subtractIntervals(await this.#bookableWindows(availability, from, until, ctx), busy);
      for (const slot of cutSlots(free, durationMs, (q.step ?? q.duration) * 60_000)) {
        if (slot.start < q.to.getTime()) slots.push({ facilityId: availability.facilityId, startTime: new Date(slot.start), endTime: new Date(slot.end) });
      }
    }
    return slots.sort((a, b) => a.startTime.getTime() - b.startTime.getTime());
  }

  /**
   * A client books a slot of the coach's availability: schedules a PT session at the facility
   * from `startTime` for `duration` minutes. `ConflictError('slot_unavailable')` when the slot
   * has begun or the coach is not available for the whole of it (outside the weekly windows
   * and extra hours, or in time off), `facility_closed` outside the facility's opening hours, and `session_overlap`
   * when the coach or the client already has a session then; `waiver_required` when the client
   * has not signed the facility's current waiver (`details.waiverId`, `details.version`). A slot is never given to two
   * clients: the check runs after locking the coach's agenda, as {@link scheduleSession} does.
   *
   * @example
   * ```ts
   * const [slot] = await coaching.findFreeSlots(coachId, { from, to, duration: 60 })
   * await coaching.bookSlot({ coachId, clientId, facilityId: slot.facilityId, startTime: slot.startTime, duration: 60 })
   * ```
   */
  async bookSlot(input: BookPtSlotInput, uow?: UnitOfWork): Promise<PtSession> {
    const b = this.#parse(bookSlotSchema, input);
    const { repository, calendar } = this.#availabilityParts();
    const endTime = new Date(b.startTime.getTime() + b.duration * 60_000);
    const session = this.#parse(createPtSessionInputSchema, {
      coachId: b.coachId,
      clientId: b.clientId,
      facilityId: b.facilityId,
      startTime: b.startTime,
      endTime,
      duration: b.duration,
      location: { type: 'facility' },
      ...(b.coachClientId ? { coachClientId: b.coachClientId } : {}),
      ...(b.notes ? { notes: { pre: b.notes } } : {}),
    });
    if (b.coachId === b.clientId) throw new ConflictError('self_coaching', 'A coach cannot book their own slot');
    if (b.startTime.getTime() < this.#deps.clock.now().getTime()) {
      throw new ConflictError('slot_unavailable', 'The slot has already begun', { details: { facilityId: b.facilityId } });
    }
    await this.#waivers?.assertCleared(b.clientId as UserId, b.facilityId as FacilityId, uow);
    return this.#schedule(session, uow, async (ctx) => {
      const availability = await repository.findByCoachAndFacility(b.coachId, b.facilityId, ctx);
      const { timeZone } = await calendar.calendarOf(b.facilityId, b.startTime, endTime, ctx);
      const windows = availability ? availabilityWindows(availability, timeZone, b.startTime, endTime) : [];
      const covered = windows.some((w) => w.start <= b.startTime.getTime() && endTime.getTime() <= w.end);
      if (!covered) {
        throw new ConflictError('slot_unavailable', `Coach ${b.coachId} is not available at facility ${b.facilityId} for the whole slot`, { details: { facilityId: b.facilityId } });
      }
    });
  }

  /** The coach's availability windows at its facility over `[from, to)`, inside the facility's openings. */
  async #bookableWindows(availability: CoachAvailability, from: Date, to: Date, ctx: StoreContext | undefined): Promise<TimeInterval[]> {
    const { timeZone, openings } = await this.#availabilityParts().calendar.calendarOf(availability.facilityId, from, to, ctx);
    return intersectIntervals(availabilityWindows(availability, timeZone, from, to), openings);
  }

  /** The coach's scheduled sessions overlapping `[from, to)`, as intervals. */
  async #scheduledIntervals(coachId: UserId, from: Date, to: Date, ctx: StoreContext | undefined): Promise<TimeInterval[]> {
    const sessions = await this.#sessions.listScheduledBetween(coachId, from, to, ctx);
    return sessions.map((s) => ({ start: s.startTime.getTime(), end: s.endTime.getTime() }));
  }

  #availabilityParts(): CoachingAvailabilityParts {
    if (!this.#availability) throw new Error('This coaching service was built without coach availabilities (createCoachingModule builds them)');
    return this.#availability;
  }

  /**
   * Schedules a parsed session in a unit; `check`, when given, runs after the agendas are
   * locked and before the overlap check (a refusal there writes nothing).
   */
  async #schedule(s: CreatePtSessionData, uow: UnitOfWork | undefined, check?: (ctx: StoreContext) => Promise<void>): Promise<PtSession> {
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      if (s.coachClientId) {
        const relation = await this.#relations.getById(s.coachClientId, u.ctx);
        if (relation.coachId !== s.coachId || relation.clientId !== s.clientId || relation.relationship.status !== 'active') {
          throw new ConflictError('relationship_not_active', `Coach client ${s.coachClientId} is not an active relationship of this coach and client`);
        }
      }
      if (s.location.type === 'facility' && s.facilityId && !(await this.#openingHours.isOpenThroughout(s.facilityId, s.startTime, s.endTime, u.ctx))) {
        throw new ConflictError('facility_closed', `Facility ${s.facilityId} is not open for the whole session`, { details: { facilityId: s.facilityId } });
      }
      // Sorted, so two units locking the same pair of agendas take them in the same order.
      for (const key of [agendaKey('coach', s.coachId), agendaKey('client', s.clientId)].sort()) await this.#locks.lock(key, u.ctx);
      if (check) await check(u.ctx);
      const clashes = await this.#sessions.findOverlapping({ coachId: s.coachId, clientId: s.clientId, start: s.startTime, end: s.endTime }, u.ctx);
      if (clashes.length > 0) {
        throw new ConflictError('session_overlap', 'The session overlaps another scheduled session of the coach or the client', { details: { overlapping: clashes.map((c) => c.id) } });
      }
      return this.#sessions.create(s, u.ctx);
    }, { maxAttempts: AGENDA_ATTEMPTS });
  }

  /**
   * The PT sessions of one client (their "my sessions"), newest first, a page at a time;
   * `range` bounds the start time. Through a scope, a client lists only their own.
   *
   * @example
   * ```ts
   * const { items } = await asClient.coaching.listClientSessions(clientId, { from: '2026-03-01' });
   * ```
   */
  async listClientSessions(clientId: UserId, range: TimeRangeInput = {}, page?: PageRequest, uow?: UnitOfWork): Promise<Page<PtSession>> {
    return this.#sessions.listByClient(this.#parse(userIdSchema, clientId), range, page, uow?.ctx);
  }

  /**
   * The PT sessions a coach gives, newest first, a page at a time; `range` bounds the start
   * time. Through a scope, a coach lists only their own agenda.
   *
   * @example
   * ```ts
   * const { items } = await asCoach.coaching.listCoachSessions(coachId, { from: '2026-03-01', to: '2026-03-08' });
   * ```
   */
  async listCoachSessions(coachId: UserId, range: TimeRangeInput = {}, page?: PageRequest, uow?: UnitOfWork): Promise<Page<PtSession>> {
    return this.#sessions.listByCoach(this.#parse(userIdSchema, coachId), range, page, uow?.ctx);
  }

  /** The session; `NotFoundError` when there is none. */
  async getSession(id: PtSessionId, uow?: UnitOfWork): Promise<PtSession> {
    return this.#sessions.getById(this.#parse(sessionIdSchema, id), uow?.ctx);
  }

  /**
   * Cancels a scheduled session, by its coach or its client (`ForbiddenError` otherwise),
   * recording who, why and when. `late` is true when it comes within
   * `lateCancellationMinutes` of the start — derived from `cancelledAt` and `startTime`,
   * which are stored, so it can always be recomputed ({@link isLateCancellation}).
   */
  async cancelSession(id: PtSessionId, input: CancelPtSessionInput, uow?: UnitOfWork): Promise<{ readonly session: PtSession; readonly late: boolean }> {
    const sessionId = this.#parse(sessionIdSchema, id);
    const c = this.#parse(cancelSchema, input);
    const current = await this.#sessions.getById(sessionId, uow?.ctx);
    if (c.by !== current.coachId && c.by !== current.clientId) throw new ForbiddenError(`User ${c.by} is neither the coach nor the client of PT session ${sessionId}`);
    const session = await this.#sessions.markCancelled(sessionId, { by: c.by, at: this.#deps.clock.now(), expectedVersion: current.version, ...(c.reason ? { reason: c.reason } : {}) }, uow?.ctx);
    return { session, late: this.isLateCancellation(session) };
  }

  /** Whether a cancelled session was cancelled within the late-cancellation window. */
  isLateCancellation(session: Pick<PtSession, 'startTime' | 'cancelledAt'>): boolean {
    return session.cancelledAt !== undefined && session.startTime.getTime() - session.cancelledAt.getTime() < this.policy.lateCancellationMinutes * 60_000;
  }

  /** The coach records that the client did not come; only once the session has started. */
  async markNoShow(id: PtSessionId, coachId: UserId, uow?: UnitOfWork): Promise<PtSession> {
    const session = await this.#sessionOfCoach(id, coachId, uow);
    if (this.#deps.clock.now().getTime() < session.startTime.getTime()) throw new ConflictError('session_not_started', `PT session ${session.id} has not started yet`);
    return this.#sessions.markNoShow(session.id, { expectedVersion: session.version }, uow?.ctx);
  }

  /**
   * Marks a scheduled session of `coachId` completed and emits `pt_session.completed`, in
   * `uow`. The package session it consumes is the `completePtSession` workflow's step.
   */
  async markSessionCompleted(id: PtSessionId, coachId: UserId, uow: UnitOfWork): Promise<PtSession> {
    const session = await this.#sessionOfCoach(id, coachId, uow);
    const completed = await this.#sessions.markCompleted(session.id, { expectedVersion: session.version }, uow.ctx);
    await uow.emit('pt_session.completed', { ptSessionId: completed.id, coachId: completed.coachId, clientId: completed.clientId });
    return completed;
  }

  /**
   * Stores the client's feedback on a completed session (`ConflictError('session_not_completed')`
   * before; `ConflictError('feedback_exists')` the second time; `ForbiddenError` for anyone but
   * the client). The coach's rating is updated by the `submitPtSessionFeedback` workflow.
   */
  async recordClientFeedback(id: PtSessionId, clientId: UserId, input: PtFeedbackInput, uow?: UnitOfWork): Promise<PtSession> {
    const sessionId = this.#parse(sessionIdSchema, id);
    const client = this.#parse(userIdSchema, clientId);
    const feedback = this.#parse(feedbackSchema, input);
    const session = await this.#sessions.getById(sessionId, uow?.ctx);
    if (session.clientId !== client) throw new ForbiddenError(`User ${client} is not the client of PT session ${sessionId}`);
    if (session.status !== 'completed') throw new ConflictError('session_not_completed', `PT session ${sessionId} is ${session.status}, not completed`);
    if (session.feedback.client) throw new ConflictError('feedback_exists', `PT session ${sessionId} already has the client's feedback`);
    // expectedVersion: two racing submissions cannot both land.
    return this.#sessions.patch(sessionId, { feedback: { ...session.feedback, client: feedback } }, { expectedVersion: session.version }, uow?.ctx);
  }

  async #sessionOfCoach(id: PtSessionId, coachId: UserId, uow: UnitOfWork | undefined): Promise<PtSession> {
    const session = await this.#sessions.getById(this.#parse(sessionIdSchema, id), uow?.ctx);
    if (session.coachId !== this.#parse(userIdSchema, coachId)) throw new ForbiddenError(`User ${coachId} is not the coach of PT session ${session.id}`);
    return session;
  }

  async #relationOf(id: CoachClientId, actorId: UserId, side: 'coach' | 'client' | 'either', uow: UnitOfWork | undefined): Promise<CoachClient> {
    const relation = await this.#relations.getById(this.#parse(relationIdSchema, id), uow?.ctx);
    const actor = this.#parse(userIdSchema, actorId);
    const allowed = (side !== 'client' && relation.coachId === actor) || (side !== 'coach' && relation.clientId === actor);
    if (!allowed) throw new ForbiddenError(`User ${actor} may not act as the ${side === 'either' ? 'coach or client' : side} of coach client ${relation.id}`);
    return relation;
  }

  async #transition(
    id: CoachClientId,
    actorId: UserId,
    side: 'coach' | 'either',
    from: readonly CoachClientStatus[],
    to: CoachClientStatus,
    next: (now: Date, current: CoachClient) => CoachClient['relationship'],
    uow: UnitOfWork | undefined,
  ): Promise<CoachClient> {
    const relation = await this.#relationOf(id, actorId, side, uow);
    assertTransition('coach client', relation.id, relation.relationship.status, from, to);
    return this.#relations.patch(relation.id, { relationship: next(this.#deps.clock.now(), relation) }, { expectedVersion: relation.version }, uow?.ctx);
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: 'coaching', ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}

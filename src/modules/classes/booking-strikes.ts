import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import type { ClassBookingId, FacilityId, UserId } from '../../core/ids.js';
import { idSchema } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { parseOrThrow } from '../../core/validation.js';
import type { DocumentLocks } from '../../stores/mongo/document-lock.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { auditSnapshot, type AuditTrail } from '../audit/audit-trail.js';
import type { ServiceDeps } from '../service-deps.js';
import type { BookingStrikeRepository, BookingSuspensionRepository } from './booking-strike.repository.js';
import { bookingSuspensionSchema, type BookingStrike, type BookingStrikeKind, type BookingSuspension } from './booking-strike.schema.js';

const DAY = 86_400_000;

/** The strike rules of a `BookingPolicy` (see there). */
export interface StrikePolicy {
  readonly strikesPerNoShow: number;
  readonly strikesPerLateCancellation: number;
  readonly strikeLimit?: number | undefined;
  readonly strikeWindowDays: number;
  readonly suspensionDays: number;
}

/** The booking a strike is for. */
export interface StruckBooking {
  readonly bookingId: ClassBookingId;
  readonly userId: UserId;
  readonly facilityId: FacilityId;
}

const memberSchema = z.strictObject({ userId: idSchema('UserId'), facilityId: idSchema('FacilityId') });
const liftSchema = memberSchema.extend({ reason: bookingSuspensionSchema.shape.liftReason });

/** The lock key serialising one member's strikes at a facility. */
export function memberStrikesKey(userId: string, facilityId: string): string {
  return `strikes:${userId}:${facilityId}`;
}

/**
 * Strikes and booking suspensions (Mindbody's and Glofox's late-cancel and no-show
 * penalties). A strike is recorded once per booking and kind; when a member's strikes at a
 * facility not yet used by a suspension, within the last `strikeWindowDays`, reach
 * `strikeLimit`, booking there is suspended for `suspensionDays` and those strikes are marked
 * as used. Days here are elapsed 24-hour days. A member's strikes are serialised by a lock
 * document in the unit, so concurrent no-shows reaching the limit suspend exactly once.
 *
 * @example
 * ```ts
 * const strikes = new BookingStrikes(strikeRepository, suspensionRepository, locks, audit, deps, policy)
 * await strikes.assertNotSuspended(userId, facilityId)
 * ```
 */
export class BookingStrikes {
  readonly #strikes: BookingStrikeRepository;
  readonly #suspensions: BookingSuspensionRepository;
  readonly #locks: DocumentLocks;
  readonly #audit: AuditTrail;
  readonly #deps: ServiceDeps;
  readonly #policy: StrikePolicy;

  constructor(strikes: BookingStrikeRepository, suspensions: BookingSuspensionRepository, locks: DocumentLocks, audit: AuditTrail, deps: ServiceDeps, policy: StrikePolicy) {
    this.#strikes = strikes;
    this.#suspensions = suspensions;
    this.#locks = locks;
    this.#audit = audit;
    this.#deps = deps;
    this.#policy = policy;
  }

  /**
   * Records the strike `kind` earns for `booking` under the policy (none when it earns 0), in
   * `uow`, and suspends the member when it reaches the limit. Returns the new suspension, if any.
   */
  async recordStrike(booking: StruckBooking, kind: BookingStrikeKind, uow: UnitOfWork): Promise<BookingSuspension | null> {
    const weight = kind === 'no_show' ? this.#policy.strikesPerNoShow : this.#policy.strikesPerLateCancellation;
    if (weight === 0) return null;
    const now = this.#deps.clock.now();
    await this.#locks.lock(memberStrikesKey(booking.userId, booking.facilityId), uow.ctx);
    await this.#strikes.create({ ...booking, kind, weight, at: now }, uow.ctx);
    await uow.emit('booking.strike', { bookingId: booking.bookingId, userId: booking.userId, kind, weight });
    const limit = this.#policy.strikeLimit;
    if (limit === undefined) return null;
    const open = await this.#strikes.listOpenStrikes(booking.userId, booking.facilityId, new Date(now.getTime() - this.#policy.strikeWindowDays * DAY), uow.ctx);
    const total = open.reduce((sum, s) => sum + s.weight, 0);
    if (total < limit) return null;
    const suspension = await this.#suspensions.create(
      { userId: booking.userId, facilityId: booking.facilityId, from: now, until: new Date(now.getTime() + this.#policy.suspensionDays * DAY), strikes: total },
      uow.ctx,
    );
    for (const strike of open) await this.#strikes.patch(strike.id, { suspensionId: suspension.id }, {}, uow.ctx);
    await uow.emit('booking.suspended', { userId: suspension.userId, facilityId: suspension.facilityId, until: suspension.until.toISOString() });
    return suspension;
  }

  /** The member's suspension at the facility in force now (not lifted, not over), or `null`. */
  async findActiveSuspension(userId: UserId, facilityId: FacilityId, uow?: UnitOfWork): Promise<BookingSuspension | null> {
    const m = this.#parse(memberSchema, { userId, facilityId });
    const latest = await this.#suspensions.findLatest(m.userId, m.facilityId, uow?.ctx);
    const now = this.#deps.clock.now().getTime();
    return latest && !latest.liftedAt && latest.until.getTime() > now ? latest : null;
  }

  /** Refuses with `ConflictError('booking_suspended')` (`details.until`) while the member's booking at the facility is suspended. */
  async assertNotSuspended(userId: UserId, facilityId: FacilityId, uow?: UnitOfWork): Promise<void> {
    const suspension = await this.findActiveSuspension(userId, facilityId, uow);
    if (!suspension) return;
    throw new ConflictError('booking_suspended', `Booking for user ${suspension.userId} at facility ${suspension.facilityId} is suspended until ${suspension.until.toISOString()}`, {
      details: { userId: suspension.userId, facilityId: suspension.facilityId, until: suspension.until.toISOString(), suspensionId: suspension.id },
    });
  }

  /** The member's strikes (every facility), oldest first, a page at a time. */
  async listStrikes(userId: UserId, page?: PageRequest, uow?: UnitOfWork): Promise<Page<BookingStrike>> {
    return this.#strikes.listByUser(this.#parse(memberSchema.shape.userId, userId), page, uow?.ctx);
  }

  /**
   * Lifts the member's suspension in force at the facility, with an audit row (the actor is
   * the unit's). `ConflictError('invalid_transition')` when there is none.
   */
  async liftSuspension(input: { readonly userId: UserId; readonly facilityId: FacilityId; readonly reason?: string | undefined }, uow?: UnitOfWork): Promise<BookingSuspension> {
    const l = this.#parse(liftSchema, input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      await this.#locks.lock(memberStrikesKey(l.userId, l.facilityId), u.ctx);
      const active = await this.findActiveSuspension(l.userId as UserId, l.facilityId as FacilityId, u);
      if (!active) {
        throw new ConflictError('invalid_transition', `User ${l.userId} has no booking suspension in force at facility ${l.facilityId}`, { details: { userId: l.userId, facilityId: l.facilityId } });
      }
      const actor = u.context.actorId;
      const lifted = await this.#suspensions.patch(
        active.id,
        { liftedAt: this.#deps.clock.now(), ...(actor ? { liftedBy: actor } : {}), ...(l.reason ? { liftReason: l.reason } : {}) },
        { expectedVersion: active.version },
        u.ctx,
      );
      await this.#audit.record(u, { entityType: 'booking_suspensions', entityId: lifted.id, action: 'booking_suspension.lifted', previousState: auditSnapshot(active), newState: auditSnapshot(lifted) });
      return lifted;
    });
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: 'booking suspension', ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}

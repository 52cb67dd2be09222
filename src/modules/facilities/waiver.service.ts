import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../core/errors.js';
import type { FacilityId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { parseOrThrow } from '../../core/validation.js';
import type { DocumentLocks } from '../../stores/mongo/document-lock.js';
import type { UnitOfWork, UnitOfWorkOptions } from '../../uow/unit-of-work.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import { auditSnapshot, type AuditTrail } from '../audit/audit-trail.js';
import type { ServiceDeps } from '../service-deps.js';
import type { FacilityRepository } from './facility.repository.js';
import type { WaiverRepository, WaiverSignatureRepository } from './waiver.repository.js';
import { publishWaiverInputSchema, signWaiverInputSchema, waiverSchema, waiverSignatureSchema, type PublishWaiverInput, type SignWaiverInput, type Waiver, type WaiverSignature } from './waiver.schema.js';

/**
 * Concurrent publications at one facility, or signatures of one member there, write the same
 * lock document and re-run one after another: more attempts than the default five.
 */
const WAIVER_UNIT_OPTIONS: UnitOfWorkOptions = { maxAttempts: 20 };

const facilityIdSchema = waiverSchema.shape.facilityId;
const userIdSchema = waiverSignatureSchema.shape.userId;
const versionSchema = waiverSchema.shape.waiverVersion;

/** The waiver version a member must sign before booking or checking in at a facility. */
export interface RequiredWaiver {
  readonly waiverId: string;
  readonly version: number;
}

/**
 * Whether a member may book and check in at a facility as far as waivers go: `cleared` when
 * the facility has no waiver or the member's newest signature there is recent enough.
 * `required` is the version to sign when not cleared; `signature` the member's newest one there.
 */
export interface WaiverClearance {
  readonly cleared: boolean;
  readonly required: RequiredWaiver | null;
  readonly signature: WaiverSignature | null;
}

/** The lock key serialising the waiver versions of one facility. */
function facilityWaiversKey(facilityId: string): string {
  return `waivers:${facilityId}`;
}

/** The lock key serialising one member's signatures at a facility. */
function memberSignaturesKey(userId: string, facilityId: string): string {
  return `waiver-signatures:${userId}:${facilityId}`;
}

/**
 * Liability waivers signed before the first booking (Mindbody's "liability waiver", Glofox's
 * "waivers"). A facility publishes numbered, immutable versions; a version that
 * `requiresResign` must be signed again by members who signed an earlier one, another only by
 * members who never signed. `bookClass`, PT slot bookings and check-ins refuse with
 * `ConflictError('waiver_required')` (`details.waiverId`, `details.version`) until the member
 * has signed. Waivers are per facility, not per business (decision 50).
 *
 * @example
 * ```ts
 * const waivers = new WaiverService(waiverRepository, signatureRepository, facilityRepository, locks, audit, deps)
 * const v1 = await waivers.publish({ facilityId, title: 'Sorumluluk feragatnamesi', body: 'Derslere kendi sorumluluğumda katılıyorum.' })
 * await waivers.sign({ userId, facilityId, version: v1.waiverVersion, signedName: 'Ayşe Yılmaz' })
 * await waivers.assertCleared(userId, facilityId) // passes
 * ```
 */
export class WaiverService {
  readonly #waivers: WaiverRepository;
  readonly #signatures: WaiverSignatureRepository;
  readonly #facilities: FacilityRepository;
  readonly #locks: DocumentLocks;
  readonly #audit: AuditTrail;
  readonly #deps: ServiceDeps;

  constructor(waivers: WaiverRepository, signatures: WaiverSignatureRepository, facilities: FacilityRepository, locks: DocumentLocks, audit: AuditTrail, deps: ServiceDeps) {
    this.#waivers = waivers;
    this.#signatures = signatures;
    this.#facilities = facilities;
    this.#locks = locks;
    this.#audit = audit;
    this.#deps = deps;
  }

  /**
   * Publishes the facility's next waiver version (1, 2, …), with an audit row naming who
   * published it. Concurrent publications at one facility are serialised: they get
   * consecutive versions, never the same one. `NotFoundError` for an unknown facility.
   *
   * @example
   * ```ts
   * const v2 = await asManager.waivers.publish({ facilityId, title: 'Feragatname 2026', body, requiresResign: true })
   * ```
   */
  async publish(input: PublishWaiverInput, uow?: UnitOfWork): Promise<Waiver> {
    const p = this.#parse(publishWaiverInputSchema, input);
    await this.#facilities.getById(p.facilityId, uow?.ctx);
    return inUnitOfWork(
      this.#deps.units,
      uow,
      async (u) => {
        await this.#locks.lock(facilityWaiversKey(p.facilityId), u.ctx);
        const previous = await this.#waivers.findCurrent(p.facilityId as FacilityId, u.ctx);
        const version = (previous?.waiverVersion ?? 0) + 1;
        const actor = u.context.actorId;
        const waiver = await this.#waivers.create(
          {
            ...p,
            waiverVersion: version,
            publishedAt: this.#deps.clock.now(),
            ...(actor ? { publishedBy: actor } : {}),
            minimumSignedVersion: p.requiresResign || !previous ? version : previous.minimumSignedVersion,
          },
          u.ctx,
        );
        await this.#audit.record(u, { entityType: 'waivers', entityId: waiver.id, action: 'waiver.published', newState: auditSnapshot({ ...waiver, body: `${waiver.body.length} characters` }) });
        return waiver;
      },
      WAIVER_UNIT_OPTIONS,
    );
  }

  /** The facility's current (newest) waiver, or `null` when it has none. */
  async findCurrent(facilityId: FacilityId, uow?: UnitOfWork): Promise<Waiver | null> {
    return this.#waivers.findCurrent(this.#parse(facilityIdSchema, facilityId) as FacilityId, uow?.ctx);
  }

  /** One version of the facility's waiver; `NotFoundError` when it was never published. */
  async getVersion(facilityId: FacilityId, version: number, uow?: UnitOfWork): Promise<Waiver> {
    const id = this.#parse(facilityIdSchema, facilityId) as FacilityId;
    const v = this.#parse(versionSchema, version);
    const waiver = await this.#waivers.findVersion(id, v, uow?.ctx);
    if (!waiver) throw new NotFoundError('waiver', `${id} version ${v}`);
    return waiver;
  }

  /** Every version the facility published, newest first, a page at a time. */
  async listVersions(facilityId: FacilityId, page?: PageRequest, uow?: UnitOfWork): Promise<Page<Waiver>> {
    return this.#waivers.listByFacility(this.#parse(facilityIdSchema, facilityId) as FacilityId, page, uow?.ctx);
  }

  /**
   * The member signs a version of the facility's waiver. Signing a version already signed
   * returns that signature and writes nothing (concurrent signatures of one version make one).
   * `NotFoundError` for a version never published; `ConflictError('waiver_version_superseded')`
   * (`details.waiverId`, `details.version`: the one to sign) for a version older than the one
   * the current waiver requires.
   *
   * @example
   * ```ts
   * const signature = await asMember.waivers.sign({ userId, facilityId, version: 2, signedName: 'Ayşe Yılmaz', ipAddress: '203.0.113.7' })
   * ```
   */
  async sign(input: SignWaiverInput, uow?: UnitOfWork): Promise<WaiverSignature> {
    const s = this.#parse(signWaiverInputSchema, input);
    const userId = s.userId as UserId;
    const facilityId = s.facilityId as FacilityId;
    return inUnitOfWork(
      this.#deps.units,
      uow,
      async (u) => {
        await this.#locks.lock(memberSignaturesKey(userId, facilityId), u.ctx);
        const waiver = await this.#waivers.findVersion(facilityId, s.version, u.ctx);
        if (!waiver) throw new NotFoundError('waiver', `${facilityId} version ${s.version}`);
        const current = (await this.#waivers.findCurrent(facilityId, u.ctx)) ?? waiver;
        if (waiver.waiverVersion < current.minimumSignedVersion) {
          throw new ConflictError('waiver_version_superseded', `Version ${waiver.waiverVersion} of the waiver of facility ${facilityId} was superseded: sign version ${current.waiverVersion}`, {
            details: { waiverId: current.id, version: current.waiverVersion, signedVersion: waiver.waiverVersion },
          });
        }
        const existing = await this.#signatures.findByWaiver(userId, waiver.id, u.ctx);
        if (existing) return existing;
        return this.#signatures.create(
          {
            userId,
            facilityId,
            waiverId: waiver.id,
            waiverVersion: waiver.waiverVersion,
            signedAt: this.#deps.clock.now(),
            signedName: s.signedName,
            ...(s.ipAddress ? { ipAddress: s.ipAddress } : {}),
            ...(s.userAgent ? { userAgent: s.userAgent } : {}),
          },
          u.ctx,
        );
      },
      WAIVER_UNIT_OPTIONS,
    );
  }

  /** The member's signatures at every facility, oldest first, a page at a time. */
  async listSignatures(userId: UserId, page?: PageRequest, uow?: UnitOfWork): Promise<Page<WaiverSignature>> {
    return this.#signatures.listByUser(this.#parse(userIdSchema, userId) as UserId, page, uow?.ctx);
  }

  /**
   * Whether the member is cleared at the facility as far as waivers go: the facility has no
   * waiver (one indexed read), or the member's newest signature there is at least the current
   * waiver's `minimumSignedVersion` (a second one).
   */
  async getClearance(userId: UserId, facilityId: FacilityId, uow?: UnitOfWork): Promise<WaiverClearance> {
    const user = this.#parse(userIdSchema, userId) as UserId;
    const facility = this.#parse(facilityIdSchema, facilityId) as FacilityId;
    const current = await this.#waivers.findCurrent(facility, uow?.ctx);
    if (!current) return { cleared: true, required: null, signature: null };
    const signature = await this.#signatures.findNewest(user, facility, uow?.ctx);
    const cleared = signature !== null && signature.waiverVersion >= current.minimumSignedVersion;
    return { cleared, required: cleared ? null : { waiverId: current.id, version: current.waiverVersion }, signature };
  }

  /**
   * Refuses with `ConflictError('waiver_required')` (`details.waiverId`, `details.version`)
   * while the facility has a waiver the member has not signed (see {@link getClearance}). The
   * check of `bookClass`, PT slot bookings and check-ins.
   */
  async assertCleared(userId: UserId, facilityId: FacilityId, uow?: UnitOfWork): Promise<void> {
    const { cleared, required } = await this.getClearance(userId, facilityId, uow);
    if (cleared || !required) return;
    throw new ConflictError('waiver_required', `User ${userId} must sign version ${required.version} of the waiver of facility ${facilityId} first`, {
      details: { waiverId: required.waiverId, version: required.version, facilityId },
    });
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: 'waiver', ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}

import { z } from 'zod';
import { ConflictError } from '../../core/errors.js';
import type { FacilityId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { coordinatesSchema, instantSchema, type Coordinates } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import { auditSnapshot, type AuditTrail } from '../audit/audit-trail.js';
import type { ServiceDeps } from '../service-deps.js';
import type { FacilityNearby, FacilityRepository, FindNearOptions } from './facility.repository.js';
import {
  createFacilityInputSchema,
  FACILITY_PERMISSIONS,
  facilitySchema,
  patchFacilityInputSchema,
  staffMemberSchema,
  type CreateFacilityInput,
  type Facility,
  type FacilityPermission,
  type FacilityStaffRole,
  type PatchFacilityInput,
} from './facility.schema.js';
import { isFacilityOpenAt, nextFacilityOpening, type OpeningInterval } from './opening-hours.js';

/**
 * What a staff role may do when no permissions are given on hiring. A manager runs the
 * facility but does not hire (the owner does); other roles get what their work needs.
 */
export const DEFAULT_STAFF_PERMISSIONS: Readonly<Record<FacilityStaffRole, readonly FacilityPermission[]>> = {
  manager: FACILITY_PERMISSIONS.filter((p) => p !== 'manage_staff'),
  coach: ['manage_classes', 'view_members', 'check_in_members'],
  instructor: ['manage_classes', 'view_members', 'check_in_members'],
  receptionist: ['check_in_members', 'manage_bookings', 'view_members'],
  maintenance: [],
  other: [],
};

/**
 * Staff changes all write the one facility document, so concurrent hires conflict in
 * MongoDB's transactions; they are re-run more often than the default five attempts.
 */
const STAFF_UNIT_OPTIONS = { maxAttempts: 20 } as const;

const facilityIdSchema = facilitySchema.shape.id;
const userIdSchema = facilitySchema.shape.ownerId;
const permissionSchema = z.enum(FACILITY_PERMISSIONS);
const versionOptionsSchema = z.strictObject({ expectedVersion: z.number().int().min(1).optional() });

const hireSchema = z.strictObject({
  userId: userIdSchema,
  role: staffMemberSchema.shape.role,
  permissions: staffMemberSchema.shape.permissions.optional(),
});
/** A staff member to add; without `permissions` the role's {@link DEFAULT_STAFF_PERMISSIONS} apply. */
export type AddStaffInput = z.input<typeof hireSchema>;

const staffChangeSchema = z.strictObject({
  role: staffMemberSchema.shape.role.optional(),
  permissions: staffMemberSchema.shape.permissions.optional(),
});
export type ChangeStaffInput = z.input<typeof staffChangeSchema>;

/** A facility, or its id (the service loads it). */
export type FacilityRef = Facility | FacilityId;

/**
 * Gyms and studios: create and update, staff with roles and permissions, opening hours in
 * the facility's time zone, and nearest facilities around a point. Staff changes are
 * privileged and write an audit row in the same unit of work.
 *
 * @example
 * ```ts
 * const facilities = new FacilityService(repository, audit, deps);
 * const gym = await facilities.create({ name: 'Moda Gym', type: 'gym', ownerId, address });
 * await facilities.addStaff(gym.id, { userId: coachId, role: 'coach' });
 * await facilities.hasPermission(gym.id, coachId, 'manage_classes'); // true
 * ```
 */
export class FacilityService {
  readonly #facilities: FacilityRepository;
  readonly #audit: AuditTrail;
  readonly #deps: ServiceDeps;

  constructor(facilities: FacilityRepository, audit: AuditTrail, deps: ServiceDeps) {
    this.#facilities = facilities;
    this.#audit = audit;
    this.#deps = deps;
  }

  /** Creates a facility (timezone defaults to `Europe/Istanbul`). */
  async create(input: CreateFacilityInput, uow?: UnitOfWork): Promise<Facility> {
    const data = this.#parse(createFacilityInputSchema, input);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const facility = await this.#facilities.create(data, u.ctx);
      await this.#audit.record(u, { entityType: 'facilities', entityId: facility.id, action: 'create', newState: auditSnapshot(facility) });
      return facility;
    });
  }

  /** One facility; `NotFoundError` when there is none. */
  async getById(facilityId: FacilityId, uow?: UnitOfWork): Promise<Facility> {
    return this.#facilities.getById(this.#parse(facilityIdSchema, facilityId), uow?.ctx);
  }

  /** Applies a patch (optionally version-checked); ownership and staff have their own operations. */
  async update(facilityId: FacilityId, patch: PatchFacilityInput, options: { expectedVersion?: number } = {}, uow?: UnitOfWork): Promise<Facility> {
    const id = this.#parse(facilityIdSchema, facilityId);
    const changes = this.#parse(patchFacilityInputSchema, patch);
    const write = this.#parse(versionOptionsSchema, options);
    if (changes.staff !== undefined) {
      throw new ConflictError('staff_via_staff_operations', 'Staff changes go through addStaff, changeStaff and removeStaff');
    }
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#facilities.getById(id, u.ctx);
      const after = await this.#facilities.patch(id, changes, write.expectedVersion === undefined ? {} : { expectedVersion: write.expectedVersion }, u.ctx);
      await this.#audit.record(u, { entityType: 'facilities', entityId: id, action: 'update', previousState: auditSnapshot(before), newState: auditSnapshot(after) });
      return after;
    });
  }

  /** The facilities a user owns. */
  async listByOwner(ownerId: UserId, page?: PageRequest, uow?: UnitOfWork): Promise<Page<Facility>> {
    return this.#facilities.listByOwner(this.#parse(userIdSchema, ownerId), page, uow?.ctx);
  }

  /**
   * Adds a staff member. The owner is never staff (they hold every permission already):
   * `ConflictError('owner_is_not_staff')`; someone already on the staff: `ConflictError('duplicate_staff')`.
   */
  async addStaff(facilityId: FacilityId, input: AddStaffInput, uow?: UnitOfWork): Promise<Facility> {
    const id = this.#parse(facilityIdSchema, facilityId);
    const hire = this.#parse(hireSchema, input);
    // Read before the unit: the owner never changes through staff operations, and a read
    // inside the transaction widens the window in which concurrent hires conflict.
    const facility = await this.#facilities.getById(id, uow?.ctx);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      if (facility.ownerId === hire.userId) {
        throw new ConflictError('owner_is_not_staff', `User ${hire.userId} owns facility ${id} and holds every permission already`);
      }
      const permissions = hire.permissions ?? [...DEFAULT_STAFF_PERMISSIONS[hire.role]];
      const after = await this.#facilities.addStaff(id, { userId: hire.userId, role: hire.role, permissions }, {}, u.ctx);
      await this.#auditStaff(u, id, 'staff.add', null, after, hire.userId);
      return after;
    }, STAFF_UNIT_OPTIONS);
  }

  /** Changes a staff member's role and/or permissions; `NotFoundError` when not on the staff. */
  async changeStaff(facilityId: FacilityId, userId: UserId, changes: ChangeStaffInput, uow?: UnitOfWork): Promise<Facility> {
    const id = this.#parse(facilityIdSchema, facilityId);
    const member = this.#parse(userIdSchema, userId);
    const change = this.#parse(staffChangeSchema, changes);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#facilities.getById(id, u.ctx);
      const after = await this.#facilities.updateStaff(id, member, definedOnly(change), {}, u.ctx);
      await this.#auditStaff(u, id, 'staff.change', before, after, member);
      return after;
    }, STAFF_UNIT_OPTIONS);
  }

  /** Removes a staff member; `NotFoundError` when not on the staff. */
  async removeStaff(facilityId: FacilityId, userId: UserId, uow?: UnitOfWork): Promise<Facility> {
    const id = this.#parse(facilityIdSchema, facilityId);
    const member = this.#parse(userIdSchema, userId);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const before = await this.#facilities.getById(id, u.ctx);
      const after = await this.#facilities.removeStaff(id, member, {}, u.ctx);
      await this.#auditStaff(u, id, 'staff.remove', before, null, member);
      return after;
    }, STAFF_UNIT_OPTIONS);
  }

  /**
   * Whether `userId` may do `permission` at the facility: the owner may do everything, a staff
   * member what their permissions list, anyone else nothing. Other services and the access
   * policy ask this.
   */
  async hasPermission(facilityId: FacilityId, userId: UserId, permission: FacilityPermission, uow?: UnitOfWork): Promise<boolean> {
    const facility = await this.getById(facilityId, uow);
    const user = this.#parse(userIdSchema, userId);
    const wanted = this.#parse(permissionSchema, permission);
    if (facility.ownerId === user) return true;
    return facility.staff.some((s) => s.userId === user && s.permissions.includes(wanted));
  }

  /** Whether the facility is open at `instant`, by its opening hours in its own time zone. */
  async isOpenAt(facility: FacilityRef, instant: Date, uow?: UnitOfWork): Promise<boolean> {
    return isFacilityOpenAt(await this.#resolve(facility, uow), this.#parse(instantSchema, instant));
  }

  /** The opening in progress at `instant` or the next one; `null` when the facility never opens. */
  async nextOpening(facility: FacilityRef, instant: Date, uow?: UnitOfWork): Promise<OpeningInterval | null> {
    return nextFacilityOpening(await this.#resolve(facility, uow), this.#parse(instantSchema, instant));
  }

  /** Facilities within a radius of `point`, nearest first, filtered by type and amenities. */
  async findNear(point: Coordinates, options: FindNearOptions, uow?: UnitOfWork): Promise<FacilityNearby[]> {
    return this.#facilities.findNear(this.#parse(coordinatesSchema, point), options, uow?.ctx);
  }

  async #resolve(facility: FacilityRef, uow: UnitOfWork | undefined): Promise<Facility> {
    return typeof facility === 'string' ? this.getById(facility, uow) : this.#parse(facilitySchema, facility);
  }

  async #auditStaff(u: UnitOfWork, facilityId: string, action: string, before: Facility | null, after: Facility | null, userId: string): Promise<void> {
    const staffOf = (f: Facility | null) => (f ? (f.staff.find((s) => s.userId === userId) ?? null) : null);
    const previous = staffOf(before);
    const next = staffOf(after);
    await this.#audit.record(u, {
      entityType: 'facilities',
      entityId: facilityId,
      action,
      previousState: previous ? auditSnapshot(previous) : null,
      newState: next ? auditSnapshot(next) : null,
    });
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { ...(this.#deps.locale ? { locale: this.#deps.locale } : {}), entity: 'facility' });
  }
}

function definedOnly<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}

import { z } from 'zod';
import { ConcurrencyError, ConflictError, ForbiddenError } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { emailSchema, requiredText } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import { auditSnapshot, type AuditTrail } from '../audit/audit-trail.js';
import type { ServiceDeps } from '../service-deps.js';
import { PasswordHasher } from './password-hasher.js';
import type { UserRepository } from './user.repository.js';
import {
  coachRoleDataSchema,
  passwordSchema,
  patchUserInputSchema,
  registerUserInputSchema,
  roleSpecificDataSchema,
  USER_ROLES,
  userSchema,
  type RegisterUserInput,
  type RoleSpecificData,
  type User,
  type UserRole,
} from './user.schema.js';

const idSchema = userSchema.shape.id;
const roleSchema = z.enum(USER_ROLES);
const versionOptionsSchema = z.strictObject({ expectedVersion: z.number().int().min(1).optional() });

/**
 * What a login may send. The shapes are checked (a non-string is a programming error and a
 * `ValidationError`); the lengths are not, so a wrong-looking e-mail or password is simply
 * a failed login that costs the same time as any other.
 */
const credentialsSchema = z.strictObject({ email: z.string().max(1_024), password: z.string().max(1_024) });

const changePasswordSchema = z.strictObject({ currentPassword: z.string().max(1_024), newPassword: passwordSchema });

/**
 * Role data a user may edit through {@link UserService.updateProfile}: every role's block,
 * except that a coach's `ratings` and `reviewCount` are kept — they are computed from
 * session feedback, not typed in.
 */
const editableRoleDataSchema = roleSpecificDataSchema.extend({
  coach: coachRoleDataSchema.omit({ ratings: true, reviewCount: true }).optional(),
});

/** What {@link UserService.updateProfile} may change. Roles, activity and the FCM token have their own methods. */
export const updateProfileInputSchema = z
  .strictObject({
    firstName: patchUserInputSchema.shape.firstName,
    lastName: patchUserInputSchema.shape.lastName,
    profileImage: patchUserInputSchema.shape.profileImage,
    phoneNumber: patchUserInputSchema.shape.phoneNumber,
    roleSpecificData: editableRoleDataSchema.optional(),
  })
  .refine((patch) => Object.values(patch).some((v) => v !== undefined), { error: 'Expected at least one field to change' });
export type UpdateProfileInput = z.input<typeof updateProfileInputSchema>;

const fcmTokenSchema = requiredText(4_096).nullable();

/** Role data a caller passes to {@link UserService.addRole}: the block of that role. */
export type RoleDataInput<R extends UserRole> = z.input<(typeof roleSpecificDataSchema.shape)[R]>;

/** Options of a write that checks the version the caller read. */
export interface ExpectedVersion {
  readonly expectedVersion?: number;
}

/**
 * Users and authentication: registration, credentials, roles and their data, activity,
 * profile and push token. Reads never carry `passwordHash`; only the credential checks read
 * it, through the repository's methods named for that (SPEC decision 3).
 *
 * @example
 * ```ts
 * const users = new UserService(userRepository, auditTrail, deps)
 * const ayse = await users.register({ email: 'Ayse@Example.com', password: 'gizli-şifre-1', firstName: 'Ayşe', lastName: 'Yılmaz', role: ['client'] })
 * const same = await users.verifyCredentials('ayse@example.com', 'gizli-şifre-1') // the user, or null
 * ```
 */
export class UserService {
  readonly #users: UserRepository;
  readonly #audit: AuditTrail;
  readonly #deps: ServiceDeps;
  readonly #hasher: PasswordHasher;

  constructor(users: UserRepository, audit: AuditTrail, deps: ServiceDeps, options: { readonly hasher?: PasswordHasher } = {}) {
    this.#users = users;
    this.#audit = audit;
    this.#deps = deps;
    this.#hasher = options.hasher ?? new PasswordHasher();
  }

  /**
   * Registers a user: the e-mail is normalised (ASCII case folded, NFC, trimmed; Turkish
   * letters kept) and must be unused (`ConflictError('duplicate')`); the password is hashed
   * with scrypt before anything is written. Emits `user.registered`.
   */
  async register(input: RegisterUserInput, uow?: UnitOfWork): Promise<User> {
    const { password, ...profile } = this.#parse(registerUserInputSchema, input);
    // Hash outside the unit: 50 ms of KDF should not hold transactions open.
    const passwordHash = await this.#hasher.hash(password);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const user = await this.#users.create({ ...profile, passwordHash }, u.ctx);
      await u.emit('user.registered', { userId: user.id });
      return user;
    });
  }

  /**
   * The user whose e-mail and password these are, or `null` when they are not (unknown
   * e-mail, wrong password, or a malformed e-mail or password — the caller cannot tell
   * which, and every case costs one scrypt verification, so timing does not tell either).
   * Correct credentials of a deactivated account throw `ForbiddenError` with
   * `details.reason = 'deactivated'` (only someone who knows the password learns that).
   * When the stored hash was made with weaker parameters than the current ones, a new hash
   * is stored; a concurrent change of the user skips that (the next login retries).
   */
  async verifyCredentials(email: string, password: string, uow?: UnitOfWork): Promise<User | null> {
    const given = this.#parse(credentialsSchema, { email, password }, 'credentials');
    const normalised = emailSchema.safeParse(given.email);
    const wellFormed = normalised.success && passwordSchema.safeParse(given.password).success;
    const credentials = wellFormed ? await this.#users.findCredentialsByEmail(normalised.data, uow?.ctx) : null;
    if (!credentials) {
      await this.#hasher.spendVerificationTime(given.password.slice(0, 128));
      return null;
    }
    if (!(await this.#hasher.verify(given.password, credentials.passwordHash))) return null;
    if (!credentials.user.isActive) {
      throw new ForbiddenError('This account is deactivated', { details: { reason: 'deactivated', userId: credentials.user.id } });
    }
    if (!this.#hasher.needsRehash(credentials.passwordHash)) return credentials.user;
    const stronger = await this.#hasher.hash(given.password);
    try {
      return await this.#users.setPasswordHash(credentials.user.id as UserId, stronger, { expectedVersion: credentials.user.version }, uow?.ctx);
    } catch (error) {
      if (error instanceof ConcurrencyError) return credentials.user;
      throw error;
    }
  }

  /**
   * Replaces the password after checking the current one: a wrong current password is a
   * `ForbiddenError` with `details.reason = 'invalid_credentials'`. Audited (without any
   * password material) as `user.password_changed`.
   */
  async changePassword(userId: UserId, input: { readonly currentPassword: string; readonly newPassword: string }, uow?: UnitOfWork): Promise<User> {
    const id = this.#id(userId);
    const { currentPassword, newPassword } = this.#parse(changePasswordSchema, input, 'password change');
    const credentials = await this.#users.getWithPasswordHash(id, uow?.ctx);
    if (!(await this.#hasher.verify(currentPassword, credentials.passwordHash))) {
      throw new ForbiddenError('The current password is incorrect', { details: { reason: 'invalid_credentials' } });
    }
    const passwordHash = await this.#hasher.hash(newPassword);
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const user = await this.#users.setPasswordHash(id, passwordHash, { expectedVersion: credentials.user.version }, u.ctx);
      await this.#audit.record(u, { entityType: 'users', entityId: id, action: 'user.password_changed' });
      return user;
    });
  }

  /** The user (never with its password hash); `NotFoundError` when there is none. */
  async getById(userId: UserId, uow?: UnitOfWork): Promise<User> {
    return this.#users.getById(this.#id(userId), uow?.ctx);
  }

  /** The user with this e-mail, normalised as on registration, or `null`. */
  async findByEmail(email: string, uow?: UnitOfWork): Promise<User | null> {
    return this.#users.findByEmail(this.#parse(emailSchema, email, 'e-mail'), uow?.ctx);
  }

  /** Users having `role`, in id order (keyset pages). */
  async listByRole(role: UserRole, page?: PageRequest, uow?: UnitOfWork): Promise<Page<User>> {
    return this.#users.listByRole(this.#parse(roleSchema, role, 'role'), page, uow?.ctx);
  }

  /**
   * Gives the user `role` with its data, validated against that role's schema (a gym member
   * needs its `facilityId` and `memberSince`; a client's block may be empty). A role the
   * user already has is `ConflictError('role_already_assigned')`. A privileged change:
   * audited as `user.role_added` in the same unit.
   */
  async addRole<R extends UserRole>(userId: UserId, role: R, roleData?: RoleDataInput<R>, options: ExpectedVersion = {}, uow?: UnitOfWork): Promise<User> {
    const id = this.#id(userId);
    const parsedRole = this.#parse(roleSchema, role, 'role');
    const data = this.#parse(roleSpecificDataSchema.shape[parsedRole].unwrap(), roleData === undefined ? {} : roleData, `${parsedRole} role data`);
    const { expectedVersion } = this.#parse(versionOptionsSchema, options, 'options');
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const current = await this.#users.getById(id, u.ctx);
      if (current.role.includes(parsedRole)) {
        throw new ConflictError('role_already_assigned', `User ${id} already has the role ${parsedRole}`, { details: { userId: id, role: parsedRole } });
      }
      const roleSpecificData: RoleSpecificData = { ...current.roleSpecificData, [parsedRole]: data };
      const updated = await this.#users.patch(id, { role: [...current.role, parsedRole], roleSpecificData }, { expectedVersion: expectedVersion ?? current.version }, u.ctx);
      await this.#audit.record(u, {
        entityType: 'users',
        entityId: id,
        action: 'user.role_added',
        previousState: auditSnapshot({ role: current.role }),
        newState: auditSnapshot({ role: updated.role, roleSpecificData: { [parsedRole]: data } }),
      });
      return updated;
    });
  }

  /**
   * Takes `role` and its data away. A user keeps at least one role
   * (`ConflictError('last_role')`); a role the user does not have is
   * `ConflictError('role_not_assigned')`. Audited as `user.role_removed`.
   */
  async removeRole(userId: UserId, role: UserRole, options: ExpectedVersion = {}, uow?: UnitOfWork): Promise<User> {
    const id = this.#id(userId);
    const parsedRole = this.#parse(roleSchema, role, 'role');
    const { expectedVersion } = this.#parse(versionOptionsSchema, options, 'options');
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const current = await this.#users.getById(id, u.ctx);
      if (!current.role.includes(parsedRole)) {
        throw new ConflictError('role_not_assigned', `User ${id} does not have the role ${parsedRole}`, { details: { userId: id, role: parsedRole } });
      }
      if (current.role.length === 1) {
        throw new ConflictError('last_role', `User ${id} must keep at least one role`, { details: { userId: id, role: parsedRole } });
      }
      const { [parsedRole]: removedData, ...roleSpecificData } = current.roleSpecificData;
      const updated = await this.#users.patch(
        id,
        { role: current.role.filter((r) => r !== parsedRole), roleSpecificData },
        { expectedVersion: expectedVersion ?? current.version },
        u.ctx,
      );
      await this.#audit.record(u, {
        entityType: 'users',
        entityId: id,
        action: 'user.role_removed',
        previousState: auditSnapshot({ role: current.role, roleSpecificData: { [parsedRole]: removedData ?? null } }),
        newState: auditSnapshot({ role: updated.role }),
      });
      return updated;
    });
  }

  /**
   * Deactivates the account: it can no longer log in, and its FCM token is dropped so no
   * push reaches the device (it registers again after reactivation). Emits
   * `user.deactivated` and writes an audit row. Deactivating an inactive user changes
   * nothing and emits nothing.
   */
  async deactivate(userId: UserId, options: ExpectedVersion = {}, uow?: UnitOfWork): Promise<User> {
    return this.#setActive(userId, false, options, uow);
  }

  /** Reactivates a deactivated account (audited as `user.reactivated`); an active user is returned unchanged. */
  async reactivate(userId: UserId, options: ExpectedVersion = {}, uow?: UnitOfWork): Promise<User> {
    return this.#setActive(userId, true, options, uow);
  }

  /**
   * Changes names, profile image, phone number and role data. `null` clears an optional
   * field. A role block replaces that role's block as a whole and is allowed only for roles
   * the user has (`ValidationError`); a coach's `ratings` and `reviewCount` cannot be set
   * here. With `expectedVersion`, a stale version is a `ConcurrencyError`.
   */
  async updateProfile(userId: UserId, patch: UpdateProfileInput, options: ExpectedVersion = {}, uow?: UnitOfWork): Promise<User> {
    const id = this.#id(userId);
    const changes = this.#parse(updateProfileInputSchema, patch, 'profile');
    const { expectedVersion } = this.#parse(versionOptionsSchema, options, 'options');
    const current = await this.#users.getById(id, uow?.ctx);
    if (expectedVersion !== undefined && current.version !== expectedVersion) throw new ConcurrencyError('user', id);
    const { roleSpecificData: roleChanges, ...fields } = changes;
    let roleSpecificData: RoleSpecificData | undefined;
    if (roleChanges) {
      const merged: Record<string, unknown> = { ...current.roleSpecificData };
      for (const [role, block] of Object.entries(roleChanges)) {
        if (block === undefined) continue;
        const keep = role === 'coach' && current.roleSpecificData.coach
          ? { ratings: current.roleSpecificData.coach.ratings, reviewCount: current.roleSpecificData.coach.reviewCount }
          : {};
        merged[role] = { ...block, ...keep };
      }
      roleSpecificData = this.#parse(roleSpecificDataSchema, merged, 'role data');
    }
    return this.#users.patch(id, { ...fields, ...(roleSpecificData ? { roleSpecificData } : {}) }, { expectedVersion: current.version }, uow?.ctx);
  }

  /** Stores the device's Firebase Cloud Messaging token, or clears it with `null` (logout). */
  async setFcmToken(userId: UserId, token: string | null, uow?: UnitOfWork): Promise<User> {
    const id = this.#id(userId);
    const fcmToken = this.#parse(fcmTokenSchema, token, 'FCM token');
    const current = await this.#users.getById(id, uow?.ctx);
    if (fcmToken !== null && !current.isActive) {
      throw new ForbiddenError('A deactivated account cannot register a device', { details: { reason: 'deactivated', userId: id } });
    }
    if ((current.fcmToken ?? null) === fcmToken) return current;
    return this.#users.patch(id, { fcmToken }, { expectedVersion: current.version }, uow?.ctx);
  }

  async #setActive(userId: UserId, isActive: boolean, options: ExpectedVersion, uow?: UnitOfWork): Promise<User> {
    const id = this.#id(userId);
    const { expectedVersion } = this.#parse(versionOptionsSchema, options, 'options');
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const current = await this.#users.getById(id, u.ctx);
      if (expectedVersion !== undefined && current.version !== expectedVersion) throw new ConcurrencyError('user', id);
      if (current.isActive === isActive) return current;
      const changes = isActive ? { isActive } : { isActive, fcmToken: null };
      const updated = await this.#users.patch(id, changes, { expectedVersion: current.version }, u.ctx);
      await this.#audit.record(u, {
        entityType: 'users',
        entityId: id,
        action: isActive ? 'user.reactivated' : 'user.deactivated',
        previousState: { isActive: current.isActive },
        newState: { isActive: updated.isActive },
      });
      if (!isActive) await u.emit('user.deactivated', { userId: id });
      return updated;
    });
  }

  #id(userId: unknown): UserId {
    return this.#parse(idSchema, userId, 'user id');
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown, entity = 'user'): z.output<S> {
    return parseOrThrow(schema, input, { entity, ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}

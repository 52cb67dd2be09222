import type { FacilityPermission } from '../modules/facilities/facility.schema.js';
import type { UserRole } from '../modules/users/user.schema.js';
import type { AccessLookups } from './access-lookups.js';
import type { ActingUser } from './actor.js';

/** One operation call as a rule sees it: who acts, with which arguments, and the stores to look things up in. */
export interface AccessRequest {
  readonly actor: ActingUser;
  readonly args: readonly unknown[];
  readonly lookups: AccessLookups;
  /** Values already resolved for this call, so `anyOf(self(x), activeCoachOf(x))` loads `x` once. */
  readonly memo: Map<unknown, unknown>;
}

/**
 * A named predicate of the policy. Rules are small and composable; their names appear in
 * refusals (`AccessDeniedError.rule`) and in docs/security/access-control.md.
 *
 * @example
 * ```ts
 * const rule = anyOf(self(input('userId')), activeCoachOf(input('userId')));
 * await rule.check(request); // true for the user and their active coach
 * ```
 */
export interface Rule {
  readonly name: string;
  /** Whether the request passes the rule. */
  check(request: AccessRequest): Promise<boolean>;
}

/** How a rule finds the user, facility or flag an operation is about, from its arguments. */
export type Ref<T = string> = (request: AccessRequest) => Promise<T | undefined> | T | undefined;

const rule = (name: string, check: (request: AccessRequest) => Promise<boolean> | boolean): Rule => ({ name, check: async (r) => check(r) });

/** Resolves `ref` once per call. */
async function resolve<T>(ref: Ref<T>, request: AccessRequest): Promise<T | undefined> {
  if (request.memo.has(ref)) return request.memo.get(ref) as T | undefined;
  const value = await ref(request);
  request.memo.set(ref, value);
  return value;
}

// ── references ────────────────────────────────────────────────────────────────

/** The `index`-th argument, when it is a string (an id). */
export const arg = (index: number): Ref => (r) => {
  const value = r.args[index];
  return typeof value === 'string' ? value : undefined;
};

/** A field of the `index`-th argument (an input object), when it is a string. */
export const field = (index: number, key: string): Ref => (r) => {
  const value = (r.args[index] as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' ? value : undefined;
};

/** A field of the first argument: `input('userId')`. */
export const input = (key: string): Ref => field(0, key);

/**
 * A value read from the record whose id is the `index`-th argument (or what `id` resolves
 * to): `loaded((l, id) => l.measurement(id), (m) => m.userId)`.
 */
export function loaded<E, T>(load: (lookups: AccessLookups, id: string) => Promise<E | null>, pick: (entity: E) => T | undefined, id: Ref = arg(0)): Ref<T> {
  const entity: Ref<E> = async (r) => {
    const key = await resolve(id, r);
    return key === undefined ? undefined : ((await load(r.lookups, key)) ?? undefined);
  };
  return async (r) => {
    const e = await resolve(entity, r);
    return e === undefined ? undefined : pick(e);
  };
}

// ── predicates ────────────────────────────────────────────────────────────────

/** Every signed-in (loaded, active) user. */
export const anyAuthenticated: Rule = rule('anyAuthenticated', () => true);

/** Nobody but the system: operations that are steps of workflows or jobs. */
export const systemOnly: Rule = rule('systemOnly', () => false);

/** The user `user` refers to is the actor. */
export const self = (user: Ref): Rule => rule('self', async (r) => (await resolve(user, r)) === r.actor.id);

/** `user` is absent or the actor (an optional "viewer"/"actor" argument may not name someone else). */
export const selfOrAbsent = (user: Ref): Rule =>
  rule('selfOrAbsent', async (r) => {
    const id = await resolve(user, r);
    return id === undefined || id === r.actor.id;
  });

/** The actor coaches `user` in an `active` coach–client relationship. */
export const activeCoachOf = (user: Ref): Rule =>
  rule('activeCoachOfSubject', async (r) => {
    const id = await resolve(user, r);
    return id !== undefined && r.lookups.isActiveCoachOf(r.actor.id, id);
  });

/** The actor owns the facility `facility` refers to. */
export const ownerOfFacility = (facility: Ref): Rule =>
  rule('ownerOfFacility', async (r) => r.lookups.ownsFacility(r.actor.id, await resolve(facility, r)));

/** The actor is on the staff of the facility with `permission`. */
export const staffWithPermission = (permission: FacilityPermission, facility: Ref): Rule =>
  rule(`staffWithPermission('${permission}')`, async (r) => r.lookups.staffHasPermission(r.actor.id, await resolve(facility, r), permission));

/** The facility's owner, or its staff with any of `permissions`. */
export const facilityManager = (facility: Ref, ...permissions: FacilityPermission[]): Rule =>
  anyOf(ownerOfFacility(facility), ...permissions.map((p) => staffWithPermission(p, facility)));

/** The actor has one of `roles` (as loaded from the store, never as claimed). */
export const hasRole = (...roles: UserRole[]): Rule => rule(`hasRole(${roles.join('|')})`, (r) => r.actor.roles.some((role) => roles.includes(role)));

/** The flag `ref` resolves to is `true` (a public catalogue entry, …). */
export const flag = (name: string, ref: Ref<boolean>): Rule => rule(name, async (r) => (await resolve(ref, r)) === true);

export function anyOf(...rules: Rule[]): Rule {
  return rule(rules.map((x) => x.name).join(' | '), async (r) => {
    for (const x of rules) if (await x.check(r)) return true;
    return false;
  });
}

export function allOf(...rules: Rule[]): Rule {
  return rule(rules.map((x) => (x.name.includes(' | ') ? `(${x.name})` : x.name)).join(' & '), async (r) => {
    for (const x of rules) if (!(await x.check(r))) return false;
    return true;
  });
}

/**
 * Every permission `granted` resolves to is one the actor holds at the facility (or the actor
 * owns it): staff who manage staff cannot hand out more than they have themselves.
 */
export const grantsOnlyHeldPermissions = (facility: Ref, granted: Ref<readonly FacilityPermission[]>): Rule =>
  rule('grantsOnlyHeldPermissions', async (r) => {
    const facilityId = await resolve(facility, r);
    if (await r.lookups.ownsFacility(r.actor.id, facilityId)) return true;
    const wanted = (await resolve(granted, r)) ?? [];
    for (const permission of wanted) if (!(await r.lookups.staffHasPermission(r.actor.id, facilityId, permission))) return false;
    return true;
  });

/** Where {@link guardianOf} leaves, in a call's memo, the dependant the actor acts for once the rule granted the call. */
export const ACTING_FOR = Symbol('actingFor');

/**
 * The actor is an active guardian of `user` (a family account: `nexfit.accountLinks`). When
 * this rule is the one that grants a call, the call runs acting for the dependant, so the
 * workflow can confirm the link inside its own unit of work.
 */
export const guardianOf = (user: Ref): Rule =>
  rule('guardianOfSubject', async (r) => {
    const id = await resolve(user, r);
    if (id === undefined || !(await r.lookups.isActiveGuardianOf(r.actor.id, id))) return false;
    r.memo.set(ACTING_FOR, { accountUserId: r.actor.id, dependantUserId: id });
    return true;
  });

/** The actor holds an active guardian or payer link to `user`: they may pay for them. */
export const linkedAccountOf = (user: Ref): Rule =>
  rule('linkedAccountOfSubject', async (r) => {
    const id = await resolve(user, r);
    return id !== undefined && (await r.lookups.activeAccountLink(r.actor.id, id)) !== null;
  });

/** The actor is the active client of the coach `coach` refers to. */
export const activeClientOf = (coach: Ref): Rule =>
  rule('activeClientOfSubject', async (r) => {
    const id = await resolve(coach, r);
    return id !== undefined && r.lookups.isActiveCoachOf(id, r.actor.id);
  });

/** `rule` applies only when `condition` holds for the call; otherwise this predicate holds. */
export const onlyIf = (condition: Rule, rule: Rule): Rule =>
  ({ name: `if ${condition.name} then ${rule.name.includes(' ') ? `(${rule.name})` : rule.name}`, check: async (r) => !(await condition.check(r)) || rule.check(r) });

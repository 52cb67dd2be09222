import { ForbiddenError } from '../core/errors.js';
import type { UserId } from '../core/ids.js';
import type { UserRole } from '../modules/users/user.schema.js';

/**
 * The explicit marker of unscoped access: background jobs (renewal runs, analytics roll-ups,
 * recovery) and the host's own trusted code act as the system, which the access policy never
 * restricts. Passing it is a visible decision in the code, never a default.
 *
 * @example
 * ```ts
 * const jobs = await nexfit.as(systemActor);
 * await jobs.workflows.renewDueSubscriptions({ asOf: new Date() });
 * ```
 */
export const systemActor: SystemActor = Object.freeze({ kind: 'system' as const });

/** The type of {@link systemActor}. */
export interface SystemActor {
  readonly kind: 'system';
}

/**
 * Who acts: a user id (the host authenticated that user; the SDK loads the user's roles and
 * relationships from the stores itself and never trusts roles a caller claims), or
 * {@link systemActor}.
 *
 * @example
 * ```ts
 * const asAyse = await nexfit.as(session.userId as UserId);
 * ```
 */
export type Actor = UserId | SystemActor;

/** The acting user as the policy sees it: loaded from the `users` collection when the scope is made. */
export interface ActingUser {
  readonly kind: 'user';
  readonly id: UserId;
  readonly roles: readonly UserRole[];
}

/** The system, to which every operation is allowed. */
export interface ActingSystem {
  readonly kind: 'system';
}

export type ActingPrincipal = ActingUser | ActingSystem;

/**
 * True for {@link systemActor} (and any copy of it).
 *
 * @example
 * ```ts
 * isSystemActor(systemActor) // true; isSystemActor(userId) // false
 * ```
 */
export function isSystemActor(actor: Actor): actor is SystemActor {
  return typeof actor === 'object' && actor !== null && (actor as SystemActor).kind === 'system';
}

/**
 * The refusal of the access policy: a {@link ForbiddenError} (code `FORBIDDEN`) whose
 * `details.reason` is `access_denied` and which names the operation and the rule that
 * refused it. Thrown before the operation runs, so nothing was written.
 *
 * @example
 * ```ts
 * try { await asClient.measurements.history(otherUserId) }
 * catch (e) { if (e instanceof AccessDeniedError) reply(403, { code: e.code, operation: e.operation }) }
 * ```
 */
export class AccessDeniedError extends ForbiddenError {
  readonly operation: string;
  readonly rule: string;
  constructor(operation: string, rule: string, actorId: string | null) {
    super(`${actorId === null ? 'The caller' : `User ${actorId}`} may not run ${operation} (${rule})`, {
      details: { reason: 'access_denied', operation, rule, ...(actorId === null ? {} : { actorId }) },
    });
    this.operation = operation;
    this.rule = rule;
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';

/** A guardian acting for a dependant: set by the access layer when a guardian link granted the call. */
export interface ActingFor {
  readonly accountUserId: string;
  readonly dependantUserId: string;
}

const ambient = new AsyncLocalStorage<ActingFor>();

/**
 * Runs `fn` as `acting`: the units of work it opens can confirm, inside their own transaction,
 * that the guardian link which allowed the call is still active (see
 * `AccountLinkService.holdGuardianship`).
 *
 * @example
 * ```ts
 * await runActingFor({ accountUserId: parentId, dependantUserId: childId }, () => nexfit.workflows.bookClass(input));
 * ```
 */
export function runActingFor<T>(acting: ActingFor, fn: () => T): T {
  return ambient.run(acting, fn);
}

/**
 * The guardian acting for a dependant in the code running now, if any.
 *
 * @example
 * ```ts
 * currentActingFor()?.dependantUserId
 * ```
 */
export function currentActingFor(): ActingFor | undefined {
  return ambient.getStore();
}

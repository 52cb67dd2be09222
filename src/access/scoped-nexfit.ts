import type { NexfitModules } from '../nexfit-modules.js';
import { runActingFor, type ActingFor } from '../uow/acting-for.js';
import { parseRequestOrigin, runWithRequestContext, type RequestContext, type RequestOrigin } from '../uow/request-context.js';
import { AccessLookups } from './access-lookups.js';
import { policyEntryOf, type PolicyEntry } from './access-policy.js';
import { ACTING_FOR, type AccessRequest } from './access-rules.js';
import { AccessDeniedError, isSystemActor, type ActingUser, type Actor } from './actor.js';

/** The callable members of a service, with the service's own signatures. */
export type ScopedService<T> = { readonly [K in keyof T as T[K] extends (...args: never[]) => unknown ? K : never]: T[K] };

/** The services and workflows a scope exposes: the names of the instance, without the raw repositories. */
export type ScopedServiceName = Exclude<keyof NexfitModules, 'repositories'>;

/**
 * What `nexfit.as(actor)` returns: the same service names and method signatures as the
 * unscoped instance, each call checked against the access policy before it runs (refused
 * with {@link AccessDeniedError}, nothing written) and each read stripped of what the actor
 * may not see. Repositories, units of work and the raw stores are not part of a scope.
 *
 * @example
 * ```ts
 * const asCoach = await nexfit.as(coachId);
 * const page = await asCoach.measurements.history(clientId, { from: '2026-01-01' }); // an active client: allowed
 * ```
 */
export type ScopedNexfit = { readonly [S in ScopedServiceName]: ScopedService<NexfitModules[S]> } & {
  /** The acting user (`null` for the system). */
  readonly actor: ActingUser | null;
  /** The request context every call of this scope serves: recorded in the audit rows it causes. */
  readonly context: RequestContext;
};

/** Names of the callable members of a service object or class instance (not its constructor). */
export function operationNamesOf(service: object): string[] {
  const names = new Set<string>();
  for (let proto: object | null = service; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      if (name === 'constructor') continue;
      const descriptor = Object.getOwnPropertyDescriptor(proto, name);
      if (descriptor && typeof descriptor.value === 'function') names.add(name);
    }
  }
  return [...names].sort();
}

/**
 * Every operation id (`<service>.<method>`) the modules expose to a scope.
 *
 * @example
 * ```ts
 * operationIdsOf(nexfit).filter((id) => !(id in ACCESS_POLICY)) // [] — every operation has a rule
 * ```
 */
export function operationIdsOf(modules: Pick<NexfitModules, ScopedServiceName>): string[] {
  return scopedServiceNames(modules).flatMap((name) => operationNamesOf(modules[name] as object).map((method) => `${name}.${method}`));
}

function scopedServiceNames(modules: Pick<NexfitModules, ScopedServiceName>): ScopedServiceName[] {
  return (Object.keys(modules) as (keyof NexfitModules)[]).filter((k): k is ScopedServiceName => k !== 'repositories' && typeof (modules as Record<string, unknown>)[k] === 'object');
}

/**
 * Builds the scope of `actor` over `modules` (see `Nexfit.as`). A user actor is loaded from
 * the store — unknown or deactivated accounts are refused — and its roles are taken from
 * there; relationships (coach–client status, staff permissions, ownership) are read afresh at
 * every check, so an ended relationship or a revoked permission takes effect at once.
 *
 *
 * Every call of the scope serves one request context — the actor with the `origin` given
 * (IP address, user agent, request id) — so each audit row a call causes, in any unit of
 * work it opens, records who acted and from where.
 *
 * @example
 * ```ts
 * const scope = await actAs(modules, userId, { ipAddress: '203.0.113.7', requestId: 'req-42' });
 * await scope.workflows.bookClass({ classId, userId, occurrenceStart });
 * ```
 */
export async function actAs(modules: NexfitModules, actor: Actor, origin?: RequestOrigin): Promise<ScopedNexfit> {
  const parsedOrigin = parseRequestOrigin(origin);
  if (isSystemActor(actor)) return systemScope(modules, { actorId: null, ...parsedOrigin });
  const lookups = new AccessLookups(modules.repositories);
  const roles = typeof actor === 'string' ? await lookups.activeUserRoles(actor) : null;
  if (roles === null) throw new AccessDeniedError('as', 'activeUser', typeof actor === 'string' ? actor : null);
  const acting: ActingUser = { kind: 'user', id: actor as ActingUser['id'], roles };
  const context: RequestContext = Object.freeze({ actorId: acting.id, ...parsedOrigin });
  const scope: Record<string, unknown> = { actor: acting, context };
  for (const name of scopedServiceNames(modules)) {
    const service = modules[name] as object;
    const scoped: Record<string, unknown> = {};
    for (const method of operationNamesOf(service)) scoped[method] = guarded(`${name}.${method}`, service, method, acting, lookups, context);
    scope[name] = Object.freeze(scoped);
  }
  return Object.freeze(scope) as ScopedNexfit;
}

function systemScope(modules: NexfitModules, context: RequestContext): ScopedNexfit {
  const scope: Record<string, unknown> = { actor: null, context: Object.freeze(context) };
  for (const name of scopedServiceNames(modules)) {
    const service = modules[name] as Record<string, (...args: unknown[]) => unknown>;
    const serving: Record<string, unknown> = {};
    for (const method of operationNamesOf(service)) serving[method] = (...args: unknown[]) => runWithRequestContext(context, () => service[method]!.apply(service, args));
    scope[name] = Object.freeze(serving);
  }
  return Object.freeze(scope) as ScopedNexfit;
}

const DENY_UNKNOWN: PolicyEntry = { rule: { name: 'noPolicyEntry', check: async () => false } };

function guarded(operation: string, service: object, method: string, actor: ActingUser, lookups: AccessLookups, context: RequestContext) {
  const fn = (service as Record<string, (...args: unknown[]) => unknown>)[method]!;
  const entry = policyEntryOf(operation) ?? DENY_UNKNOWN;
  if (entry.pure) return (...args: unknown[]) => runWithRequestContext(context, () => fn.apply(service, args));
  return (...args: unknown[]) => runWithRequestContext(context, () => check(args));
  async function check(args: unknown[]) {
    // The check reads outside any unit of work and before the call: a refusal writes nothing.
    const request: AccessRequest = { actor, args, lookups, memo: new Map() };
    if (!(await entry.rule.check(request))) throw new AccessDeniedError(operation, entry.rule.name, actor.id);
    const actingFor = request.memo.get(ACTING_FOR) as ActingFor | undefined;
    const result = await (actingFor ? runActingFor(actingFor, () => fn.apply(service, args)) : fn.apply(service, args));
    return entry.redact ? entry.redact(result, request) : result;
  }
}

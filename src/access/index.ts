/**
 * Access control: actors, the permission policy and the scoped services of `nexfit.as(actor)`.
 * See docs/security/access-control.md for the model and the policy table.
 *
 * @example
 * ```ts
 * const asClient = await nexfit.as(clientId);
 * await asClient.measurements.record({ userId: clientId, date: '2026-03-01', measurements: { weight: 72 } });
 * ```
 */
export { systemActor, isSystemActor, AccessDeniedError, type Actor, type SystemActor, type ActingUser } from './actor.js';
export { ACCESS_POLICY, policyEntryOf, type OperationId, type PolicyEntry } from './access-policy.js';
export { actAs, operationIdsOf, type ScopedNexfit, type ScopedService, type ScopedServiceName } from './scoped-nexfit.js';
export { redactUserFor, type ProfileViewer } from './access-redaction.js';
export * as accessRules from './access-rules.js';
export { AccessLookups } from './access-lookups.js';

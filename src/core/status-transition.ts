import { ConflictError } from './errors.js';

/**
 * Refuses a status change the current status does not allow, with a
 * `ConflictError('invalid_transition')` naming both statuses.
 *
 * @example
 * ```ts
 * assertTransition('class booking', booking.id, booking.status, ['booked'], 'attended')
 * ```
 */
export function assertTransition<S extends string>(entity: string, id: string, current: S, allowedFrom: readonly S[], next: S): void {
  if (allowedFrom.includes(current)) return;
  throw new ConflictError('invalid_transition', `A ${entity} in status '${current}' cannot become '${next}'`, {
    details: { entity, id, from: current, to: next },
  });
}

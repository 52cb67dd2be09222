import type { ClientSession } from 'mongodb';
import type { UnitOfWork } from './unit-of-work.js';

/**
 * The unit of work each MongoDB session belongs to, for code that only has a `StoreContext`
 * (a repository) and must defer something until that unit commits (cache invalidation).
 * Weak: an ended session's entry goes with it.
 */
const units = new WeakMap<ClientSession, Pick<UnitOfWork, 'afterCommit'>>();

/** Records that `session` is the MongoDB session of `uow` (the coordinator calls it). */
export function attachUnitSession(session: ClientSession, uow: Pick<UnitOfWork, 'afterCommit'>): void {
  units.set(session, uow);
}

/** The unit of work `session` belongs to, or `undefined` for a host's own session (or none). */
export function unitOfSession(session: ClientSession | undefined): Pick<UnitOfWork, 'afterCommit'> | undefined {
  return session ? units.get(session) : undefined;
}

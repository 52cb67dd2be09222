import type { UnitOfWork, UnitOfWorkOptions } from './unit-of-work.js';

/** What services need from the coordinator: run work as a unit. */
export interface UnitRunner {
  run<T>(work: (uow: UnitOfWork) => Promise<T>, options?: UnitOfWorkOptions): Promise<T>;
}

/**
 * Runs `work` inside the caller's unit of work when one is given (so several service calls
 * compose into one atomic operation), or in a new unit otherwise. This is the only place a
 * service opens a unit: when the caller passed none.
 *
 * @example
 * ```ts
 * return inUnitOfWork(this.deps.units, uow, async (u) => { await repo.create(input, u.ctx); ... });
 * ```
 */
export function inUnitOfWork<T>(units: UnitRunner, uow: UnitOfWork | undefined, work: (uow: UnitOfWork) => Promise<T>, options?: UnitOfWorkOptions): Promise<T> {
  return uow ? work(uow) : units.run(work, options);
}

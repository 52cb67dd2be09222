import type { RepositoryDeps } from '../stores/repository-deps.js';
import type { UnitRunner } from '../uow/unit-runner.js';

/**
 * What every domain service receives from `createNexfit`: the repository deps (clock, ids,
 * observer, locale) and the unit-of-work runner. Services depend on repositories and on
 * this, never on drivers.
 */
export interface ServiceDeps extends RepositoryDeps {
  readonly units: UnitRunner;
}

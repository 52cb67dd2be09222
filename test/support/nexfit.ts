import { afterAll, beforeAll } from 'vitest';
import { fixedClock, systemClock, type Clock } from '../../src/core/clock.js';
import { createNexfit, type Nexfit, type NexfitOptions } from '../../src/create-nexfit.js';
import { createTestKeyring } from '../../src/core/keyring.js';
import type { ServiceDeps } from '../../src/modules/service-deps.js';
import { useTestMongo, useTestPostgres, type TestMongo, type TestPostgres } from './stores.js';

export interface TestNexfit {
  readonly nexfit: Nexfit;
  /** Deps for building repositories and services by hand in a test. */
  readonly deps: ServiceDeps;
  readonly clock: Clock;
  readonly mongo: TestMongo;
  readonly pg: TestPostgres;
}

/**
 * A migrated SDK instance on this test file's own MongoDB and PostgreSQL databases. Pass
 * `clock: 'fixed'` (or a start instant) for a steppable clock (`state.clock` is then a
 * `fixedClock`).
 */
export function useTestNexfit(options: { clock?: Date | string; nexfit?: Omit<NexfitOptions, 'mongo' | 'postgres' | 'clock'> } = {}): TestNexfit {
  const mongo = useTestMongo();
  const pg = useTestPostgres();
  const state = { mongo, pg } as { nexfit: Nexfit; deps: ServiceDeps; clock: Clock; mongo: TestMongo; pg: TestPostgres };
  beforeAll(async () => {
    state.clock = options.clock ? fixedClock(options.clock) : systemClock;
    // Real stores need a keyring; the deterministic test keyring lets a test open the raw documents too.
    const keyring = options.nexfit?.keyring ?? createTestKeyring();
    state.nexfit = await createNexfit({
      ...options.nexfit,
      keyring,
      mongo: { uri: mongo.uri, dbName: mongo.dbName },
      postgres: { connectionString: pg.url },
      clock: state.clock,
      migrate: true,
    });
    state.deps = { clock: state.clock, ids: state.nexfit.ids, ...(keyring === 'ephemeral' ? {} : { keyring }), units: { run: (work, o) => state.nexfit.unitOfWork(work, o) } };
  });
  afterAll(async () => {
    await state.nexfit?.close();
  });
  return state;
}

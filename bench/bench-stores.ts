import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createNexfit, type Nexfit, type NexfitOptions } from '../src/create-nexfit.js';
import type { ResolvedStore } from '../src/embedded/test-stores.js';

/** The stores of a bench run, chosen like the test suite's (`MONGODB_URI` / `DATABASE_URL`, else embedded ones). */
export interface BenchStores {
  readonly mongo: ResolvedStore<string>;
  readonly postgres: ResolvedStore<string>;
}

/** A fresh database on each store for one suite, and an SDK instance on them. */
export interface SuiteStores {
  readonly nexfit: Nexfit;
  /** Connection string of the suite's own PostgreSQL database. */
  readonly pgUrl: string;
  readonly mongoUri: string;
  readonly dbName: string;
}

/** A unique, valid database name for one suite (both stores). */
export function benchDatabaseName(suite: string): string {
  return `bench_${suite.replace(/[^a-z0-9]/g, '_')}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/**
 * Runs `work` on a PostgreSQL database and a MongoDB database of its own (created, migrated,
 * dropped afterwards), so a suite never touches the rows of another run or of the tests.
 */
export async function withSuiteStores<T>(
  stores: { readonly mongoUri: string; readonly pgAdminUrl: string },
  suite: string,
  work: (s: SuiteStores) => Promise<T>,
  options: Partial<Pick<NexfitOptions, 'clock' | 'cache' | 'unitOfWork' | 'payments'>> & { readonly pgPoolMax?: number } = {},
): Promise<T> {
  const dbName = benchDatabaseName(suite);
  await withAdmin(stores.pgAdminUrl, (c) => c.query(`CREATE DATABASE ${dbName}`));
  const url = new URL(stores.pgAdminUrl);
  url.pathname = `/${dbName}`;
  const pgUrl = url.toString();
  let nexfit: Nexfit | undefined;
  try {
    nexfit = await createNexfit({
      mongo: { uri: stores.mongoUri, dbName },
      postgres: { connectionString: pgUrl, max: options.pgPoolMax ?? 4 },
      migrate: true,
      // Throwaway databases: a random keyring for the fields encrypted at rest.
      keyring: 'ephemeral',
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.cache ? { cache: options.cache } : {}),
      ...(options.unitOfWork ? { unitOfWork: options.unitOfWork } : {}),
      ...(options.payments ? { payments: options.payments } : {}),
    });
    return await work({ nexfit, pgUrl, mongoUri: stores.mongoUri, dbName });
  } finally {
    if (nexfit) {
      await nexfit.mongo.db.dropDatabase().catch(() => {});
      await nexfit.close();
    }
    await withAdmin(stores.pgAdminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch(() => {});
  }
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

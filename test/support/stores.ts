import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import { MongoClient, type Db } from 'mongodb';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createNexfitPgPool } from '../../src/stores/postgres/pg-types.js';

/** A unique, valid database name for one test file. */
export function uniqueDatabaseName(prefix = 't'): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export interface TestMongo {
  readonly client: MongoClient;
  readonly db: Db;
  readonly dbName: string;
  readonly uri: string;
  readonly kind: 'external' | 'memory-server' | 'embedded';
}

/**
 * A MongoDB database of this test file's own on the run's MongoDB; dropped after the file.
 * Call at the top level of a test file; read the fields inside tests.
 */
export function useTestMongo(): TestMongo {
  const state = {} as { client: MongoClient; db: Db; dbName: string; uri: string; kind: TestMongo['kind'] };
  beforeAll(async () => {
    state.uri = inject('mongoUri');
    state.kind = inject('mongoKind');
    state.client = new MongoClient(state.uri);
    await state.client.connect();
    state.dbName = uniqueDatabaseName();
    state.db = state.client.db(state.dbName);
  });
  afterAll(async () => {
    await state.db?.dropDatabase().catch(() => {});
    await state.client?.close();
  });
  return state;
}

export interface TestPostgres {
  /** Connection string of this file's own database. */
  readonly url: string;
  readonly pool: pg.Pool;
  readonly kind: 'external' | 'embedded';
  /** An untyped Kysely on this file's database (tests type it as they need). */
  readonly kysely: Kysely<any>;
}

/**
 * A PostgreSQL database of this test file's own on the run's server, created empty and
 * dropped (with its connections) after the file.
 */
export function useTestPostgres(): TestPostgres {
  const state = {} as { url: string; pool: pg.Pool; kind: TestPostgres['kind']; kysely: Kysely<any>; name: string };
  beforeAll(async () => {
    const adminUrl = inject('pgUrl');
    state.kind = inject('pgKind');
    state.name = uniqueDatabaseName();
    await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE ${state.name}`));
    const url = new URL(adminUrl);
    url.pathname = `/${state.name}`;
    state.url = url.toString();
    state.pool = createNexfitPgPool({ connectionString: state.url, max: 10 });
    state.kysely = new Kysely<any>({ dialect: new PostgresDialect({ pool: state.pool }) });
  });
  afterAll(async () => {
    await state.kysely?.destroy();
    if (state.pool && !state.pool.ended) await state.pool.end();
    if (state.name) {
      await withAdmin(inject('pgUrl'), async (c) => {
        // Prepared transactions hold locks on the database: roll back any this file left.
        const prepared = await c.query('SELECT gid FROM pg_prepared_xacts WHERE database = $1', [state.name]);
        for (const { gid } of prepared.rows as { gid: string }[]) {
          const own = new pg.Client({ connectionString: state.url });
          await own.connect();
          await own.query(`ROLLBACK PREPARED '${gid.replace(/'/g, "''")}'`).catch(() => {});
          await own.end();
        }
        await c.query(`DROP DATABASE IF EXISTS ${state.name} WITH (FORCE)`);
      });
    }
  });
  return state;
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

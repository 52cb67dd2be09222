import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/program.js';
import { MONGO_SCHEMA_VERSION } from '../../src/stores/mongo/collections.js';
import { MONGO_COLLECTIONS } from '../../src/modules/mongo-collections.js';
import { POSTGRES_MIGRATION_NAMES } from '../../src/stores/postgres/migrator.js';
import { useTestMongo, useTestPostgres } from '../support/stores.js';
import { runNexfit } from './cli-harness.js';

const mongo = useTestMongo();
const pg = useTestPostgres();

const mongoOnly = () => ({ MONGODB_URI: mongo.uri, NEXFIT_MONGO_DB: mongo.dbName });
const postgresOnly = () => ({ DATABASE_URL: pg.url });
const both = () => ({ ...mongoOnly(), ...postgresOnly() });

async function mongoCollectionNames(): Promise<string[]> {
  return (await mongo.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
}

async function postgresTableNames(): Promise<string[]> {
  const { rows } = await pg.pool.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
  return rows.map((r) => r.table_name);
}

describe('nexfit migrate status', () => {
  it('reports a MongoDB database never migrated as not migrated, exits with the pending code, and needs no DATABASE_URL', async () => {
    const run = await runNexfit(['migrate', 'status', '--store', 'mongo', '--json'], mongoOnly());
    expect(run.code).toBe(EXIT.pending);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, state: 'pending', mongo: { state: 'not-migrated', recordedVersion: null, sdkVersion: MONGO_SCHEMA_VERSION } });
    expect(report.mongo.missingCollections).toContain('users');
    expect(report.postgres).toBeUndefined();
    // Reading the status created nothing.
    expect(await mongoCollectionNames()).toEqual([]);
    const human = await runNexfit(['migrate', 'status', '--store', 'mongo'], mongoOnly());
    expect(human.code).toBe(EXIT.pending);
    expect(human.stdout).toContain('MongoDB layout: not migrated');
    expect(human.stdout).toContain('nexfit migrate up');
  });

  it('reports every PostgreSQL migration pending on an empty database without MONGODB_URI, creating no bookkeeping table', async () => {
    const run = await runNexfit(['migrate', 'status', '--store', 'postgres', '--json'], postgresOnly());
    expect(run.code).toBe(EXIT.pending);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ ok: true, state: 'pending', postgres: { state: 'not-migrated', current: null, pending: [...POSTGRES_MIGRATION_NAMES], unknownMigrations: [] } });
    expect(report.mongo).toBeUndefined();
    expect(await postgresTableNames()).toEqual([]);
  });

  it('reads both stores by default and exits 0 once everything is applied', async () => {
    expect((await runNexfit(['migrate', 'up'], both())).code).toBe(EXIT.ok);
    const run = await runNexfit(['migrate', 'status', '--json'], both());
    expect(run.code).toBe(EXIT.ok);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      ok: true,
      state: 'up-to-date',
      postgres: { state: 'current', pending: [] },
      mongo: { state: 'current', recordedVersion: MONGO_SCHEMA_VERSION, missingCollections: [], outdatedValidators: [], missingIndexes: [], differingIndexes: [] },
    });
    const human = await runNexfit(['migrate', 'status'], both());
    expect(human.stdout).toContain('MongoDB layout: up to date');
    expect(human.stdout).toContain('all migrations applied');
  });

  it('reports a dropped index and a loosened validator as pending until migrate up puts them back', async () => {
    const usersIndex = MONGO_COLLECTIONS.users.indexes[0]!.name;
    await mongo.db.collection('users').dropIndex(usersIndex);
    await mongo.db.command({ collMod: 'foods', validator: {}, validationLevel: 'off' });
    const run = await runNexfit(['migrate', 'status', '--store', 'mongo', '--json'], mongoOnly());
    expect(run.code).toBe(EXIT.pending);
    expect(JSON.parse(run.stdout).mongo).toMatchObject({ state: 'incomplete', missingIndexes: [`users.${usersIndex}`], outdatedValidators: ['foods'] });
    expect((await runNexfit(['migrate', 'up'], both())).code).toBe(EXIT.ok);
    expect((await runNexfit(['migrate', 'status', '--store', 'mongo'], mongoOnly())).code).toBe(EXIT.ok);
  });

  it('reports a PostgreSQL migration reverted as pending', async () => {
    expect((await runNexfit(['migrate', 'down', '--store', 'postgres'], both())).code).toBe(EXIT.ok);
    const run = await runNexfit(['migrate', 'status', '--store', 'postgres', '--json'], postgresOnly());
    expect(run.code).toBe(EXIT.pending);
    expect(JSON.parse(run.stdout).postgres).toMatchObject({ state: 'behind', pending: [POSTGRES_MIGRATION_NAMES.at(-1)] });
    expect((await runNexfit(['migrate', 'up'], both())).code).toBe(EXIT.ok);
  });

  it('reports a layout a newer SDK recorded as ahead, with the failure code rather than pending', async () => {
    const meta = mongo.db.collection<{ _id: string; version: number }>('nexfit_meta');
    await meta.updateOne({ _id: 'mongo-schema' }, { $set: { version: MONGO_SCHEMA_VERSION + 1 } });
    try {
      const run = await runNexfit(['migrate', 'status', '--json'], both());
      expect(run.code).toBe(EXIT.failure);
      expect(JSON.parse(run.stdout)).toMatchObject({ state: 'ahead', mongo: { state: 'ahead', recordedVersion: MONGO_SCHEMA_VERSION + 1 } });
    } finally {
      await meta.updateOne({ _id: 'mongo-schema' }, { $set: { version: MONGO_SCHEMA_VERSION } });
    }
  });

  it('refuses a --store it does not know with the usage code, as JSON', async () => {
    const run = await runNexfit(['migrate', 'status', '--store', 'redis', '--json'], both());
    expect(run.code).toBe(EXIT.usage);
    expect(JSON.parse(run.stdout)).toMatchObject({ ok: false, error: { code: 'USAGE', message: expect.stringContaining('--store') } });
  });
});

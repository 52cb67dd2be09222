import { sql } from 'kysely';
import { MongoClient, ObjectId } from 'mongodb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNexfit } from '../src/create-nexfit.js';
import { ConfigurationError } from '../src/core/errors.js';
import { startEmbeddedPostgres } from '../src/embedded/embedded-postgres.js';
import { useTestMongo, useTestPostgres } from './support/stores.js';

const mongo = useTestMongo();
const postgres = useTestPostgres();

describe('createNexfit with the host app\'s own connections', () => {
  let hostClient: MongoClient;
  let hostPool: pg.Pool;
  beforeAll(async () => {
    hostClient = new MongoClient(mongo.uri);
    await hostClient.connect();
    hostPool = new pg.Pool({ connectionString: postgres.url, max: 3 });
  });
  afterAll(async () => {
    await hostClient.close();
    await hostPool.end();
  });

  it('migrates both stores and leaves the host\'s client and pool open on close', async () => {
    const nexfit = await createNexfit({ mongo: { client: hostClient, dbName: mongo.dbName }, postgres: { pool: hostPool }, keyring: 'ephemeral', migrate: true });
    expect(nexfit.stores).toEqual({ mongo: { kind: 'host-client', dbName: mongo.dbName }, postgres: { kind: 'host-pool' } });
    const collections = (await mongo.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    expect(collections).toEqual(expect.arrayContaining(['users', 'facilities', 'class_bookings', 'nexfit_uow_decisions']));
    const tables = await hostPool.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name IN ('transactions','subscriptions','invoices','analytics_daily','audit_logs')");
    expect(tables.rows[0].n).toBe(5);
    await nexfit.close();
    expect(await hostClient.db(mongo.dbName).collection('users').countDocuments()).toBe(0);
    expect((await hostPool.query('SELECT 1 AS one')).rows[0].one).toBe(1);
  });

  it('parses DATE and NUMERIC its own way without changing how the host\'s pool parses them', async () => {
    const nexfit = await createNexfit({ mongo: { client: hostClient, dbName: mongo.dbName }, postgres: { pool: hostPool }, keyring: 'ephemeral' });
    const query = "SELECT DATE '2026-03-29' AS d, 0.1::numeric(10,2) + 0.2::numeric(10,2) AS n";
    const viaSdk = (await sql.raw<{ d: unknown; n: unknown }>(query).execute(nexfit.pg)).rows[0];
    const viaHost = (await hostPool.query(query)).rows[0];
    expect(viaSdk).toEqual({ d: '2026-03-29', n: '0.30' });
    expect(viaHost.d).toBeInstanceOf(Date);
    await nexfit.close();
  });
  it('hashes new passwords with the scrypt cost of passwordHashing, and refuses parameters scrypt cannot take', async () => {
    const nexfit = await createNexfit({ mongo: { client: hostClient, dbName: mongo.dbName }, postgres: { pool: hostPool }, keyring: 'ephemeral', migrate: true, passwordHashing: { N: 1024 } });
    const email = `cost-${Date.now()}@example.com`;
    const user = await nexfit.users.register({ email, password: 'a long enough password', firstName: 'Ada', lastName: 'Kaya', role: ['client'], roleSpecificData: { client: { height: 170, weight: 60 } } });
    const stored = await hostClient.db(mongo.dbName).collection('users').findOne({ _id: new ObjectId(user.id) });
    expect(String(stored?.['passwordHash'])).toMatch(/^scrypt\$N=1024,r=8,p=1\$/);
    expect((await nexfit.users.verifyCredentials(email, 'a long enough password'))?.id).toBe(user.id);
    expect(await nexfit.users.verifyCredentials(email, 'another password')).toBeNull();
    await nexfit.close();
    for (const passwordHashing of [{ N: 1000 }, { r: 0 }, { keyLength: 8 }]) {
      await expect(createNexfit({ mongo: { client: hostClient, dbName: mongo.dbName }, postgres: { pool: hostPool }, keyring: 'ephemeral', passwordHashing })).rejects.toBeInstanceOf(ConfigurationError);
    }
  });
});

describe('createNexfit with connection strings', () => {
  it('opens its own connections and closes them', async () => {
    const nexfit = await createNexfit({ mongo: { uri: mongo.uri, dbName: mongo.dbName }, postgres: { connectionString: postgres.url }, keyring: 'ephemeral' });
    expect(nexfit.stores.mongo.kind).toBe('uri');
    expect(['two-phase', 'ordered']).toContain(nexfit.unitOfWorkMode);
    await nexfit.close();
    await expect(nexfit.mongo.db.command({ ping: 1 })).rejects.toThrow();
  });

  it('survives the server dropping its idle connections, reporting them to the observer', async () => {
    const seen: string[] = [];
    const nexfit = await createNexfit({
      mongo: { uri: mongo.uri, dbName: mongo.dbName },
      postgres: { connectionString: postgres.url },
      keyring: 'ephemeral',
      observer: { onBackgroundError: (_error, where) => seen.push(where) },
    });
    try {
      await sql`SELECT 1`.execute(nexfit.pg);
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      try {
        const { rows } = await admin.query<{ n: number }>(
          'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = $1',
          ['idle'],
        );
        expect(rows[0]!.n).toBeGreaterThan(0);
      } finally {
        await admin.end();
      }
      await expect.poll(() => seen).toContain('postgres pool');
      // The pool replaced the dropped connection: the next query runs.
      expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(nexfit.pg)).rows).toEqual([{ one: 1 }]);
    } finally {
      await nexfit.close();
    }
  });

  it('survives the server dropping the connection a unit of work holds between statements', async () => {
    for (const postgresOptions of [{ connectionString: postgres.url }, { pool: new pg.Pool({ connectionString: postgres.url, max: 2 }) }]) {
      const nexfit = await createNexfit({ mongo: { uri: mongo.uri, dbName: mongo.dbName }, postgres: postgresOptions, keyring: 'ephemeral' });
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      try {
        const unit = nexfit.unitOfWork(async (u) => {
          const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(u.ctx.pg!);
          // The unit holds its connection with no statement running, as it does while MongoDB works.
          await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
          await new Promise((resolve) => setTimeout(resolve, 200));
          await sql`SELECT 1`.execute(u.ctx.pg!);
        });
        await expect(unit).rejects.toThrow();
        // The process is still here, and the pool hands out a working connection.
        expect((await sql<{ one: number }>`SELECT 1 AS one`.execute(nexfit.pg)).rows).toEqual([{ one: 1 }]);
      } finally {
        await admin.end();
        await nexfit.close();
        if ('pool' in postgresOptions) await postgresOptions.pool.end();
      }
    }
  });

  it('refuses half a configuration with a typed error', async () => {
    await expect(createNexfit({ mongo: { uri: mongo.uri } })).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('reports an unreachable PostgreSQL as a ConfigurationError and releases what it opened', async () => {
    await expect(createNexfit({ mongo: { uri: mongo.uri, dbName: mongo.dbName }, postgres: { connectionString: 'postgres://postgres@127.0.0.1:1/none' }, keyring: 'ephemeral' }))
      .rejects.toBeInstanceOf(ConfigurationError);
  });

  it('falls back to the ordered unit of work on a server without prepared transactions', async () => {
    const server = await startEmbeddedPostgres({ maxPreparedTransactions: 0 });
    try {
      const nexfit = await createNexfit({ mongo: { uri: mongo.uri, dbName: mongo.dbName }, postgres: { connectionString: server.url }, keyring: 'ephemeral', migrate: true });
      expect(nexfit.unitOfWorkMode).toBe('ordered');
      const result = await nexfit.unitOfWork(async (uow) => {
        await nexfit.mongo.db.collection('probe').insertOne({ at: 'ordered' }, { session: uow.ctx.mongo });
        return uow.mode;
      });
      expect(result).toBe('ordered');
      await nexfit.close();
    } finally {
      await server.stop();
    }
  });
});

describe('createNexfit with no store options', () => {
  it('refuses to start, naming the connection settings, rather than starting throwaway stores', async () => {
    const refused = createNexfit({ keyring: 'ephemeral' });
    await expect(refused).rejects.toBeInstanceOf(ConfigurationError);
    await expect(refused).rejects.toThrow(/MONGODB_URI.*DATABASE_URL/);
    await expect(createNexfit({ postgres: { connectionString: 'postgres://unused' } })).rejects.toThrow(/MONGODB_URI/);
  });

  it("refuses embedded stores together with the host's own", async () => {
    await expect(createNexfit({ stores: 'embedded', postgres: { connectionString: 'postgres://unused' } })).rejects.toBeInstanceOf(ConfigurationError);
  });
});

describe("createNexfit({ stores: 'embedded' })", () => {
  it('starts the embedded stores, migrates them, and stops them on close', async () => {
    const nexfit = await createNexfit({ stores: 'embedded' });
    expect(nexfit.stores).toEqual({ mongo: { kind: 'embedded', dbName: 'nexfit' }, postgres: { kind: 'embedded' } });
    expect(nexfit.unitOfWorkMode).toBe('two-phase');
    const done = await nexfit.unitOfWork(async (uow) => {
      await nexfit.mongo.db.collection('probe').insertOne({ ok: true }, { session: uow.ctx.mongo });
      return true;
    });
    expect(done).toBe(true);
    expect(await nexfit.mongo.db.collection('probe').countDocuments()).toBe(1);
    await nexfit.close();
    await expect(nexfit.mongo.db.command({ ping: 1 })).rejects.toThrow();
  });
});

describe('createNexfit observer', () => {
  it('reports every repository operation of both stores to the host\'s observer', async () => {
    const seen: { store: string; target: string; operation: string; ok: boolean; durationMs: number }[] = [];
    const nexfit = await createNexfit({
      mongo: { uri: mongo.uri, dbName: mongo.dbName },
      postgres: { connectionString: postgres.url },
      keyring: 'ephemeral',
      migrate: true,
      observer: { onStoreOperation: (e) => { seen.push(e); } },
    });
    try {
      await nexfit.repositories.users.findByEmail('nobody@example.com');
      await nexfit.repositories.transactions.findByTransactionId('00000000-0000-4000-8000-000000000001');
      await expect(nexfit.repositories.facilities.getById('0'.repeat(24))).rejects.toMatchObject({ code: 'NOT_FOUND' });
    } finally {
      await nexfit.close();
    }
    expect(seen.map((e) => [e.store, e.target, e.operation, e.ok])).toEqual(expect.arrayContaining([
      ['mongo', 'users', 'findByEmail', true],
      ['postgres', 'transactions', 'findByTransactionId', true],
      ['mongo', 'facilities', 'findById', true],
    ]));
    expect(seen.every((e) => e.durationMs >= 0)).toBe(true);
  });
});

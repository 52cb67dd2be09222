import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { NexfitError, TransientStoreError } from '../../src/index.js';
import { createNexfitPgPool } from '../../src/stores/postgres/pg-types.js';
import { readStoreLayout } from '../../src/stores/store-layout.js';
import { useTestMongo, useTestPostgres } from '../support/stores.js';

const mongo = useTestMongo();
const postgres = useTestPostgres();

describe('reading the stores’ layout at start-up', () => {
  it('turns a PostgreSQL connection lost while it reads into a TransientStoreError, never the driver’s error', async () => {
    await postgres.kysely.schema.createTable('nexfit_migrations').ifNotExists().addColumn('name', 'text').execute();
    const locker = new pg.Client({ connectionString: postgres.url });
    await locker.connect();
    const readerPool = createNexfitPgPool({ connectionString: postgres.url, max: 1 });
    const reader = new Kysely<any>({ dialect: new PostgresDialect({ pool: readerPool }) });
    try {
      const lockerPid = (await locker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE nexfit_migrations IN ACCESS EXCLUSIVE MODE');
      const reading = readStoreLayout(mongo.db, reader).then(
        () => 'read',
        (error: unknown) => error,
      );
      // The read waits on the lock; its connection is then terminated, as a failover or an operator would.
      const admin = new pg.Client({ connectionString: postgres.url });
      await admin.connect();
      let pid: number | undefined;
      for (let i = 0; i < 200 && pid === undefined; i++) {
        const { rows } = await admin.query<{ pid: number }>("select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and pid <> $1 and wait_event_type = 'Lock' and query like '%nexfit_migrations%'", [lockerPid]);
        pid = rows[0]?.pid;
        if (pid === undefined) await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(pid).toBeDefined();
      await admin.query('select pg_terminate_backend($1)', [pid]);
      await admin.end();
      const outcome = await reading;
      expect(outcome).toBeInstanceOf(TransientStoreError);
      expect((outcome as TransientStoreError).code).toBe(new TransientStoreError('postgres', 'x').code);
      expect(((outcome as TransientStoreError).cause as { code?: string }).code).toBe('57P01');
    } finally {
      await locker.query('ROLLBACK').catch(() => {});
      await locker.end();
      await reader.destroy().catch(() => {});
    }
  });

  it('turns a MongoDB failure while it reads into the SDK’s typed error', async () => {
    const { MongoClient } = await import('mongodb');
    const client = new MongoClient(mongo.uri, { serverSelectionTimeoutMS: 300 });
    await client.connect();
    await client.close();
    const outcome = await readStoreLayout(client.db(mongo.dbName), postgres.kysely).then(
      () => 'read',
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(NexfitError);
  });
});

import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, StoreError } from '../../../src/core/errors.js';
import {
  POSTGRES_MIGRATION_NAMES,
  migratePostgresDown,
  migratePostgresToLatest,
  postgresMigrationStatus,
} from '../../../src/stores/postgres/migrator.js';
import { useTestPostgres } from '../../support/stores.js';
import { snapshotCatalog } from './catalog-snapshot.js';

const pg = useTestPostgres();

describe('PostgreSQL migrations', () => {
  beforeAll(async () => {
    const run = await migratePostgresToLatest(pg.kysely);
    expect(run).toEqual({ direction: 'up', executed: [...POSTGRES_MIGRATION_NAMES] });
  });

  it('reports every migration as applied and none pending', async () => {
    const status = await postgresMigrationStatus(pg.kysely);
    expect(status.pending).toEqual([]);
    expect(status.current).toBe(POSTGRES_MIGRATION_NAMES.at(-1));
    expect(status.migrations.every((m) => m.executedAt instanceof Date)).toBe(true);
  });

  it('keeps its bookkeeping in nexfit_migrations and nexfit_migrations_lock', async () => {
    const { rows } = await sql<{ name: string }>`
      SELECT name FROM nexfit_migrations ORDER BY name`.execute(pg.kysely);
    expect(rows.map((r) => r.name)).toEqual([...POSTGRES_MIGRATION_NAMES]);
    const lock = await sql`SELECT 1 FROM nexfit_migrations_lock`.execute(pg.kysely);
    expect(lock.rows).toHaveLength(1);
  });

  it('does nothing when already at the latest migration', async () => {
    expect(await migratePostgresToLatest(pg.kysely)).toEqual({ direction: 'none', executed: [] });
  });

  it('leaves the catalog identical after each migration is reverted and re-applied', async () => {
    const before = await snapshotCatalog(pg.kysely);
    // The updated_at function, and the two webhook functions on the outbox (fan-out, withdrawal).
    expect(before.functions).toHaveLength(3);
    // The six tables with updated_at, plus the trigger each analytics_daily partition inherits, plus the two outbox webhook triggers.
    const analyticsPartitions = before.partitions.filter((p) => p.startsWith('analytics_daily <- ')).length;
    expect(analyticsPartitions).toBe(4);
    expect(before.triggers).toHaveLength(6 + analyticsPartitions + 2);

    const latest = POSTGRES_MIGRATION_NAMES.at(-1);
    expect(await migratePostgresDown(pg.kysely)).toEqual({ direction: 'down', executed: [latest] });
    expect(await migratePostgresToLatest(pg.kysely)).toEqual({ direction: 'up', executed: [latest] });
    expect(await snapshotCatalog(pg.kysely)).toEqual(before);

    expect(await migratePostgresDown(pg.kysely, { steps: POSTGRES_MIGRATION_NAMES.length })).toEqual({
      direction: 'down',
      executed: [...POSTGRES_MIGRATION_NAMES].reverse(),
    });
    await migratePostgresToLatest(pg.kysely);
    expect(await snapshotCatalog(pg.kysely)).toEqual(before);
  });

  it('leaves nothing but its bookkeeping tables after migrating down to none', async () => {
    await migratePostgresDown(pg.kysely, { to: 'none' });
    const after = await snapshotCatalog(pg.kysely);
    expect(after.relations.filter((r) => !r.startsWith('nexfit_migrations'))).toEqual([]);
    expect(after.functions).toEqual([]);
    expect(after.triggers).toEqual([]);
    expect(after.partitions).toEqual([]);
    expect((await postgresMigrationStatus(pg.kysely)).current).toBeNull();
    await migratePostgresToLatest(pg.kysely);
  });

  it('migrates down to a named migration and refuses targets that are not applied', async () => {
    expect(await migratePostgresDown(pg.kysely, { to: '0001-initial-schema' })).toEqual({
      direction: 'down',
      executed: POSTGRES_MIGRATION_NAMES.slice(1).reverse(),
    });
    await expect(migratePostgresDown(pg.kysely, { to: '0002-sdk-internals' })).rejects.toBeInstanceOf(ConfigurationError);
    await migratePostgresToLatest(pg.kysely);
    await expect(migratePostgresDown(pg.kysely, { steps: 0 })).rejects.toBeInstanceOf(ConfigurationError);
  });

  it('refuses a database whose history holds a migration this SDK does not know', async () => {
    await sql`INSERT INTO nexfit_migrations (name, timestamp) VALUES ('0099-from-the-future', '2099-01-01T00:00:00Z')`.execute(pg.kysely);
    try {
      await expect(migratePostgresToLatest(pg.kysely)).rejects.toBeInstanceOf(ConfigurationError);
    } finally {
      await sql`DELETE FROM nexfit_migrations WHERE name = '0099-from-the-future'`.execute(pg.kysely);
    }
  });

  it('installs into a configurable schema and keeps the public schema untouched', async () => {
    const run = await migratePostgresToLatest(pg.kysely, { schema: 'nexfit_billing' });
    expect(run.executed).toEqual([...POSTGRES_MIGRATION_NAMES]);
    const custom = await snapshotCatalog(pg.kysely, 'nexfit_billing');
    const standard = await snapshotCatalog(pg.kysely);
    const withoutSchema = (lines: readonly string[]) => lines.map((l) => l.replaceAll('nexfit_billing.', ''));
    expect(withoutSchema(custom.indexes)).toEqual(withoutSchema(standard.indexes.map((l) => l.replaceAll('public.', ''))));
    expect(custom.partitions.length).toBe(standard.partitions.length);

    await migratePostgresDown(pg.kysely, { to: 'none', schema: 'nexfit_billing' });
    const emptied = await snapshotCatalog(pg.kysely, 'nexfit_billing');
    expect(emptied.relations.filter((r) => !r.startsWith('nexfit_migrations'))).toEqual([]);
    expect(await snapshotCatalog(pg.kysely)).toEqual(standard);
  });

  it('rolls a failed migration back and reports it as a StoreError with the cause', async () => {
    await sql`CREATE SCHEMA nexfit_broken`.execute(pg.kysely);
    await sql`CREATE TABLE nexfit_broken.invoices (id int)`.execute(pg.kysely);
    const error = await migratePostgresToLatest(pg.kysely, { schema: 'nexfit_broken' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toContain('0001-initial-schema');
    expect(((error as StoreError).cause as { code?: string }).code).toBe('42P07');
    const left = await snapshotCatalog(pg.kysely, 'nexfit_broken');
    expect(left.relations.filter((r) => !r.startsWith('nexfit_migrations'))).toEqual(['invoices r']);
  });
});

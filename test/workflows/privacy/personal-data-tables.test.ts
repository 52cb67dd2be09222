import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { PERSONAL_DATA_REGISTRY } from '../../../src/module-registry.js';
import { migratePostgresToLatest } from '../../../src/stores/postgres/migrator.js';
import { unclaimedPersonalData } from '../../support/personal-data-coverage.js';
import { useTestPostgres } from '../../support/stores.js';

const pg = useTestPostgres();

beforeAll(async () => {
  await migratePostgresToLatest(pg.kysely);
});

/** Tables (not their partitions) with a column holding a user's id, after every migration. */
async function userLinkedTables(): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT DISTINCT c.relname AS name
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema()
      AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND a.attnum > 0 AND NOT a.attisdropped
      AND a.attname ~ '^(user_id|.+_user_id|owner_id|coach_id|client_id|created_by)$'
    ORDER BY 1`.execute(pg.kysely);
  return rows.map((r) => r.name);
}

describe('personal-data contributors and PostgreSQL', () => {
  it('finds the tables that refer to a user', async () => {
    expect(await userLinkedTables()).toEqual(['audit_logs', 'audit_logs_archive', 'invoices', 'invoices_archive', 'nexfit_payment_intents', 'subscriptions', 'transactions', 'transactions_archive']);
  });

  it('has a registered contributor holding every table that refers to a user, and only tables that exist', async () => {
    const tables = await userLinkedTables();
    expect(unclaimedPersonalData('postgres', tables, PERSONAL_DATA_REGISTRY)).toEqual([]);
    const held = PERSONAL_DATA_REGISTRY.flatMap((r) => r.holds.filter((h) => h.store === 'postgres').map((h) => h.name));
    expect(held.filter((name) => !tables.includes(name))).toEqual([]);
  });

  it('fails when the billing module has no contributor', async () => {
    const withoutBilling = PERSONAL_DATA_REGISTRY.filter((r) => r.module !== 'billing');
    expect(unclaimedPersonalData('postgres', await userLinkedTables(), withoutBilling)).toEqual(['invoices', 'invoices_archive', 'nexfit_payment_intents', 'subscriptions', 'transactions', 'transactions_archive']);
  });
});

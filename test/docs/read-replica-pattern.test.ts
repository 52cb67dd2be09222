import { MongoClient } from 'mongodb';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError } from '../../src/core/errors.js';
import { createNexfit, type Nexfit } from '../../src/index.js';
import { useTestNexfit } from '../support/nexfit.js';

// docs/scaling-out.md: reports through a second instance on a read-only PostgreSQL session,
// as on a streaming replica (a standby forces every transaction read-only).
const t = useTestNexfit();
let readOnlyPool: pg.Pool;
let mongoForReports: MongoClient;
let reports: Nexfit;

beforeAll(async () => {
  readOnlyPool = new pg.Pool({ connectionString: t.pg.url, options: '-c default_transaction_read_only=on', max: 2 });
  mongoForReports = await new MongoClient(t.mongo.uri, { readPreference: 'secondaryPreferred' }).connect();
  // Reports read no encrypted field, so a throwaway keyring will do; pass the real one if yours do.
  reports = await createNexfit({ mongo: { client: mongoForReports, dbName: t.mongo.dbName }, postgres: { pool: readOnlyPool }, keyring: 'ephemeral' });
});
afterAll(async () => {
  await reports?.close();
  await mongoForReports?.close();
  await readOnlyPool?.end();
});

describe('the read-replica pattern of the scaling-out page', () => {
  it('answers a report written by the primary instance, and refuses a write', async () => {
    const owner = await t.nexfit.users.register({ email: 'replica-owner@example.com', password: 'correct horse battery', firstName: 'R', lastName: 'O', role: ['gym_owner'], roleSpecificData: { gym_owner: { businessName: 'Replica Gym' } } });
    const facility = await t.nexfit.facilities.create({ name: 'Replica Gym', type: 'gym', ownerId: owner.id, address: { street: 'Moda 1', city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.98, longitude: 29.02 } } });
    await t.nexfit.analytics.rollupDay({ date: '2026-03-02', businessId: facility.id });

    const days = await reports.analytics.report({ businessId: facility.id, from: '2026-03-01', to: '2026-03-31', groupBy: 'day' });
    expect(days.length).toBeGreaterThan(0);

    const write = await reports.analytics.rollupDay({ date: '2026-03-03', businessId: facility.id }).catch((e: unknown) => e);
    expect(write).toBeInstanceOf(StoreError);
    expect(String((write as StoreError).cause)).toContain('read-only transaction');
  });
});

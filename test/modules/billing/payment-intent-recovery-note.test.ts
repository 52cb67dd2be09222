import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { TransientStoreError } from '../../../src/core/errors.js';
import { fixedClock } from '../../../src/core/clock.js';
import { defaultIdGenerator, type UserId } from '../../../src/core/ids.js';
import { PaymentIntentRepository } from '../../../src/modules/billing/payment-intent.repository.js';
import { detectPreparedTransactions } from '../../../src/stores/postgres/capabilities.js';
import type { Database } from '../../../src/stores/postgres/database.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

describe('noting a failed recovery attempt on a payment intent', () => {
  it('records the error on a free row, and gives up after a bounded wait on a row a prepared unit holds, instead of blocking recovery', async (ctx) => {
    const { enabled } = await detectPreparedTransactions(t.nexfit.pg);
    if (!enabled) ctx.skip('max_prepared_transactions = 0 on this PostgreSQL: no unit can be left prepared');
    const intents = new PaymentIntentRepository(t.nexfit.pg, { clock: fixedClock('2026-03-02T09:00:00Z'), ids: defaultIdGenerator });
    const open = async (key: string) =>
      (await intents.open({ idempotencyKey: key, kind: 'purchase', userId: '0000000000000000000000c1' as UserId, amount: 100_00 as never, currency: 'TRY', request: {}, terms: {} })).intent;
    const free = await open('purchase:note-free');
    const held = await open('purchase:note-held');

    await intents.noteRecoveryFailure(free.intentId, 'provider_unavailable');
    expect(await intents.findByKey('purchase:note-free')).toMatchObject({ lastError: 'provider_unavailable', recoveryAttempts: 1 });

    // A unit a dead process prepared: it holds the intent's row until it is resolved.
    const client = new pg.Client({ connectionString: t.pg.url });
    await client.connect();
    const gid = `nexfit_uow_note_${held.intentId.slice(0, 8)}`;
    try {
      await client.query('BEGIN');
      await client.query("UPDATE nexfit_payment_intents SET outcome = '{}' WHERE intent_id = $1", [held.intentId]);
      await client.query(`PREPARE TRANSACTION '${gid}'`);
      // Without the bounded wait this call blocks until the unit is resolved, which happens only after it.
      await intents.noteRecoveryFailure(held.intentId, 'provider_unavailable');
      await client.query(`ROLLBACK PREPARED '${gid}'`);
      expect(await intents.findByKey('purchase:note-held')).toMatchObject({ lastError: null, recoveryAttempts: 0 });
    } finally {
      await client.query(`ROLLBACK PREPARED '${gid}'`).catch(() => {});
      await client.end();
    }
  }, 60_000);

  it('reports a PostgreSQL it cannot reach while walking the unfinished intents as a TransientStoreError', async () => {
    const unreachable = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ host: '127.0.0.1', port: 1, connectionTimeoutMillis: 2_000 }) }) });
    const intents = new PaymentIntentRepository(unreachable, { clock: fixedClock('2026-03-02T09:00:00Z'), ids: defaultIdGenerator });
    try {
      const walk = async () => {
        for await (const intent of intents.eachUnfinished(0)) void intent;
      };
      await expect(walk()).rejects.toBeInstanceOf(TransientStoreError);
    } finally {
      await unreachable.destroy();
    }
  });
});

import { sql, type Kysely } from 'kysely';
import type { Collection, Document } from 'mongodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { defaultIdGenerator } from '../../src/core/ids.js';
import { ensureMongoCollections } from '../../src/mongo-layout.js';
import type { Database } from '../../src/stores/postgres/database.js';
import { detectPreparedTransactions } from '../../src/stores/postgres/capabilities.js';
import { migratePostgresToLatest } from '../../src/stores/postgres/migrator.js';
import { UnitOfWorkCoordinator } from '../../src/uow/coordinator.js';
import { SimulatedCrash, UOW_PROTOCOL_STEPS, type UowProtocolStep } from '../../src/uow/protocol-steps.js';
import { recoverInDoubt } from '../../src/uow/recovery.js';
import type { UnitOfWorkMode } from '../../src/uow/unit-of-work.js';
import { useTestMongo, useTestPostgres } from '../support/stores.js';

const mongo = useTestMongo();
const pg = useTestPostgres();
let db: Kysely<Database>;
let probes: Collection<Document>;
let twoPhaseAvailable = false;

beforeAll(async () => {
  db = pg.kysely as Kysely<Database>;
  await migratePostgresToLatest(db);
  await ensureMongoCollections(mongo.db);
  probes = mongo.db.collection('uow_probes');
  twoPhaseAvailable = (await detectPreparedTransactions(db)).enabled;
  if (!twoPhaseAvailable) console.log('[nexfit] this PostgreSQL has max_prepared_transactions = 0: the two-phase suite runs only where it is enabled (CI enables it)');
});

function coordinator(mode: UnitOfWorkMode, faults?: (step: UowProtocolStep, unitId: string) => void | Promise<void>) {
  return new UnitOfWorkCoordinator({ pg: db, mongoClient: mongo.client, db: mongo.db, clock: systemClock, ids: defaultIdGenerator, mode, ...(faults ? { faults } : {}) });
}

/** One unit's writes: a probe document in MongoDB and a transaction row in PostgreSQL, both keyed by `key`. */
async function writeBoth(uow: Parameters<Parameters<UnitOfWorkCoordinator['run']>[0]>[0], key: string) {
  await probes.insertOne({ key }, { session: uow.ctx.mongo });
  const insert = uow.ctx.pg.insertInto('transactions').values({
    transaction_id: key, user_id: 'a'.repeat(24), amount: '10.00', payment_method: 'card', transaction_type: 'purchase', status: 'completed',
  });
  await insert.execute();
  uow.compensateWith(uow.ctx.pg.deleteFrom('transactions').where('transaction_id', '=', key));
}

async function stateOf(key: string) {
  const inMongo = (await probes.countDocuments({ key })) === 1;
  const inPostgres = (await db.selectFrom('transactions').select('id').where('transaction_id', '=', key).execute()).length === 1;
  return { inMongo, inPostgres };
}

async function preparedCount() {
  const { rows } = await sql<{ n: string }>`SELECT count(*)::text AS n FROM pg_prepared_xacts WHERE database = current_database()`.execute(db);
  return Number(rows[0]?.n);
}

const key = () => defaultIdGenerator.newUuid();

describe.each(['two-phase', 'ordered'] as const)('unit of work in %s mode', (mode) => {
  const runs = () => mode === 'ordered' || twoPhaseAvailable;

  it('commits the writes of both stores together', async ({ skip }) => {
    if (!runs()) skip('max_prepared_transactions = 0 on this PostgreSQL');
    const k = key();
    const result = await coordinator(mode).run(async (uow) => {
      expect(uow.mode).toBe(mode);
      await writeBoth(uow, k);
      return 'done';
    });
    expect(result).toBe('done');
    expect(await stateOf(k)).toEqual({ inMongo: true, inPostgres: true });
  });

  it('commits a unit that wrote only PostgreSQL with its one COMMIT: no protocol step, prepared transaction, intent or decision', async ({ skip }) => {
    if (!runs()) skip('max_prepared_transactions = 0 on this PostgreSQL');
    const k = key();
    const steps: UowProtocolStep[] = [];
    const units = coordinator(mode, (step) => { steps.push(step); });
    const intentsBefore = Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM nexfit_uow_intents`.execute(db)).rows[0]!.n);
    const decisionsBefore = await mongo.db.collection('nexfit_uow_decisions').countDocuments();
    await units.run(async (uow) => {
      await uow.ctx.pg.insertInto('transactions').values({ transaction_id: k, user_id: 'a'.repeat(24), amount: '10.00', payment_method: 'card', transaction_type: 'purchase', status: 'completed' }).execute();
    });
    expect(await stateOf(k)).toEqual({ inMongo: false, inPostgres: true });
    expect(steps).toEqual([]);
    expect(await preparedCount()).toBe(0);
    expect(Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM nexfit_uow_intents`.execute(db)).rows[0]!.n)).toBe(intentsBefore);
    expect(await mongo.db.collection('nexfit_uow_decisions').countDocuments()).toBe(decisionsBefore);

    // A unit that read MongoDB inside its transaction takes the whole protocol.
    await units.run(async (uow) => {
      await probes.findOne({ key: k }, { session: uow.ctx.mongo });
      await uow.ctx.pg.updateTable('transactions').set({ status: 'refunded' }).where('transaction_id', '=', k).execute();
    });
    expect(steps).toEqual([...UOW_PROTOCOL_STEPS]);
  });

  it('commits neither store when the callback throws', async ({ skip }) => {
    if (!runs()) skip('max_prepared_transactions = 0 on this PostgreSQL');
    const k = key();
    await expect(coordinator(mode).run(async (uow) => {
      await writeBoth(uow, k);
      throw new Error('business rule refused');
    })).rejects.toThrow();
    expect(await stateOf(k)).toEqual({ inMongo: false, inPostgres: false });
  });

  it('keeps writes invisible to other readers until the unit commits', async ({ skip }) => {
    if (!runs()) skip('max_prepared_transactions = 0 on this PostgreSQL');
    const k = key();
    await coordinator(mode).run(async (uow) => {
      await probes.insertOne({ key: k }, { session: uow.ctx.mongo });
      expect(await probes.countDocuments({ key: k })).toBe(0);
    });
    expect(await probes.countDocuments({ key: k })).toBe(1);
  });

  it('runs after-commit hooks only after a commit', async ({ skip }) => {
    if (!runs()) skip('max_prepared_transactions = 0 on this PostgreSQL');
    const seen: string[] = [];
    await coordinator(mode).run(async (uow) => { uow.afterCommit(() => { seen.push('committed'); }); });
    await expect(coordinator(mode).run(async (uow) => {
      uow.afterCommit(() => { seen.push('rolled back'); });
      throw new Error('no');
    })).rejects.toThrow();
    expect(seen).toEqual(['committed']);
  });

  // Only ordered units write intents.
  if (mode === 'ordered') it('keeps no compensation statements once an ordered unit is decided, committed or undone', async () => {
    const before = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM nexfit_uow_intents`.execute(db)).rows[0]!.n);
    await coordinator(mode).run((uow) => writeBoth(uow, key()));
    await expect(coordinator(mode, (at) => { if (at === 'after-prepare') throw new SimulatedCrash(at); }).run((uow) => writeBoth(uow, key()))).rejects.toBeInstanceOf(SimulatedCrash);
    await recoverInDoubt(db, coordinator(mode).decisions, systemClock, { olderThanMs: 0 });
    const intents = await sql<{ status: string; compensation: unknown[] }>`SELECT status, compensation FROM nexfit_uow_intents`.execute(db);
    expect(intents.rows.length).toBeGreaterThan(before);
    for (const intent of intents.rows) {
      expect(intent.status).not.toBe('pending');
      expect(intent.compensation).toEqual([]);
    }
  });

  describe.each(UOW_PROTOCOL_STEPS)('after a crash at %s', (step) => {
    it('recovery leaves both stores with all of the unit or none, many times over', async ({ skip }) => {
      if (!runs()) skip('max_prepared_transactions = 0 on this PostgreSQL');
      const committedExpected = step === 'after-decision' || step === 'after-postgres-commit';
      for (let round = 0; round < 8; round++) {
        const k = key();
        await expect(coordinator(mode, (at) => { if (at === step) throw new SimulatedCrash(at); }).run((uow) => writeBoth(uow, k))).rejects.toBeInstanceOf(SimulatedCrash);
        const first = await recoverInDoubt(db, coordinator(mode).decisions, systemClock, { olderThanMs: 0 });
        const again = await recoverInDoubt(db, coordinator(mode).decisions, systemClock, { olderThanMs: 0 });
        expect({ first, again }).toMatchObject({ first: { skipped: [] }, again: { examined: 0 } });
        const state = await stateOf(k);
        expect(state).toEqual({ inMongo: committedExpected, inPostgres: committedExpected });
      }
      expect(await preparedCount()).toBe(0);
    });
  });

  it('two recoveries running at once resolve every unit exactly once', async ({ skip }) => {
    if (!runs()) skip('max_prepared_transactions = 0 on this PostgreSQL');
    const keys = Array.from({ length: 6 }, key);
    for (const [i, k] of keys.entries()) {
      const step = i % 2 === 0 ? 'after-prepare' : 'after-decision';
      await coordinator(mode, (at) => { if (at === step) throw new SimulatedCrash(at); }).run((uow) => writeBoth(uow, k)).catch(() => {});
    }
    const [a, b] = await Promise.all([
      recoverInDoubt(db, coordinator(mode).decisions, systemClock, { olderThanMs: 0 }),
      recoverInDoubt(db, coordinator(mode).decisions, systemClock, { olderThanMs: 0 }),
    ]);
    expect(a.skipped.length + b.skipped.length).toBe(0);
    for (const [i, k] of keys.entries()) {
      const expected = i % 2 === 1;
      expect(await stateOf(k)).toEqual({ inMongo: expected, inPostgres: expected });
    }
    expect(await preparedCount()).toBe(0);
  });

  it('a coordinator that resumes after recovery fenced its unit cannot commit it', async ({ skip }) => {
    if (!runs()) skip('max_prepared_transactions = 0 on this PostgreSQL');
    const k = key();
    let fenced = false;
    const result = await coordinator(mode, async (at) => {
      if (at === 'before-decision' && !fenced) {
        fenced = true;
        await recoverInDoubt(db, coordinator(mode).decisions, systemClock, { olderThanMs: 0 });
      }
    }).run((uow) => writeBoth(uow, k)).then(() => 'committed', () => 'failed');
    const state = await stateOf(k);
    // Either the unit was re-run to a commit after the fenced attempt failed, or it failed: never half.
    expect(state.inMongo).toBe(state.inPostgres);
    expect(state.inMongo).toBe(result === 'committed');
    expect(await preparedCount()).toBe(0);
  });

  it('loses no update when units race on the same document and row', async ({ skip }) => {
    if (!runs()) skip('max_prepared_transactions = 0 on this PostgreSQL');
    const counterKey = key();
    await probes.insertOne({ key: counterKey, n: 0 });
    await db.insertInto('transactions').values({ transaction_id: counterKey, user_id: 'b'.repeat(24), amount: '0.00', payment_method: 'card', transaction_type: 'purchase', status: 'completed' }).execute();
    const units = 12;
    await Promise.all(Array.from({ length: units }, () => coordinator(mode).run(async (uow) => {
      await probes.updateOne({ key: counterKey }, { $inc: { n: 1 } }, { session: uow.ctx.mongo });
      await sql`UPDATE transactions SET amount = amount + 1 WHERE transaction_id = ${counterKey}`.execute(uow.ctx.pg);
    }, { maxAttempts: 50 })));
    expect((await probes.findOne({ key: counterKey }))?.['n']).toBe(units);
    const row = await db.selectFrom('transactions').select('amount').where('transaction_id', '=', counterKey).executeTakeFirstOrThrow();
    expect(row.amount).toBe(`${units}.00`);
  });
});

it('prints the PostgreSQL it ran the two-phase suite on', () => {
  console.log(`[nexfit] unit-of-work suite: PostgreSQL ${inject('pgKind')}, prepared transactions ${twoPhaseAvailable ? 'enabled' : 'disabled'}; MongoDB ${inject('mongoKind')}`);
  expect(typeof twoPhaseAvailable).toBe('boolean');
});

describe.each(['two-phase', 'ordered'] as const)('domain events in %s mode', (mode) => {
  it('delivers an emitted event once, after the unit commits', async ({ skip }) => {
    if (mode === 'two-phase' && !twoPhaseAvailable) skip('max_prepared_transactions = 0 on this PostgreSQL');
    const c = coordinator(mode);
    const seen: { type: string; userId: string; committedWhenSeen: boolean }[] = [];
    const k = key();
    const off = c.outbox.on('user.registered', async (event) => {
      seen.push({ type: event.type, userId: event.payload.userId, committedWhenSeen: (await stateOf(k)).inPostgres });
    });
    await c.run(async (uow) => {
      await writeBoth(uow, k);
      await uow.emit('user.registered', { userId: k });
    });
    off();
    expect(seen).toEqual([{ type: 'user.registered', userId: k, committedWhenSeen: true }]);
    expect(await c.outbox.relay()).toEqual({ delivered: 0, failed: 0 });
  });

  it('never delivers the events of a unit that rolled back', async ({ skip }) => {
    if (mode === 'two-phase' && !twoPhaseAvailable) skip('max_prepared_transactions = 0 on this PostgreSQL');
    const c = coordinator(mode);
    const seen: string[] = [];
    const off = c.outbox.on('user.registered', (event) => { seen.push(event.payload.userId); });
    const k = key();
    await expect(c.run(async (uow) => {
      await uow.emit('user.registered', { userId: k });
      throw new Error('refused');
    })).rejects.toThrow('refused');
    await c.outbox.relay();
    off();
    expect(seen).toEqual([]);
    const rows = await db.selectFrom('nexfit_outbox').select('event_id').where(sql<boolean>`payload->>'userId' = ${k}`).execute();
    expect(rows).toEqual([]);
  });

  it('delivers the events of a unit whose process died after the commit, on the next relay', async ({ skip }) => {
    if (mode === 'two-phase' && !twoPhaseAvailable) skip('max_prepared_transactions = 0 on this PostgreSQL');
    const k = key();
    const dying = coordinator(mode, (at) => { if (at === 'after-decision') throw new SimulatedCrash(at); });
    const heardByTheDead: string[] = [];
    dying.outbox.on('user.registered', (event) => { heardByTheDead.push(event.payload.userId); });
    await expect(dying.run(async (uow) => {
      await writeBoth(uow, k);
      await uow.emit('user.registered', { userId: k });
    })).rejects.toBeInstanceOf(SimulatedCrash);
    expect(heardByTheDead).toEqual([]);
    await recoverInDoubt(db, coordinator(mode).decisions, systemClock, { olderThanMs: 0 });
    const c = coordinator(mode);
    const seen: string[] = [];
    const off = c.outbox.on('user.registered', (event) => { seen.push(event.payload.userId); });
    await c.outbox.relay();
    await c.outbox.relay();
    off();
    expect(seen.filter((id) => id === k)).toEqual([k]);
  });

  it('stores an event no handler subscribes to, published once the unit commits', async ({ skip }) => {
    if (mode === 'two-phase' && !twoPhaseAvailable) skip('max_prepared_transactions = 0 on this PostgreSQL');
    const k = key();
    const c = coordinator(mode);
    let publishedInside: Date | null | undefined;
    await c.run(async (uow) => {
      await writeBoth(uow, k);
      await uow.emit('user.registered', { userId: k });
      const row = await uow.ctx.pg!.selectFrom('nexfit_outbox').select('published_at').where(sql<boolean>`payload->>'userId' = ${k}`).executeTakeFirstOrThrow();
      publishedInside = row.published_at;
    });
    // A two-phase unit writes the mark with the row; an ordered one, whose compensation may delete it, marks it after the commit.
    if (mode === 'two-phase') expect(publishedInside).toBeInstanceOf(Date);
    else expect(publishedInside).toBeNull();
    const rows = await db.selectFrom('nexfit_outbox').select('published_at').where(sql<boolean>`payload->>'userId' = ${k}`).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.published_at).toBeInstanceOf(Date);
    const seen: string[] = [];
    const off = c.outbox.on('user.registered', (event) => { seen.push(event.payload.userId); });
    await c.outbox.relay();
    off();
    expect(seen).not.toContain(k);
  });
});

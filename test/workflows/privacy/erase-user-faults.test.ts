import { describe, expect, it } from 'vitest';
import type { UserId } from '../../../src/core/ids.js';
import { SimulatedCrash, type UowProtocolStep } from '../../../src/uow/protocol-steps.js';
import type { UnitOfWorkMode } from '../../../src/uow/unit-of-work.js';
import { useTestNexfit } from '../../support/nexfit.js';
import { buildSubjectWorld, readRawStores, whereFound } from './support/privacy-fixtures.js';

/** The unit-of-work bookkeeping a failed unit legitimately leaves (an abort decision, a compensated intent). */
const BOOKKEEPING = ['nexfit_uow_decisions', 'nexfit_uow_intents'];
const REASON = 'KVKK request 2026-204';

describe.each<UnitOfWorkMode>(['two-phase', 'ordered'])('eraseUser under injected failures (%s)', (mode) => {
  let armed: { readonly step: UowProtocolStep; readonly crash: boolean } | null = null;
  // One-shot: only the next unit to reach `step` fails, as a dead process (crash) or a failed step (error).
  const faults = (step: UowProtocolStep) => {
    if (armed?.step !== step) return;
    const { crash } = armed;
    armed = null;
    throw crash ? new SimulatedCrash(step) : new Error(`injected failure at ${step}`);
  };
  const t = useTestNexfit({ nexfit: { unitOfWork: { mode, faults } } });

  it.each<UowProtocolStep>(['before-prepare', 'before-decision'])('leaves both stores unchanged when the unit fails at %s, then erases cleanly on retry', async (step) => {
    const world = await buildSubjectWorld(t.nexfit, `F${mode === 'ordered' ? 'O' : 'T'}${step === 'before-prepare' ? 1 : 2}`);
    const before = await readRawStores(t, { exclude: BOOKKEEPING, withoutUpdatedAt: mode === 'ordered' });
    armed = { step, crash: false };
    await expect(t.nexfit.privacy.eraseUser(world.subject.id, { reason: REASON })).rejects.toThrow(`injected failure at ${step}`);
    expect(await readRawStores(t, { exclude: BOOKKEEPING, withoutUpdatedAt: mode === 'ordered' })).toEqual(before);
    // The undo log of the failed unit does not keep the data it would have restored.
    expect(whereFound(await readRawStores(t), world.personal)).toEqual(whereFound(before, world.personal));

    const report = await t.nexfit.privacy.eraseUser(world.subject.id, { reason: REASON });
    expect(report.alreadyErased).toBe(false);
    expect(whereFound(await readRawStores(t), world.personal)).toEqual([]);
  });

  it('leaves both stores unchanged when the process dies after PostgreSQL prepared, once recovery has run', async () => {
    const world = await buildSubjectWorld(t.nexfit, `F${mode === 'ordered' ? 'O' : 'T'}3`);
    const before = await readRawStores(t, { exclude: BOOKKEEPING, withoutUpdatedAt: mode === 'ordered' });
    armed = { step: 'after-prepare', crash: true };
    await expect(t.nexfit.privacy.eraseUser(world.subject.id, { reason: REASON })).rejects.toBeInstanceOf(SimulatedCrash);
    const recovery = await t.nexfit.recoverInDoubt({ olderThanMs: 0 });
    expect(recovery.rolledBack).toHaveLength(1);
    expect(await readRawStores(t, { exclude: BOOKKEEPING, withoutUpdatedAt: mode === 'ordered' })).toEqual(before);
    expect((await t.nexfit.users.getById(world.subject.id as UserId)).erasedAt).toBeUndefined();
  });

  it('keeps the erasure when the process dies after the commit point, once recovery has run', async () => {
    const world = await buildSubjectWorld(t.nexfit, `F${mode === 'ordered' ? 'O' : 'T'}4`);
    armed = { step: 'after-decision', crash: true };
    await expect(t.nexfit.privacy.eraseUser(world.subject.id, { reason: REASON })).rejects.toBeInstanceOf(SimulatedCrash);
    const recovery = await t.nexfit.recoverInDoubt({ olderThanMs: 0 });
    expect(recovery.committed).toHaveLength(1);
    expect((await t.nexfit.users.getById(world.subject.id as UserId)).erasedAt).toBeInstanceOf(Date);
    // A unit left to recovery keeps its undo log (see docs/security/privacy.md, known limits); the data itself is gone.
    expect(whereFound(await readRawStores(t, { exclude: ['nexfit_uow_intents'] }), world.personal)).toEqual([]);
  });
});

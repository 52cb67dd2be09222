import { describe, expect, it } from 'vitest';
import { AuditLogRepository } from '../../../src/modules/audit/audit-log.repository.js';
import { AuditTrail } from '../../../src/modules/audit/audit-trail.js';
import { UnitOfWorkCoordinator } from '../../../src/uow/coordinator.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit();

describe('the audit trail', () => {
  it.each(['two-phase', 'ordered'] as const)('keeps an audit row only if its unit commits, even when MongoDB fails after PostgreSQL (%s mode)', async (mode) => {
    const logs = new AuditLogRepository(t.nexfit.pg, t.deps);
    const audit = new AuditTrail(logs);
    let failDecision = false;
    const units = new UnitOfWorkCoordinator({
      pg: t.nexfit.pg, mongoClient: t.nexfit.mongo.client, db: t.nexfit.mongo.db, clock: t.deps.clock, ids: t.deps.ids, mode,
      // PostgreSQL's part is prepared (two-phase) or committed with its intent (ordered) by now.
      faults: (step) => { if (step === 'before-decision' && failDecision) throw new Error('MongoDB refused the commit'); },
    });
    const entityId = `entity-${mode}`;
    // Each unit writes MongoDB too, so it commits through the two-store protocol (a unit that wrote only PostgreSQL just commits).
    const probe = (uow: Parameters<Parameters<UnitOfWorkCoordinator['run']>[0]>[0]) => t.nexfit.mongo.db.collection('audit_trail_probes').insertOne({ entityId }, { session: uow.ctx.mongo });
    await units.run(async (uow) => { await probe(uow); await audit.record(uow, { entityType: 'facilities', entityId, action: 'create', newState: { name: 'kept' } }); }, { context: { actorId: 'a'.repeat(24), ipAddress: '203.0.113.9' } });
    failDecision = true;
    await expect(units.run(async (uow) => { await probe(uow); await audit.record(uow, { entityType: 'facilities', entityId, action: 'update', newState: { name: 'dropped' } }); })).rejects.toThrow('MongoDB refused the commit');
    const rows = await logs.listByEntity('facilities', entityId);
    expect(rows.items.map((r) => [r.action, r.userId, r.ipAddress])).toEqual([['create', 'a'.repeat(24), '203.0.113.9']]);
  });
});

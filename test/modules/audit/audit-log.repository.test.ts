import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import type { UserId } from '../../../src/core/ids.js';
import { AuditLogRepository } from '../../../src/modules/audit/audit-log.repository.js';
import type { CreateAuditLogInput } from '../../../src/modules/audit/audit-log.schema.js';
import { oid } from '../support/factories.js';
import { countRows, explain, lastQuery, planNodes, scannedIndexes, useRepositoryDb } from '../support/postgres-repositories.js';

const test = useRepositoryDb();
let audit: AuditLogRepository;

beforeAll(() => {
  audit = new AuditLogRepository(test.db, test.deps);
});

const userId = (n: number) => oid(n) as UserId;

function anEntry(overrides: Partial<CreateAuditLogInput> = {}): CreateAuditLogInput {
  return {
    entityType: 'invoices',
    entityId: randomUUID(),
    userId: userId(1),
    action: 'status_change',
    previousState: { status: 'issued' },
    newState: { status: 'paid', lines: [1, 2] },
    ipAddress: '2001:db8::7',
    userAgent: 'Mozilla/5.0',
    requestId: 'req-7f3a',
    ...overrides,
  };
}

describe('AuditLogRepository', () => {
  it('records who changed what, with the states before and after', async () => {
    const entry = anEntry();
    const recorded = await audit.record(entry);
    expect(recorded).toEqual({ ...entry, createdAt: expect.any(Date) });
    expect((await audit.listByEntity('invoices', entry.entityId)).items).toEqual([recorded]);
  });

  it('records system changes without an actor', async () => {
    const recorded = await audit.record({ entityType: 'subscriptions', entityId: randomUUID(), action: 'subscription.expired' });
    expect(recorded).toMatchObject({ userId: null, previousState: null, newState: null, ipAddress: null });
  });

  it('offers no way to change or remove history', () => {
    const methods = Object.getOwnPropertyNames(AuditLogRepository.prototype);
    expect(methods.filter((m) => /update|patch|delete|remove/i.test(m))).toEqual([]);
  });

  it('lists an entity’s history and an actor’s actions newest first, across pages', async () => {
    const entityId = randomUUID();
    const actor = userId(50);
    for (let i = 0; i < 5; i++) await audit.record(anEntry({ entityId, userId: actor, newState: { step: i } }));
    await audit.record(anEntry({ userId: actor }));
    const steps: unknown[] = [];
    let after: string | undefined;
    do {
      const page = await audit.listByEntity('invoices', entityId, { limit: 2, ...(after ? { after } : {}) });
      steps.push(...page.items.map((e) => e.newState?.['step']));
      after = page.nextCursor ?? undefined;
    } while (after);
    expect(steps).toEqual([4, 3, 2, 1, 0]);
    const byActor = await audit.listByUser(actor, { limit: 10 });
    expect(byActor.items).toHaveLength(6);
    expect(byActor.items[0]!.entityId).not.toBe(entityId);
  });

  it('writes in the caller’s transaction and rolls back with it', async () => {
    const entry = anEntry();
    await test.db
      .transaction()
      .execute(async (trx) => {
        await audit.record(entry, { pg: trx });
        throw new Error('abort');
      })
      .catch(() => {});
    expect((await audit.listByEntity('invoices', entry.entityId)).items).toEqual([]);
  });

  it('refuses invalid entries and operator objects, writing nothing', async () => {
    const before = await countRows(test.db, 'audit_logs');
    await expect(audit.record(anEntry({ ipAddress: '999.1.1.1' }))).rejects.toBeInstanceOf(ValidationError);
    await expect(audit.record(anEntry({ action: 'DROP TABLE' }))).rejects.toBeInstanceOf(ValidationError);
    await expect(audit.record(anEntry({ newState: { $set: { status: 'paid' } } }))).rejects.toBeInstanceOf(ValidationError);
    await expect(audit.listByEntity('invoices', { $ne: '' } as never)).rejects.toBeInstanceOf(ValidationError);
    await expect(audit.listByUser({ $gt: '' } as never)).rejects.toBeInstanceOf(ValidationError);
    expect(await countRows(test.db, 'audit_logs')).toBe(before);
  });

  describe('query plans (2 000 rows, analysed)', () => {
    beforeAll(async () => {
      await sql`
        INSERT INTO audit_logs (entity_type, entity_id, user_id, action)
        SELECT 'invoices', 'entity-' || (g % 400), lpad(to_hex(g % 50), 24, '0'), 'update' FROM generate_series(1, 2000) AS g`.execute(test.db);
      await sql`ANALYZE audit_logs`.execute(test.db);
    });

    it('reads an entity’s history through idx_audit_logs_entity in the partition holding it', async () => {
      await audit.listByEntity('invoices', 'entity-7', { limit: 10 });
      const plan = await explain(test, lastQuery(test.queries, /from "audit_logs" where "entity_type"/));
      const { rows } = await sql<{ name: string }>`
        SELECT c.relname AS name FROM pg_partition_tree('idx_audit_logs_entity') t JOIN pg_class c ON c.oid = t.relid`.execute(test.db);
      const entityIndexes = new Set(rows.map((r) => r.name));
      const { rows: holding } = await sql<{ name: string }>`SELECT tableoid::regclass::text AS name FROM audit_logs GROUP BY 1 HAVING count(*) >= 100`.execute(test.db);
      expect(scannedIndexes(plan).some((name) => entityIndexes.has(name))).toBe(true);
      const seqScans = planNodes(plan).filter((n) => n['Node Type'] === 'Seq Scan' && holding.some((h) => h.name === n['Relation Name']));
      expect(seqScans).toEqual([]);
    });
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../src/core/errors.js';
import { IdempotencyKeyRepository } from '../../../src/modules/billing/idempotency-key.repository.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

describe('IdempotencyKeyRepository', () => {
  let keys: IdempotencyKeyRepository;
  const later = new Date('2026-04-01T00:00:00Z');
  beforeAll(() => {
    keys = new IdempotencyKeyRepository(t.nexfit.pg, t.deps);
  });

  it('claims a key once and stores its result', async () => {
    await keys.claim('test:key-1', 'scope', later);
    await expect(keys.claim('test:key-1', 'scope', later)).rejects.toMatchObject({ reason: 'idempotency_key_taken' });
    await keys.complete('test:key-1', { answer: 42 });
    expect(await keys.find('test:key-1')).toMatchObject({ scope: 'scope', response: { answer: 42 } });
  });

  it('lets one of many concurrent claims win', async () => {
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => keys.claim('test:key-race', 'scope', later)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(ConflictError);
  });

  it('forgets a key in a rolled-back unit', async () => {
    await expect(
      t.nexfit.unitOfWork(async (u) => {
        await keys.claim('test:key-rollback', 'scope', later, u.ctx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await keys.find('test:key-rollback')).toBeNull();
  });

  it('hides and replaces an expired key, and deletes expired ones', async () => {
    await keys.claim('test:key-old', 'scope', new Date('2026-03-02T08:00:00Z'));
    expect(await keys.find('test:key-old')).toBeNull();
    await keys.claim('test:key-old', 'scope', later);
    await keys.claim('test:key-gone', 'scope', new Date('2026-03-01T00:00:00Z'));
    expect(await keys.deleteExpired(new Date('2026-03-02T09:00:00Z'))).toBeGreaterThanOrEqual(1);
    expect(await keys.find('test:key-old')).not.toBeNull();
  });

  it('replaces an expired record whole: the new scope and expiry, and no stored result', async () => {
    await keys.claim('test:key-expired-result', 'scope-1', new Date('2026-03-02T08:00:00Z'));
    await keys.complete('test:key-expired-result', { answer: 1 });
    await keys.claim('test:key-expired-result', 'scope-2', later);
    expect(await keys.find('test:key-expired-result')).toEqual({ key: 'test:key-expired-result', scope: 'scope-2', response: null, expiresAt: later });
    await expect(keys.claim('test:key-expired-result', 'scope-3', later)).rejects.toMatchObject({ reason: 'idempotency_key_taken' });
  });

  it('lets one of many concurrent claims of an expired key win', async () => {
    await keys.claim('test:key-expired-race', 'scope', new Date('2026-03-02T08:00:00Z'));
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => keys.claim('test:key-expired-race', `scope-${i}`, later)));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toMatchObject({ reason: 'idempotency_key_taken' });
    const winner = outcomes.findIndex((o) => o.status === 'fulfilled');
    expect(await keys.find('test:key-expired-race')).toMatchObject({ scope: `scope-${winner}` });
  });

  it('refuses hostile keys', async () => {
    await expect(keys.claim("x'; DROP TABLE invoices; --", 'scope', later)).rejects.toBeInstanceOf(ValidationError);
    await expect(keys.find({ $ne: '' } as never)).rejects.toBeInstanceOf(ValidationError);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { BoundedCounters } from '../../../src/stores/mongo/bounded-counters.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
let n = 0;
const key = () => `test:${process.pid}:${Date.now().toString(36)}:${n++}`;

describe('BoundedCounters', () => {
  let counters: BoundedCounters;
  beforeAll(() => {
    counters = new BoundedCounters(t.nexfit.mongo.db, 'membership_visit_counters', 'visit counter', t.deps);
  });
  const stored = (k: string) => t.nexfit.mongo.db.collection<{ _id: string; taken: number }>('membership_visit_counters').findOne({ _id: k });

  it('counts claims up to the limit, creating the counter on the first', async () => {
    const k = key();
    expect(await stored(k)).toBeNull();
    expect(await counters.claimCounted(k, 3)).toBe(1);
    expect(await counters.claimCounted(k, 3)).toBe(2);
    expect(await counters.claim(k, 3)).toBe(true);
    expect(await counters.claimCounted(k, 3)).toBeUndefined();
    expect(await counters.claim(k, 3)).toBe(false);
    expect(await stored(k)).toMatchObject({ taken: 3 });
    expect(await counters.taken(k)).toBe(3);
  });

  it('refuses a limit of zero without creating the counter, and counts without a limit', async () => {
    const k = key();
    expect(await counters.claimCounted(k, 0)).toBeUndefined();
    expect(await stored(k)).toBeNull();
    for (let i = 1; i <= 5; i++) expect(await counters.claimCounted(k, Number.POSITIVE_INFINITY)).toBe(i);
  });

  it('lets a released unit be claimed again', async () => {
    const k = key();
    expect(await counters.claimCounted(k, 1)).toBe(1);
    expect(await counters.claimCounted(k, 1)).toBeUndefined();
    expect(await counters.release(k)).toBe(true);
    expect(await counters.claimCounted(k, 1)).toBe(1);
  });

  it('never lets racing claims exceed the limit, whether the counter exists or not', async () => {
    for (const existing of [false, true]) {
      const k = key();
      if (existing) await counters.claim(k, 10);
      const outcomes = await Promise.all(Array.from({ length: 12 }, () => counters.claimCounted(k, 5)));
      const granted = outcomes.filter((o) => o !== undefined);
      expect(granted).toHaveLength(existing ? 4 : 5);
      // Each granted claim saw its own count: no two share one.
      expect(new Set(granted).size).toBe(granted.length);
      expect(await counters.taken(k)).toBe(5);
    }
  });

  it('forgets the claims of a unit of work that rolled back, the first claim included', async () => {
    const k = key();
    await expect(
      t.nexfit.unitOfWork(async (u) => {
        expect(await counters.claimCounted(k, 2, u.ctx)).toBe(1);
        expect(await counters.claimCounted(k, 2, u.ctx)).toBe(2);
        expect(await counters.claimCounted(k, 2, u.ctx)).toBeUndefined();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await stored(k)).toBeNull();
    await t.nexfit.unitOfWork(async (u) => {
      expect(await counters.claimCounted(k, 2, u.ctx)).toBe(1);
    });
    expect(await counters.taken(k)).toBe(1);
  });
});

import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import { MemoryLruCache } from '../../src/ops/cache/memory-lru-cache.js';
import { ReadThroughCache } from '../../src/ops/cache/read-through-cache.js';
import { RedisCache } from '../../src/ops/cache/redis-cache.js';
import type { CacheAdapter } from '../../src/ops/cache/cache-adapter.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit();
const redisUrl = process.env['REDIS_URL'];

async function connectRedis() {
  if (!redisUrl) return undefined;
  const client = createClient({ url: redisUrl, socket: { connectTimeout: 1_000, reconnectStrategy: false } });
  client.on('error', () => {});
  try {
    await client.connect();
    return client;
  } catch {
    return undefined;
  }
}

function countingLoader<T>(value: T) {
  const loader = async () => { loader.calls++; return value; };
  loader.calls = 0;
  return loader;
}

async function behavesAsReadThroughCache(adapter: CacheAdapter, prefix: string) {
  const cache = new ReadThroughCache(adapter, { ttlMs: 60_000 });
  const plan = { id: `${prefix}-1`, name: 'Gold', price: 1_500_00, updatedAt: new Date('2026-03-01T10:00:00Z') };
  const load = countingLoader(plan);
  expect(await cache.getOrLoad(`plan:${prefix}`, load)).toEqual(plan);
  const second = await cache.getOrLoad(`plan:${prefix}`, load);
  expect(second).toEqual(plan);
  expect(second.updatedAt).toBeInstanceOf(Date);
  expect(load.calls).toBe(1);

  await expect(t.nexfit.unitOfWork(async (uow) => {
    cache.invalidateAfterCommit(uow, [`plan:${prefix}`]);
    throw new Error('rolled back');
  })).rejects.toThrow('rolled back');
  await cache.getOrLoad(`plan:${prefix}`, load);
  expect(load.calls).toBe(1);

  await t.nexfit.unitOfWork(async (uow) => { cache.invalidateAfterCommit(uow, [`plan:${prefix}`]); });
  await cache.getOrLoad(`plan:${prefix}`, load);
  expect(load.calls).toBe(2);
}

describe('the read-through cache', () => {
  it('serves hits from the in-memory LRU and invalidates after commit only', async () => {
    await behavesAsReadThroughCache(new MemoryLruCache(), 'memory');
  });

  it('serves hits from Redis and invalidates after commit only', async ({ skip }) => {
    const client = await connectRedis();
    if (!client) {
      const reason = redisUrl ? `Redis not reachable at ${redisUrl}` : 'REDIS_URL is not set';
      console.log(`[nexfit] ${reason}: the Redis adapter test is skipped`);
      skip(reason);
      return;
    }
    try {
      const prefix = `nexfit-test-${Date.now()}:`;
      await behavesAsReadThroughCache(new RedisCache(client, { prefix }), 'redis');
      expect(await client.pTTL(`${prefix}e:plan:redis`)).toBeGreaterThan(0);
    } finally {
      await client.quit();
    }
  });

  it('expires entries after their time to live', async () => {
    const clock = fixedClock('2026-03-01T10:00:00Z');
    const cache = new ReadThroughCache(new MemoryLruCache({ clock }), { ttlMs: 30_000 });
    const load = countingLoader({ n: 1 });
    await cache.getOrLoad('k', load);
    clock.advance(29_000);
    await cache.getOrLoad('k', load);
    expect(load.calls).toBe(1);
    clock.advance(2_000);
    await cache.getOrLoad('k', load);
    expect(load.calls).toBe(2);
  });

  it('still answers from the loader when the cache store fails', async () => {
    const down = async (): Promise<never> => { throw new Error('down'); };
    const failing: CacheAdapter = { get: down, getMany: down, set: down, increment: down, delete: down };
    const errors: unknown[] = [];
    const cache = new ReadThroughCache(failing, { onError: (e) => errors.push(e) });
    expect(await cache.getOrLoad('k', async () => 'value')).toBe('value');
    expect(errors).toHaveLength(2);
    await cache.invalidate(['k']);
    expect(cache.stats()).toMatchObject({ misses: 1, failures: 4, invalidationFailures: 1, lastFailure: { message: 'down' } });
  });

  it('answers from the loader when the cache store hangs, after its timeout', async () => {
    const hang = () => new Promise<never>(() => {});
    const hanging: CacheAdapter = { get: hang, getMany: hang, set: hang, increment: hang, delete: hang };
    const cache = new ReadThroughCache(hanging, { timeoutMs: 20 });
    expect(await cache.getOrLoad('k', async () => 'value')).toBe('value');
    expect(cache.stats().failures).toBe(2);
  });

  it('never stores a value loaded before a commit over that commit\'s invalidation', async () => {
    const cache = new ReadThroughCache(new MemoryLruCache());
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    // A reader loads the old value, a writer commits and invalidates, then the reader stores what it loaded.
    const slowRead = cache.getOrLoad('plan:1', async () => { await gate; return { price: 100 }; });
    await new Promise((r) => setTimeout(r, 5));
    await cache.invalidate(['plan:1']);
    release();
    expect(await slowRead).toEqual({ price: 100 });
    const load = countingLoader({ price: 200 });
    expect(await cache.getOrLoad('plan:1', load)).toEqual({ price: 200 });
    expect(load.calls).toBe(1);
  });

  it('treats a corrupted or foreign entry as a miss', async () => {
    const adapter = new MemoryLruCache();
    const cache = new ReadThroughCache(adapter);
    for (const garbage of ['{not json', '"a string"', JSON.stringify({ f: 'someone-else/1', v: '0', d: { price: 1 } }), JSON.stringify({ f: 'nexfit-cache/1', v: '0', d: { $nexfitDate: 'not a date' } })]) {
      await adapter.set('e:plan:2', garbage, 60_000);
      const load = countingLoader({ price: 300 });
      expect(await cache.getOrLoad('plan:2', load)).toEqual({ price: 300 });
      expect(load.calls).toBe(1);
      await adapter.delete(['e:plan:2']);
    }
    expect(cache.stats().rejected).toBe(4);
  });

  it('bypasses keys that are not printable and bounded', async () => {
    const cache = new ReadThroughCache(new MemoryLruCache());
    const load = countingLoader(1);
    await cache.getOrLoad('plan:with space', load);
    await cache.getOrLoad('plan:with space', load);
    expect(load.calls).toBe(2);
    expect(cache.stats().bypassed).toBe(2);
  });
});

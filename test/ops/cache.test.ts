import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import { MemoryLruCache } from '../../src/ops/cache/memory-lru-cache.js';
import { ReadThroughCache } from '../../src/ops/cache/read-through-cache.js';
import { RedisCache } from '../../src/ops/cache/redis-cache.js';
import type { CacheAdapter } from '../../src/ops/cache/cache-adapter.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit();
const redisUrl = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

async function connectRedis() {
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
      console.log(`[nexfit] Redis not reachable at ${redisUrl}: the Redis adapter test is skipped`);
      skip(`Redis not reachable at ${redisUrl}`);
      return;
    }
    try {
      const prefix = `nexfit-test-${Date.now()}:`;
      await behavesAsReadThroughCache(new RedisCache(client, { prefix }), 'redis');
      expect(await client.pTTL(`${prefix}plan:redis`)).toBeGreaterThan(0);
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
    const failing: CacheAdapter = { get: async () => { throw new Error('down'); }, set: async () => { throw new Error('down'); }, delete: async () => { throw new Error('down'); } };
    const errors: unknown[] = [];
    const cache = new ReadThroughCache(failing, { onError: (e) => errors.push(e) });
    expect(await cache.getOrLoad('k', async () => 'value')).toBe('value');
    expect(errors).toHaveLength(2);
  });
});

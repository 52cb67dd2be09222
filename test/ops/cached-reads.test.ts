import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { createTestKeyring } from '../../src/core/keyring.js';
import { createNexfit, type Nexfit } from '../../src/create-nexfit.js';
import { healthReport } from '../../src/ops/health-report.js';
import { MemoryLruCache } from '../../src/ops/cache/memory-lru-cache.js';
import { RedisCache } from '../../src/ops/cache/redis-cache.js';
import type { CacheAdapter } from '../../src/ops/cache/cache-adapter.js';
import { createInputs } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';
import { ObjectId } from 'mongodb';

/** The memory adapter, wrapped to record every key the SDK asks for. */
class RecordingAdapter extends MemoryLruCache {
  readonly keys: string[] = [];
  override async getMany(keys: readonly string[]) {
    this.keys.push(...keys);
    return super.getMany(keys);
  }
}

const adapter = new RecordingAdapter();
const t = useTestNexfit({ nexfit: { cache: { adapter } } });
const redisUrl = process.env['REDIS_URL'];

const entryKeyOf = (collection: string, id: string) => `e:${t.mongo.dbName}.${collection}:${id}`;

async function createEntities(nexfit: Nexfit) {
  const facility = await nexfit.repositories.facilities.create(createInputs.facilities());
  const plan = await nexfit.repositories.memberships.create(createInputs.memberships({ facilityId: facility.id }));
  const exercise = await nexfit.repositories.exercises.create(createInputs.exercises({ alternateExercises: [] }));
  const food = await nexfit.repositories.foods.create(createInputs.foods());
  const fitnessClass = await nexfit.repositories.classes.create(createInputs.classes({ facilityId: facility.id }));
  return { facility, plan, exercise, food, fitnessClass };
}

describe('createNexfit({ cache })', () => {
  it('serves hot entities read by id from the cache, equal in every field and type to a store read', async () => {
    const { facility, plan, exercise, food, fitnessClass } = await createEntities(t.nexfit);
    const repos = t.nexfit.repositories;
    const reads = [
      [repos.facilities, facility.id],
      [repos.memberships, plan.id],
      [repos.exercises, exercise.id],
      [repos.foods, food.id],
      [repos.classes, fitnessClass.id],
    ] as const;
    for (const [repository, id] of reads) {
      const before = t.nexfit.cache!.stats();
      const stored = await repository.findById(id as never, {});
      const miss = await repository.findById(id as never);
      const hit = await repository.findById(id as never);
      expect(t.nexfit.cache!.stats()).toMatchObject({ misses: before.misses + 1, hits: before.hits + 1, rejected: before.rejected });
      expect(hit).toStrictEqual(stored);
      expect(miss).toStrictEqual(stored);
    }
    const cachedPlan = await repos.memberships.getById(plan.id);
    expect(cachedPlan.price).toBe(1_500_00);
    expect(cachedPlan.createdAt).toBeInstanceOf(Date);
  });

  it('serves the cached copy until a write through the SDK commits, then the new state', async () => {
    const facility = await t.nexfit.repositories.facilities.create(createInputs.facilities({ name: 'Cached Gym' }));
    await t.nexfit.facilities.getById(facility.id);
    // A write around the SDK is invisible to the cache: proof the next read is a hit.
    await t.mongo.db.collection('facilities').updateOne({ _id: new ObjectId(facility.id) }, { $set: { name: 'Written around the SDK' } });
    expect((await t.nexfit.facilities.getById(facility.id)).name).toBe('Cached Gym');

    await t.nexfit.facilities.update(facility.id, { name: 'Renamed Gym' });
    expect((await t.nexfit.facilities.getById(facility.id)).name).toBe('Renamed Gym');
  });

  it('keeps the cached copy when the unit that wrote rolls back, and reads inside a unit see the unit itself', async () => {
    const plan = await t.nexfit.repositories.memberships.create(createInputs.memberships({ name: 'Before' }));
    await t.nexfit.repositories.memberships.getById(plan.id);
    const hitsBefore = t.nexfit.cache!.stats().hits;
    await expect(
      t.nexfit.unitOfWork(async (uow) => {
        await t.nexfit.repositories.memberships.patch(plan.id, { name: 'Inside' }, {}, uow.ctx);
        expect((await t.nexfit.repositories.memberships.getById(plan.id, uow.ctx)).name).toBe('Inside');
        expect((await t.nexfit.repositories.memberships.getById(plan.id)).name).toBe('Before'); // not committed yet
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect((await t.nexfit.repositories.memberships.getById(plan.id)).name).toBe('Before');
    expect(t.nexfit.cache!.stats().hits).toBe(hitsBefore + 2);

    await t.nexfit.unitOfWork(async (uow) => {
      await t.nexfit.repositories.memberships.patch(plan.id, { name: 'Committed' }, {}, uow.ctx);
    });
    expect((await t.nexfit.repositories.memberships.getById(plan.id)).name).toBe('Committed');
    await t.nexfit.repositories.memberships.delete(plan.id);
    expect(await t.nexfit.repositories.memberships.findById(plan.id)).toBeNull();
  });

  it('builds keys from validated ids only: a hostile id is refused before the cache is asked', async () => {
    const asked = adapter.keys.length;
    for (const hostile of ['0'.repeat(23) + 'g', '../../etc', { $gt: '' }, '', 'a'.repeat(25)]) {
      await expect(t.nexfit.repositories.facilities.findById(hostile as never)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(adapter.keys.length).toBe(asked);
  });

  it('treats a corrupted entry, another entity under the key, or a value that is not an entity as a miss', async () => {
    const { facility, food } = await createEntities(t.nexfit);
    const stored = await t.nexfit.repositories.facilities.findById(facility.id, {});
    const key = entryKeyOf('facilities', facility.id);
    const entry = (d: unknown) => JSON.stringify({ f: 'nexfit-cache/1', v: '0', d });
    const garbage = ['{"f":"nexfit-cache/1"', entry(food), entry({ ...JSON.parse(JSON.stringify(stored)), capacity: 'many' }), entry({ id: facility.id })];
    for (const value of garbage) {
      const rejected = t.nexfit.cache!.stats().rejected;
      await adapter.set(key, value, 60_000);
      expect(await t.nexfit.repositories.facilities.findById(facility.id)).toStrictEqual(stored);
      expect(t.nexfit.cache!.stats().rejected).toBe(rejected + 1);
    }
  });

  it('reports its counters in the health report', async () => {
    const report = await healthReport({ db: t.nexfit.mongo.db, pg: t.nexfit.pg, cache: t.nexfit.cache });
    expect(report.cache).toMatchObject({ adapter: 'RecordingAdapter', failures: 0 });
    expect(report.cache!.hits).toBeGreaterThan(0);
  });
});

describe('createNexfit({ cache }) with Redis shared by two instances', () => {
  async function twoInstances(prefix: string) {
    const clients = await Promise.all([1, 2].map(() => createClient({ url: redisUrl!, disableOfflineQueue: true }).on('error', () => {}).connect()));
    const instances = await Promise.all(
      clients.map((client) =>
        createNexfit({
          mongo: { uri: t.mongo.uri, dbName: t.mongo.dbName },
          postgres: { connectionString: t.pg.url },
          keyring: createTestKeyring(),
          cache: { adapter: new RedisCache(client, { prefix }) },
        }),
      ),
    );
    return { clients, a: instances[0]!, b: instances[1]! };
  }

  it('shows no stale read in one process once another process\'s commit has returned', async ({ skip }) => {
    if (!redisUrl) {
      console.log('[nexfit] REDIS_URL is not set: the two-instance Redis cache test is skipped');
      skip('REDIS_URL is not set');
      return;
    }
    const { clients, a, b } = await twoInstances(`nexfit-test-${Date.now()}:`);
    try {
      const plan = await a.repositories.memberships.create(createInputs.memberships({ price: 1_000_00 }));
      for (let round = 1; round <= 20; round++) {
        await a.repositories.memberships.getById(plan.id); // fills (or hits) the shared entry
        expect((await b.repositories.memberships.getById(plan.id)).price).toBe(round === 1 ? 1_000_00 : 1_000_00 + (round - 1));
        await b.memberships.updatePlan(plan.id, { price: 1_000_00 + round });
        expect((await a.repositories.memberships.getById(plan.id)).price).toBe(1_000_00 + round);
      }
      expect(a.cache!.stats().hits + b.cache!.stats().hits).toBeGreaterThan(0);
      expect(a.cache!.stats().failures + b.cache!.stats().failures).toBe(0);
    } finally {
      await a.close();
      await b.close();
      await Promise.all(clients.map((c) => c.quit()));
    }
  });

  it('degrades to the stores while Redis is unreachable, counts it, and reports it', async ({ skip }) => {
    if (!redisUrl) {
      console.log('[nexfit] REDIS_URL is not set: the Redis-down cache test is skipped');
      skip('REDIS_URL is not set');
      return;
    }
    const { clients, a, b } = await twoInstances(`nexfit-test-down-${Date.now()}:`);
    try {
      const food = await a.repositories.foods.create(createInputs.foods({ name: 'Down Food' }));
      await a.repositories.foods.getById(food.id);
      await clients[0]!.quit(); // a's Redis is gone: every cache call fails
      expect((await a.repositories.foods.getById(food.id)).name).toBe('Down Food');
      await a.catalog.updateFood(food.id, { name: 'Renamed While Down' });
      expect((await a.repositories.foods.getById(food.id)).name).toBe('Renamed While Down');
      expect(a.cache!.stats().failures).toBeGreaterThanOrEqual(3);
      const report = await healthReport({ db: a.mongo.db, pg: a.pg, cache: a.cache });
      expect(report.cache).toMatchObject({ adapter: 'RedisCache' });
      expect(report.problems.some((p) => /read cache \(RedisCache\) failed/.test(p))).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await clients[1]!.quit();
    }
  });
});

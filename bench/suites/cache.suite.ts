import { createClient } from 'redis';
import { createNexfit, type Nexfit } from '../../src/create-nexfit.js';
import { RedisCache } from '../../src/ops/cache/redis-cache.js';
import { withSuiteStores } from '../bench-stores.js';
import type { BenchSuite } from './bench-suite.js';

const NO_CACHE = 'facility by id, no cache';

/**
 * The read cache on its hottest read (a facility page by id): no cache, then a hit and a miss
 * on the in-memory LRU and, when `REDIS_URL` is set, on Redis. A miss costs the store read
 * plus the cache's own round trips; a hit costs the cache alone.
 */
export const cacheSuite: BenchSuite = {
  name: 'cache',
  title: 'read cache: facility by id, hit vs miss vs no cache (memory LRU, Redis)',
  async run(ctx) {
    await withSuiteStores(ctx, 'cache', async ({ nexfit: plain, pgUrl, mongoUri, dbName }) => {
      const facilities = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          plain.repositories.facilities.create({
            name: `Bench Gym ${i}`,
            type: 'gym',
            address: { street: `Cd. ${i}`, city: 'İstanbul', country: 'TR', coordinates: { latitude: 40.98, longitude: 29.03 } },
            operatingHours: [{ day: 1, openTime: '06:00', closeTime: '23:00', isClosed: false }],
            ownerId: '0000000000000000000000a1',
            staff: [],
          }),
        ),
      );
      const ids = facilities.map((f) => f.id);
      const redisUrl = process.env['REDIS_URL'];
      const redis = redisUrl ? await createClient({ url: redisUrl, disableOfflineQueue: true }).on('error', () => {}).connect() : undefined;
      const open = (cache: Parameters<typeof createNexfit>[0] extends infer O ? O extends { cache?: infer C } ? C : never : never) =>
        createNexfit({ mongo: { uri: mongoUri, dbName }, postgres: { connectionString: pgUrl, max: 4 }, keyring: 'ephemeral', cache });
      const memory = await open('memory');
      const shared = redis ? await open({ adapter: new RedisCache(redis, { prefix: `bench-${dbName}:` }) }) : undefined;
      try {
        let i = 0;
        const next = () => ids[(i = (i + 1) % ids.length)]!;
        const keyOf = (id: string) => `${dbName}.facilities:${id}`;
        const tasks = (name: string, nexfit: Nexfit) => [
          { name: `facility by id, ${name} hit`, fn: async () => void (await nexfit.repositories.facilities.getById(next() as never)), baseline: NO_CACHE, note: 'ratio < 1: faster than the store' },
          {
            name: `facility by id, ${name} miss`,
            fn: async () => {
              const id = next();
              await nexfit.cache!.invalidate([keyOf(id)]);
              await nexfit.repositories.facilities.getById(id as never);
            },
            baseline: NO_CACHE,
            note: 'includes the invalidation',
          },
        ];
        await ctx.report.measure(
          'read cache',
          [
            { name: NO_CACHE, fn: async () => void (await plain.repositories.facilities.getById(next() as never)) },
            ...tasks('memory LRU', memory),
            ...(shared ? tasks('Redis', shared) : []),
          ],
          { time: 1500, iterations: 200 },
        );
        if (!shared) ctx.report.note('cache: REDIS_URL not set, Redis rows not measured');
      } finally {
        await memory.close();
        await shared?.close();
        await redis?.quit();
      }
    });
  },
};

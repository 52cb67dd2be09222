import { MongoClient, type CommandStartedEvent } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { applyShardKeys, SHARD_KEYS, shardKeyPlan } from '../../src/ops/shard-keys.js';
import { MONGO_COLLECTIONS } from '../../src/modules/mongo-collections.js';

describe('the shard key plan', () => {
  it('enables sharding first, then shards each high-volume collection with its documented key', () => {
    const plan = shardKeyPlan('nexfit');
    expect(plan[0]!.command).toEqual({ enableSharding: 'nexfit' });
    const sharded = plan.filter((s) => 'shardCollection' in s.command).map((s) => s.command);
    expect(sharded).toEqual([
      { shardCollection: 'nexfit.workout_logs', key: { userId: 1, startTime: 1 } },
      { shardCollection: 'nexfit.measurements', key: { userId: 1 } },
      { shardCollection: 'nexfit.class_bookings', key: { classId: 1, date: 1 } },
      { shardCollection: 'nexfit.member_subscriptions', key: { userId: 'hashed' } },
      { shardCollection: 'nexfit.pt_sessions', key: { coachId: 1, startTime: 1 } },
    ]);
    expect(plan.every((s) => s.database === ('shardCollection' in s.command || 'enableSharding' in s.command ? 'admin' : 'nexfit'))).toBe(true);
  });

  it('creates a shard key index only where no existing index starts with the key', () => {
    const created = shardKeyPlan('nexfit').filter((s) => 'createIndexes' in s.command).map((s) => s.command);
    expect(created).toEqual([
      // The history index is { userId: 1, startTime: -1 }: a ranged key needs its own direction.
      { createIndexes: 'workout_logs', indexes: [{ key: { userId: 1, startTime: 1 }, name: 'shard_userId_startTime' }] },
      { createIndexes: 'member_subscriptions', indexes: [{ key: { userId: 'hashed' }, name: 'shard_userId_hashed' }] },
    ]);
  });

  it('keeps every unique index of a sharded collection prefixed by its shard key, as MongoDB requires', () => {
    for (const { collection, key } of SHARD_KEYS) {
      const unique = (MONGO_COLLECTIONS[collection].indexes as readonly { key: Record<string, unknown>; unique?: boolean }[]).filter((i) => i.unique);
      for (const index of unique) expect(Object.keys(index.key).slice(0, Object.keys(key).length), `${collection}: ${JSON.stringify(index.key)}`).toEqual(Object.keys(key));
    }
  });

  it('shards on fields every document of the collection has', () => {
    for (const { collection, key } of SHARD_KEYS) {
      const definition = MONGO_COLLECTIONS[collection];
      const shape = (('storedSchema' in definition ? definition.storedSchema : undefined) as unknown as { shape: Record<string, { safeParse(v: unknown): { success: boolean } }> }).shape;
      for (const field of Object.keys(key)) {
        expect(shape[field], `${collection}.${field}`).toBeDefined();
        expect(shape[field]!.safeParse(undefined).success, `${collection}.${field} is required`).toBe(false);
      }
    }
  });
});

describe('applyShardKeys', () => {
  let client: MongoClient;
  const sent: CommandStartedEvent[] = [];
  beforeAll(async () => {
    client = await new MongoClient(inject('mongoUri'), { monitorCommands: true }).connect();
    client.on('commandStarted', (event) => sent.push(event));
  });
  afterAll(async () => {
    await client?.close();
  });

  it('returns the plan of a dry run without sending a command', async () => {
    sent.length = 0;
    const result = await applyShardKeys(client, 'nexfit_shard_dry_run', { dryRun: true });
    expect(result).toEqual({ dryRun: true, commands: shardKeyPlan('nexfit_shard_dry_run') });
    expect(sent).toEqual([]);
  });

  // The embedded server, like a replica set member, is not a mongos: there is no sharded
  // cluster in the suite, so the applying path is proven up to its first command.
  it('sends enableSharding first and, answered by a server without sharding, stops with a ConfigurationError', async () => {
    sent.length = 0;
    const error = await applyShardKeys(client, 'nexfit_shard_apply').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).message).toContain('mongos');
    expect(((error as ConfigurationError).cause as { code?: number }).code).toBe(59);
    expect(sent.map((e) => e.commandName)).toEqual(['enableSharding']);
    expect(sent[0]!.command['enableSharding']).toBe('nexfit_shard_apply');
  });
});

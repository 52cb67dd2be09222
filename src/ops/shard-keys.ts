import type { Document, MongoClient } from 'mongodb';
import { ConfigurationError } from '../core/errors.js';
import { MONGO_COLLECTIONS, type MongoCollectionName } from '../modules/mongo-collections.js';
import { toNexfitError } from '../stores/mongo/error-mapping.js';

/** A shard key field: ranged (`1`) or hashed. */
export type ShardKeyField = 1 | 'hashed';

/**
 * The shard key of one high-volume collection, with the reasoning an operator needs: which
 * repository queries stay on one shard and which ask every shard.
 */
export interface ShardKeyDefinition {
  readonly collection: MongoCollectionName;
  readonly key: Readonly<Record<string, ShardKeyField>>;
  readonly why: string;
  /** Queries that carry the shard key (or its prefix) and go to one shard. */
  readonly targeted: readonly string[];
  /** Queries without it: every shard answers (scatter-gather). */
  readonly scatterGather: readonly string[];
}

/**
 * The documented shard keys of the high-volume collections (docs/scaling-out.md). Each is
 * chosen from the collection's hot queries, and each is a prefix of every unique index of
 * its collection, as MongoDB requires of a sharded collection's unique indexes.
 *
 * @example
 * ```ts
 * SHARD_KEYS.find((k) => k.collection === 'workout_logs')?.key; // { userId: 1, startTime: 1 }
 * ```
 */
export const SHARD_KEYS: readonly ShardKeyDefinition[] = [
  {
    collection: 'workout_logs',
    key: { userId: 1, startTime: 1 },
    why: "Every hot read is one user's history by time (history pages, personal records, weekly volume, streaks). Every active user writes logs, so inserts spread over the whole key range; the time component lets a very active user's chunk split.",
    targeted: ['history of a user (userId, startTime range)', 'personal records, weekly volume, streaks of a user', 'a log by id together with its userId'],
    scatterGather: ['a log by id alone', 'logs of a workout template (workoutTemplateId)', 'archiving by startTime across users'],
  },
  {
    collection: 'measurements',
    key: { userId: 1 },
    why: "Reads are one user's history, progress and trend; the unique (userId, date) index — one measurement per user per day — must start with the shard key, and it does. A user adds at most one document a day, so no chunk grows too big to split.",
    targeted: ['history, progress, trend, BMI of a user', 'the measurement of a user on a day (the unique index)'],
    scatterGather: ['a measurement by id alone'],
  },
  {
    collection: 'class_bookings',
    key: { classId: 1, date: 1 },
    why: 'The hot path is one class occurrence: counting its seats and waitlist, the uniqueness of a member per occurrence (both unique indexes start with classId, date), check-in and no-shows. Bookings of one occurrence live together, so booking under concurrency stays on one shard.',
    targeted: ['bookings of an occurrence (classId, date, status)', 'the one booking of a member for an occurrence (unique indexes)', 'marking no-shows of an occurrence'],
    scatterGather: ["a member's bookings (userId, date) — the member's booking list", 'a booking by id alone'],
  },
  {
    collection: 'member_subscriptions',
    key: { userId: 'hashed' },
    why: "Reads are a member's subscriptions (purchase, booking and visit checks). Inserts come with purchases, mostly by new users whose ObjectIds only grow: a ranged key would send them all to the last chunk, a hashed one spreads them.",
    targeted: ["a member's subscriptions (userId, status)", 'the membership check of a booking or a visit'],
    scatterGather: ["a facility's members (facilityId, status)", 'the nightly renewal and expiry run (endDate, status)', 'a subscription by id alone'],
  },
  {
    collection: 'pt_sessions',
    key: { coachId: 1, startTime: 1 },
    why: "Conflict detection reads a coach's sessions around a time inside the unit of work that books one; keeping a coach's agenda on one shard keeps that check and the coach's calendar single-shard.",
    targeted: ["a coach's agenda and conflict detection (coachId, startTime)"],
    scatterGather: ["a client's agenda (clientId, startTime)", 'sessions of a coach–client relationship (coachClientId)', 'a session by id alone'],
  },
];

/** One command of the plan, run on `database` (`admin` for the sharding commands). */
export interface ShardingCommand {
  readonly database: string;
  readonly command: Document;
  readonly purpose: string;
}

const sameKeyPrefix = (index: Readonly<Record<string, unknown>>, key: Readonly<Record<string, ShardKeyField>>): boolean => {
  const indexFields = Object.entries(index);
  return Object.entries(key).every(([field, direction], i) => indexFields[i]?.[0] === field && indexFields[i]?.[1] === direction);
};

/**
 * The commands that shard `dbName`'s high-volume collections with {@link SHARD_KEYS}:
 * `enableSharding`, then per collection the index its shard key needs (only when none of the
 * collection's indexes starts with the key already) and `shardCollection`.
 *
 * @example
 * ```ts
 * for (const step of shardKeyPlan('nexfit')) console.log(step.database, JSON.stringify(step.command));
 * ```
 */
export function shardKeyPlan(dbName: string, keys: readonly ShardKeyDefinition[] = SHARD_KEYS): ShardingCommand[] {
  const plan: ShardingCommand[] = [{ database: 'admin', command: { enableSharding: dbName }, purpose: `allow sharding in ${dbName}` }];
  for (const definition of keys) {
    const indexes = MONGO_COLLECTIONS[definition.collection].indexes as readonly { readonly key: Readonly<Record<string, unknown>> }[];
    if (!indexes.some((index) => sameKeyPrefix(index.key, definition.key))) {
      const name = `shard_${Object.entries(definition.key).map(([field, kind]) => (kind === 'hashed' ? `${field}_hashed` : field)).join('_')}`;
      plan.push({ database: dbName, command: { createIndexes: definition.collection, indexes: [{ key: definition.key, name }] }, purpose: `the index the shard key of ${definition.collection} needs` });
    }
    plan.push({ database: 'admin', command: { shardCollection: `${dbName}.${definition.collection}`, key: definition.key }, purpose: `shard ${definition.collection}` });
  }
  return plan;
}

/** What {@link applyShardKeys} did (or, in a dry run, would do). */
export interface ShardKeysResult {
  readonly dryRun: boolean;
  readonly commands: readonly ShardingCommand[];
}

/**
 * Shards the high-volume collections of `dbName` on a sharded cluster, with the keys of
 * {@link SHARD_KEYS}. Connect `client` to a `mongos`. Run it after `nexfit.migrate()` (the
 * collections and their indexes exist) and before the collections grow; re-running it is
 * safe, as MongoDB accepts `shardCollection` again with the same key. `dryRun: true` returns
 * the plan without sending anything.
 *
 * Throws `ConfigurationError` when the server is not a `mongos` (a replica set member has no
 * sharding commands), and the store's usual errors otherwise.
 *
 * @example
 * ```ts
 * const { commands } = await applyShardKeys(client, 'nexfit', { dryRun: true }); // review, then
 * await applyShardKeys(client, 'nexfit');
 * ```
 */
export async function applyShardKeys(client: MongoClient, dbName: string, options: { readonly dryRun?: boolean; readonly keys?: readonly ShardKeyDefinition[] } = {}): Promise<ShardKeysResult> {
  const commands = shardKeyPlan(dbName, options.keys);
  if (options.dryRun) return { dryRun: true, commands };
  for (const step of commands) {
    try {
      await client.db(step.database).command(step.command);
    } catch (error) {
      // 59 CommandNotFound: a mongod without a mongos in front has no sharding commands.
      if ((error as { code?: unknown }).code === 59) {
        throw new ConfigurationError(`${Object.keys(step.command)[0]} failed: connect to a mongos of a sharded cluster to apply shard keys`, { cause: error });
      }
      throw toNexfitError(error);
    }
  }
  return { dryRun: false, commands };
}

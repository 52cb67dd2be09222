import { ObjectId, type Db } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { fixedClock } from '../../src/core/clock.js';
import { ConcurrencyError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import { defaultIdGenerator } from '../../src/core/ids.js';
import { createTestKeyring } from '../../src/core/keyring.js';
import type { Page, PageRequest } from '../../src/core/pagination.js';
import { MONGO_COLLECTIONS, type MongoCollectionName } from '../../src/modules/mongo-collections.js';
import type { EntityBase, RepositoryDeps } from '../../src/stores/mongo/mongo-repository.js';
import { ensureMongoCollections } from '../../src/mongo-layout.js';
import type { StoreContext } from '../../src/stores/store-context.js';
import type { TestMongo } from './stores.js';

/** The generic surface every MongoDB repository has (see `MongoRepository`). */
export interface ContractRepository<E extends EntityBase, Input, Patch> {
  create(input: Input, ctx?: StoreContext): Promise<E>;
  findById(id: E['id'] | string, ctx?: StoreContext): Promise<E | null>;
  getById(id: E['id'] | string, ctx?: StoreContext): Promise<E>;
  findManyByIds(ids: readonly (E['id'] | string)[], ctx?: StoreContext): Promise<E[]>;
  patch(id: E['id'] | string, patch: Patch, options?: { readonly expectedVersion?: number }, ctx?: StoreContext): Promise<E>;
  delete(id: E['id'] | string, options?: { readonly expectedVersion?: number }, ctx?: StoreContext): Promise<void>;
}

export interface MongoRepositoryContractOptions<E extends EntityBase, Input, Patch, R extends ContractRepository<E, Input, Patch>> {
  /** Entity name as the repository reports it in errors (`'user'`). */
  readonly entity: string;
  readonly collection: MongoCollectionName;
  /** The file's `useTestMongo()` handle. */
  readonly mongo: TestMongo;
  readonly createRepository: (db: Db, deps: RepositoryDeps) => R;
  /**
   * A valid create input; distinct `n` must give inputs distinct under every unique index
   * (another e-mail, another date…), and every input must be listed by {@link list}.
   */
  readonly validInput: (n: number) => Input;
  /** A create input the schema refuses. */
  readonly invalidInput: unknown;
  /** A valid patch of an entity created from `validInput`. */
  readonly validPatch: Patch;
  /** A keyset-paged, indexed list that returns every entity created from `validInput`. */
  readonly list: (repository: R, page: PageRequest) => Promise<Page<E>>;
  /** The API entity schema: reads must parse with it (so no hidden or stored-only field leaks). */
  readonly entitySchema?: z.ZodType;
}

/** Values a caller might pass where an id is expected, hoping to reach the driver as an operator. */
export const HOSTILE_IDS: readonly unknown[] = [
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(1000) || true' },
  ['000000000000000000000001'],
  '0000000000000000000000001',
  'zzzzzzzzzzzzzzzzzzzzzzzz',
  '',
  42,
  null,
];

/** An id no test creates. */
export const MISSING_ID = 'ffffffffffffffffffffffff';

/**
 * Registers the CRUD contract every MongoDB repository must meet: identity and versions on
 * create, reads, validation at the boundary (nothing written on refusal, hostile ids never
 * reach the driver), optimistic concurrency, delete, keyset pagination, and the store
 * context reaching the driver (an aborted transaction leaves nothing behind).
 *
 * @example
 * ```ts
 * const mongo = useTestMongo()
 * describeMongoRepositoryContract({ entity: 'user', collection: 'users', mongo, createRepository: (db, deps) => new UserRepository(db, deps),
 *   validInput: (n) => userInput({ email: `u${n}@example.com` }), invalidInput: { email: 'nope' }, validPatch: { firstName: 'Elif' },
 *   list: (repo, page) => repo.listByRole('client', page) })
 * ```
 */
export function describeMongoRepositoryContract<E extends EntityBase, Input, Patch, R extends ContractRepository<E, Input, Patch>>(
  options: MongoRepositoryContractOptions<E, Input, Patch, R>,
): void {
  const { mongo, collection } = options;
  const definition = MONGO_COLLECTIONS[collection];
  const clock = fixedClock('2026-03-01T09:00:00.000Z');
  const deps: RepositoryDeps = { clock, ids: defaultIdGenerator, keyring: createTestKeyring() };
  let repository: R;
  let sequence = 10_000;
  const nextInput = (): Input => options.validInput(sequence++);
  const count = () => mongo.db.collection(definition.name).countDocuments({});
  const hidden: readonly string[] = 'hiddenFields' in definition ? definition.hiddenFields : [];

  const expectApiShape = (entity: E) => {
    for (const field of hidden) expect(valueAt(entity, field), `hidden field ${field}`).toBeUndefined();
    if (options.entitySchema) expect(() => options.entitySchema!.parse(entity)).not.toThrow();
  };

  describe(`${options.entity} repository: generic contract`, () => {
    beforeAll(async () => {
      await ensureMongoCollections(mongo.db, { collections: [definition] });
      repository = options.createRepository(mongo.db, deps);
    });

    describe('create', () => {
      it('assigns an id, version 1, both timestamps and the current schemaVersion', async () => {
        clock.set('2026-03-01T09:00:00.000Z');
        const created = await repository.create(nextInput());
        expect(created.id).toMatch(/^[0-9a-f]{24}$/);
        expect(created.version).toBe(1);
        expect(created.schemaVersion).toBe(definition.schemaVersion);
        expect(created.createdAt).toEqual(new Date('2026-03-01T09:00:00.000Z'));
        expect(created.updatedAt).toEqual(created.createdAt);
        expectApiShape(created);
      });

      it('stores the id as an ObjectId `_id`', async () => {
        const created = await repository.create(nextInput());
        const raw = await mongo.db.collection(definition.name).findOne({ _id: ObjectId.createFromHexString(created.id) });
        expect(raw?.['_id']?.constructor?.name).toBe('ObjectId');
        expect(await repository.getById(created.id)).toEqual(created);
      });

      it('refuses an invalid input with a ValidationError and writes nothing', async () => {
        const before = await count();
        await expect(repository.create(options.invalidInput as Input)).rejects.toBeInstanceOf(ValidationError);
        expect(await count()).toBe(before);
      });

      it('refuses caller-chosen ids, versions and operator keys, writing nothing', async () => {
        const before = await count();
        for (const extra of [{ id: '000000000000000000000001' }, { version: 7 }, { schemaVersion: 99 }, { $where: 'sleep(1000)' }, { $set: { version: 1 } }]) {
          await expect(repository.create({ ...nextInput(), ...extra } as Input)).rejects.toBeInstanceOf(ValidationError);
        }
        expect(await count()).toBe(before);
      });
    });

    describe('reads', () => {
      it('finds and gets an entity by id, upper-case hex included', async () => {
        const created = await repository.create(nextInput());
        expect(await repository.findById(created.id)).toEqual(created);
        expect(await repository.getById(created.id.toUpperCase())).toEqual(created);
        expectApiShape(await repository.getById(created.id));
      });

      it('answers null from findById and NotFoundError from getById for a missing id', async () => {
        expect(await repository.findById(MISSING_ID)).toBeNull();
        const error = await repository.getById(MISSING_ID).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(NotFoundError);
        expect(error).toMatchObject({ entity: options.entity, id: MISSING_ID });
      });

      it('finds many by ids in the order asked, leaving out missing ids and repeats', async () => {
        const a = await repository.create(nextInput());
        const b = await repository.create(nextInput());
        expect(await repository.findManyByIds([b.id, MISSING_ID, a.id, b.id])).toEqual([b, a]);
        expect(await repository.findManyByIds([])).toEqual([]);
        await expect(repository.findManyByIds([a.id, { $gt: '' } as unknown as string])).rejects.toBeInstanceOf(ValidationError);
        await expect(repository.findManyByIds({ $in: [a.id] } as unknown as string[])).rejects.toBeInstanceOf(ValidationError);
      });

      it.each(HOSTILE_IDS.map((id) => [JSON.stringify(id), id]))('refuses the id %s with a ValidationError', async (_label, id) => {
        await expect(repository.findById(id as string)).rejects.toBeInstanceOf(ValidationError);
        await expect(repository.getById(id as string)).rejects.toBeInstanceOf(ValidationError);
      });
    });

    describe('patch', () => {
      it('applies a valid patch, bumps the version and moves updatedAt', async () => {
        clock.set('2026-03-01T09:00:00.000Z');
        const created = await repository.create(nextInput());
        clock.set('2026-03-01T10:00:00.000Z');
        const patched = await repository.patch(created.id, options.validPatch);
        expect(patched.version).toBe(2);
        expect(patched.createdAt).toEqual(created.createdAt);
        expect(patched.updatedAt).toEqual(new Date('2026-03-01T10:00:00.000Z'));
        expect(await repository.getById(created.id)).toEqual(patched);
        expectApiShape(patched);
      });

      it('refuses an invalid patch and leaves the entity as it was', async () => {
        const created = await repository.create(nextInput());
        for (const invalid of [{}, { unknownField: 1 }, { version: 9 }, { id: MISSING_ID }, { $set: { version: 9 } }]) {
          await expect(repository.patch(created.id, invalid as Patch)).rejects.toBeInstanceOf(ValidationError);
        }
        expect(await repository.getById(created.id)).toEqual(created);
      });

      it.each(HOSTILE_IDS.map((id) => [JSON.stringify(id), id]))('refuses to patch the id %s', async (_label, id) => {
        await expect(repository.patch(id as string, options.validPatch)).rejects.toBeInstanceOf(ValidationError);
      });

      it('refuses a stale expectedVersion with a ConcurrencyError', async () => {
        const created = await repository.create(nextInput());
        const patched = await repository.patch(created.id, options.validPatch, { expectedVersion: 1 });
        await expect(repository.patch(created.id, options.validPatch, { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
        expect(await repository.getById(created.id)).toEqual(patched);
      });

      it('lets exactly one of two concurrent patches of the same version win', async () => {
        const created = await repository.create(nextInput());
        const results = await Promise.allSettled([
          repository.patch(created.id, options.validPatch, { expectedVersion: 1 }),
          repository.patch(created.id, options.validPatch, { expectedVersion: 1 }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(rejected?.reason).toBeInstanceOf(ConcurrencyError);
        expect((await repository.getById(created.id)).version).toBe(2);
      });

      it('answers NotFoundError when patching a missing id', async () => {
        await expect(repository.patch(MISSING_ID, options.validPatch)).rejects.toBeInstanceOf(NotFoundError);
      });
    });

    describe('delete', () => {
      it('deletes an entity', async () => {
        const created = await repository.create(nextInput());
        const before = await count();
        await repository.delete(created.id);
        expect(await count()).toBe(before - 1);
        expect(await repository.findById(created.id)).toBeNull();
      });

      it('refuses a stale expectedVersion and keeps the entity', async () => {
        const created = await repository.create(nextInput());
        await repository.patch(created.id, options.validPatch);
        await expect(repository.delete(created.id, { expectedVersion: 1 })).rejects.toBeInstanceOf(ConcurrencyError);
        await repository.delete(created.id, { expectedVersion: 2 });
        expect(await repository.findById(created.id)).toBeNull();
      });

      it('answers NotFoundError for a missing id', async () => {
        await expect(repository.delete(MISSING_ID)).rejects.toBeInstanceOf(NotFoundError);
      });

      it.each(HOSTILE_IDS.map((id) => [JSON.stringify(id), id]))('refuses to delete the id %s, deleting nothing', async (_label, id) => {
        await repository.create(nextInput());
        const before = await count();
        await expect(repository.delete(id as string)).rejects.toBeInstanceOf(ValidationError);
        expect(await count()).toBe(before);
      });
    });

    describe('keyset pagination', () => {
      it('walks more than one page in a stable order without duplicates or gaps', async () => {
        const created: E[] = [];
        for (let i = 0; i < 7; i++) created.push(await repository.create(nextInput()));
        const seen: string[] = [];
        let after: string | undefined;
        let pages = 0;
        do {
          const page = await options.list(repository, after === undefined ? { limit: 3 } : { limit: 3, after });
          expect(page.items.length).toBeLessThanOrEqual(3);
          for (const item of page.items) expectApiShape(item);
          seen.push(...page.items.map((item) => item.id));
          after = page.nextCursor ?? undefined;
          pages++;
        } while (after !== undefined && pages < 1_000);
        expect(pages).toBeGreaterThan(1);
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen).toEqual(expect.arrayContaining(created.map((e) => e.id)));
        const again = await options.list(repository, { limit: 200 });
        expect(again.items.map((item) => item.id)).toEqual(seen.slice(0, 200));
      });

      it('refuses a forged cursor and an out-of-range page size', async () => {
        await expect(options.list(repository, { after: 'bm90LWEtY3Vyc29y' })).rejects.toBeInstanceOf(ValidationError);
        await expect(options.list(repository, { limit: 0 })).rejects.toBeInstanceOf(ValidationError);
        await expect(options.list(repository, { limit: { $gt: 0 } } as unknown as PageRequest)).rejects.toBeInstanceOf(ValidationError);
      });
    });

    describe('store context', () => {
      it('runs every call in the given session: an aborted transaction leaves nothing behind', async () => {
        const session = mongo.client.startSession();
        try {
          session.startTransaction();
          const ctx = { mongo: session };
          const created = await repository.create(nextInput(), ctx);
          expect(await repository.getById(created.id, ctx)).toEqual(created);
          const patched = await repository.patch(created.id, options.validPatch, {}, ctx);
          expect(patched.version).toBe(2);
          await session.abortTransaction();
          expect(await repository.findById(created.id)).toBeNull();
        } finally {
          await session.endSession();
        }
      });
    });
  });
}

function valueAt(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[part] : undefined;
  return current;
}

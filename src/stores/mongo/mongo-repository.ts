import type { ClientSession, Collection, Db, Document, Filter, Sort } from 'mongodb';
import { z } from 'zod';
import { ENTITY_MANAGED_FIELDS } from '../../core/entity-schema.js';
import { ConcurrencyError, ConfigurationError, NotFoundError, ValidationError } from '../../core/errors.js';
import { FieldCipher } from '../../core/field-cipher.js';
import { planNewEntity, type NewEntityPlan } from '../../core/new-entity-plan.js';
import { observed } from '../../core/observer.js';
import { DEFAULT_PAGE_SIZE, decodeCursor, encodeCursor, pageRequestSchema, type Page, type PageRequest } from '../../core/pagination.js';
import { compiledSchema, findDateForObject, findUnsafeInput, parseOrThrow, withoutNegativeZero } from '../../core/validation.js';
import { bulkCreateOptionsSchema, type BulkCreateOptions, type BulkCreateResult, type BulkRejection } from '../bulk.js';
import { bulkRowsOf } from '../bulk-rows.js';
import type { StoreContext } from '../store-context.js';
import { insertPreparedRows, pipelinedBulkInsert, type PreparedChunk } from './bulk-insert.js';
import type { DocumentCodec } from './document-codec.js';
import { EncryptedFields, type BlindIndexDefinition, type EncryptedEnvelope } from './encrypted-fields.js';
import { toNexfitError } from './error-mapping.js';

import type { RepositoryDeps } from '../repository-deps.js';
export type { RepositoryDeps };

/** The fields every entity has (see `entityFields`). */
export interface EntityBase {
  readonly id: string;
  readonly schemaVersion: number;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Describes one collection to the generic repository. */
export interface MongoRepositoryConfig<E extends EntityBase, CreateSchema extends z.ZodType, PatchSchema extends z.ZodType> {
  /** Entity name in errors (`'user'`). */
  readonly entity: string;
  readonly collection: string;
  /** The current document format version, written on create. */
  readonly schemaVersion: number;
  /** The entity's full schema: every merged state is validated against it before it is written. */
  readonly entitySchema: z.ZodType<E, unknown>;
  /** The id schema (branded, 24-hex) used to validate ids given to every method. */
  readonly idSchema: z.ZodType<E['id'], unknown>;
  readonly createSchema: CreateSchema;
  readonly patchSchema: PatchSchema;
  readonly codec: DocumentCodec<E>;
  /** Stored-only fields derived from the entity (search keys, GeoJSON points). */
  readonly derive?: (entity: E) => Document;
  /** Stored fields never returned by reads (e.g. `passwordHash`). */
  readonly hiddenFields?: readonly string[];
  /** Upgrades a document of an older `schemaVersion` on read. */
  readonly upgrade?: (document: Document) => Document;
  /** Paths encrypted at rest (the collection definition's `encryptedFields`); needs `deps.keyring`. */
  readonly encryptedFields?: readonly string[];
  /** Encrypted fields searchable by equality (the collection definition's `blindIndexes`). */
  readonly blindIndexes?: readonly BlindIndexDefinition[];
  /** Encrypted paths whose values earlier versions stored in clear (the definition's `plaintextUntilRotated`). */
  readonly plaintextUntilRotated?: readonly string[];
  /**
   * The collection archiving moves this collection's old documents to, unchanged (the
   * definition's `archiveCollection`): read, deleted and updated through the same codec and
   * cipher by the `*Archived*` helpers.
   */
  readonly archiveCollection?: string;
  /**
   * Reads by id go through the instance's read cache (`createNexfit({ cache })`), and every
   * write through this repository invalidates the entity after commit. For hot, rarely
   * written entities without encrypted fields (a cache is not encrypted at rest).
   */
  readonly cached?: boolean;
}

/** Options of a write: the version the caller read, for optimistic concurrency. */
export interface WriteOptions {
  readonly expectedVersion?: number;
}

/** Validates {@link WriteOptions}, so an operator object never reaches a filter as a version. */
export const writeOptionsSchema = z.strictObject({ expectedVersion: z.number().int().min(1).optional() });

/** An equality/range filter already validated by a repository's typed query method. */
export type SafeFilter = Filter<Document>;

/** A keyset sort: fields and directions; `_id` is always appended as the tiebreaker. */
export type KeysetSort = readonly (readonly [field: string, direction: 1 | -1])[];

/** The driver options that run a call in the context's session (none without one). */
export const sessionOf = (ctx?: StoreContext): { session?: ClientSession } => (ctx?.mongo ? { session: ctx.mongo } : {});

/**
 * The generic MongoDB repository: create, read, keyset-paged lists, validated patches with
 * optimistic concurrency, and delete. Collection repositories extend it with their indexed
 * queries. It never opens a transaction: the session of the caller's context is passed to
 * every driver call.
 */
export class MongoRepository<E extends EntityBase, CreateSchema extends z.ZodType, PatchSchema extends z.ZodType> {
  protected readonly collection: Collection<Document>;
  protected readonly config: MongoRepositoryConfig<E, CreateSchema, PatchSchema>;
  protected readonly deps: RepositoryDeps;
  readonly #projection: Document | undefined;
  readonly #encrypted: EncryptedFields | undefined;
  readonly #newEntity: NewEntityPlan<E> | undefined;

  /** Entities read from documents that needed no upgrade (kept only where the collection upgrades on read). */
  readonly #readInCurrentShape = new WeakSet<object>();

  constructor(db: Db, config: MongoRepositoryConfig<E, CreateSchema, PatchSchema>, deps: RepositoryDeps) {
    this.collection = db.collection(config.collection);
    this.config = config;
    this.deps = deps;
    this.#projection = config.hiddenFields?.length ? Object.fromEntries(config.hiddenFields.map((f) => [f, 0])) : undefined;
    this.#newEntity = planNewEntity<E>(config.entitySchema, config.createSchema, ENTITY_MANAGED_FIELDS);
    if (config.encryptedFields?.length) {
      // Failing here, not at the first sensitive write, keeps a missing keyring from surfacing in production traffic.
      if (!deps.keyring) throw new ConfigurationError(`The ${config.collection} collection encrypts fields at rest: pass a keyring (createNexfit({ keyring }))`);
      this.#encrypted = new EncryptedFields(
        {
          collection: config.collection,
          paths: config.encryptedFields,
          ...(config.blindIndexes ? { blindIndexes: config.blindIndexes } : {}),
          ...(config.plaintextUntilRotated ? { plaintextUntilRotated: config.plaintextUntilRotated } : {}),
        },
        new FieldCipher(deps.keyring),
      );
    }
  }

  /** Validates `input`, assigns id, version and timestamps, and inserts the entity. */
  async create(input: z.input<CreateSchema>, ctx?: StoreContext): Promise<E> {
    return this.run('create', async () => {
      const { entity, document } = this.prepareNew(input);
      await this.collection.insertOne(document, sessionOf(ctx));
      return entity;
    });
  }

  /**
   * Creates many entities with one `insertMany`. Each row gets exactly what {@link create}
   * gives it — validation, defaults, id, derived fields, encryption — and a bad row is
   * reported, not thrown: `VALIDATION_FAILED` with its issues, or `CONFLICT` when its unique
   * key is already stored or repeats an earlier row's. Ordered (the default), the first bad
   * row stops the batch and every row before it is written; `ordered: false` writes every
   * good row and reports every bad one. `created` is in input order.
   *
   * The list itself must be an array of at most `MAX_BULK_ROWS` rows, and the options valid,
   * else a `ValidationError` is thrown and nothing is written. With `ctx` every row is written
   * in its session; inside a transaction a row the store refuses aborts the transaction, so the
   * call throws that row's `ConflictError`/`ValidationError` (naming its index) instead, and
   * the unit of work rolls back.
   *
   * @example
   * ```ts
   * const { created, rejected } = await nexfit.repositories.workoutLogs.createMany(logs, { ordered: false })
   * for (const r of rejected) console.warn(`row ${r.index}: ${r.code} ${r.message}`)
   * ```
   */
  async createMany(inputs: readonly z.input<CreateSchema>[], options: BulkCreateOptions = {}, ctx?: StoreContext): Promise<BulkCreateResult<E>> {
    return this.run('createMany', async () => {
      const rows = bulkRowsOf(inputs, (schema, value) => this.parse(schema, value));
      const { ordered = true } = this.parse(bulkCreateOptionsSchema, options);
      const insert = (chunk: PreparedChunk<E>) => insertPreparedRows(this.collection, chunk.prepared, { ordered, session: ctx?.mongo, entity: this.config.entity });
      return pipelinedBulkInsert(rows, ordered, (input) => this.prepareNew(input), insert);
    });
  }

  /** The entity, or `null` when there is none with this id. */
  async findById(id: E['id'] | string, ctx?: StoreContext): Promise<E | null> {
    return this.run('findById', async () => {
      const _id = this.toObjectId(id);
      const load = async () => {
        const doc = await this.collection.findOne({ _id }, { ...sessionOf(ctx), ...(this.#projection ? { projection: this.#projection } : {}) });
        return doc ? this.fromStored(doc) : null;
      };
      // Inside a unit of work the unit's own snapshot answers, never the cache.
      const cache = this.config.cached && !ctx ? this.deps.cache : undefined;
      if (!cache) return load();
      const expectedId = _id.toHexString();
      return cache.read(this.#cacheKey(expectedId), load, (value) => {
        const parsed = this.config.entitySchema.safeParse(value);
        return parsed.success && parsed.data.id === expectedId ? parsed.data : undefined;
      });
    });
  }

  /** The cache key of an entity: built from a validated id only, scoped to the database and collection. */
  #cacheKey(validId: string): string {
    return `${this.collection.dbName}.${this.config.collection}:${validId}`;
  }

  /** Drops the cached copies of the entities `ids` once the write made through `ctx` commits. */
  protected async invalidateCached(ids: readonly string[], ctx?: StoreContext): Promise<void> {
    if (this.config.cached && this.deps.cache) await this.deps.cache.invalidate(ids.map((id) => this.#cacheKey(id)), ctx);
  }

  /** The entity; `NotFoundError` when there is none with this id. */
  async getById(id: E['id'] | string, ctx?: StoreContext): Promise<E> {
    const found = await this.findById(id, ctx);
    if (!found) throw new NotFoundError(this.config.entity, String(id));
    return found;
  }

  /**
   * The entities with these ids, in the order asked; ids with no entity are left out. At most
   * 500 ids (a document's longest reference list), each validated like any other id.
   */
  async findManyByIds(ids: readonly (E['id'] | string)[], ctx?: StoreContext): Promise<E[]> {
    return this.run('findManyByIds', async () => {
      const valid = this.parse(z.array(this.config.idSchema).max(500), ids);
      const unique = [...new Set<string>(valid)];
      if (unique.length === 0) return [];
      const found = await this.findAllWhere({ _id: { $in: unique.map((id) => this.config.codec.toObjectId(id)) } }, ctx);
      const byId = new Map(found.map((e) => [e.id as string, e]));
      return unique.flatMap((id) => byId.get(id) ?? []);
    });
  }

  /**
   * Applies a validated partial update. The merged entity is validated as a whole, and the
   * write only lands if the stored `version` is still the one read (or `expectedVersion`):
   * otherwise `ConcurrencyError`.
   */
  async patch(id: E['id'] | string, patch: z.input<PatchSchema>, options: WriteOptions = {}, ctx?: StoreContext): Promise<E> {
    return this.run('patch', async () => {
      const changes = this.parse(compiledSchema(this.config.patchSchema), patch) as Record<string, unknown>;
      return this.modify(id, options, () => changes, ctx);
    });
  }

  /** Deletes the entity; `NotFoundError` when it does not exist, `ConcurrencyError` on a stale `expectedVersion`. */
  async delete(id: E['id'] | string, options: WriteOptions = {}, ctx?: StoreContext): Promise<void> {
    return this.run('delete', async () => {
      const _id = this.toObjectId(id);
      const { expectedVersion } = this.parse(writeOptionsSchema, options);
      const filter: Document = expectedVersion === undefined ? { _id } : { _id, version: expectedVersion };
      const result = await this.collection.deleteOne(filter, sessionOf(ctx));
      if (result.deletedCount === 1) return this.invalidateCached([_id.toHexString()], ctx);
      if (expectedVersion !== undefined && (await this.collection.countDocuments({ _id }, { ...sessionOf(ctx), limit: 1 })) > 0) {
        throw new ConcurrencyError(this.config.entity, String(id));
      }
      throw new NotFoundError(this.config.entity, String(id));
    });
  }

  /** Counts the entities matching a validated filter. */
  protected async countWhere(filter: SafeFilter, ctx?: StoreContext): Promise<number> {
    return this.run('count', () => this.collection.countDocuments(filter, sessionOf(ctx)));
  }

  /** The first entity matching a validated filter. */
  protected async findOneWhere(filter: SafeFilter, ctx?: StoreContext, options: { sort?: Sort } = {}): Promise<E | null> {
    const doc = await this.collection.findOne(filter, { ...sessionOf(ctx), ...(this.#projection ? { projection: this.#projection } : {}), ...options });
    return doc ? this.fromStored(doc) : null;
  }

  /**
   * Every entity matching a validated filter, hidden fields left out. Only for filters whose
   * result is bounded (a list of ids, a time window): anything open-ended is a keyset page.
   */
  protected async findAllWhere(filter: SafeFilter, ctx?: StoreContext, options: { sort?: Sort; limit?: number } = {}): Promise<E[]> {
    const cursor = this.collection.find(filter, { ...sessionOf(ctx), ...(this.#projection ? { projection: this.#projection } : {}) });
    if (options.sort) cursor.sort(options.sort);
    if (options.limit !== undefined) cursor.limit(options.limit);
    return (await cursor.toArray()).map((d) => this.fromStored(d));
  }

  /**
   * One keyset page over a validated filter, ordered by `sort` then `_id`. The next page
   * starts strictly after the last item, so it stays an index range scan at any depth.
   */
  protected async pageWhere(
    operation: string,
    filter: SafeFilter,
    sort: KeysetSort,
    page: PageRequest = {},
    ctx?: StoreContext,
    from: Collection = this.collection,
  ): Promise<Page<E>> {
    return this.run(operation, async () => {
      const request = this.parse(pageRequestSchema, page);
      const limit = request.limit ?? DEFAULT_PAGE_SIZE;
      const keys: (readonly [string, 1 | -1])[] = sort.at(-1)?.[0] === '_id' ? [...sort] : [...sort, ['_id', sort.at(-1)?.[1] ?? 1]];
      let query: SafeFilter = filter;
      if (request.after) {
        const values = decodeCursor(request.after, keys.length).map((v, i) => (keys[i]![0] === '_id' ? this.toObjectId(v) : v));
        query = { $and: [filter, keysetAfter(keys, values)] };
      }
      const docs = await from
        .find(query, { ...sessionOf(ctx), ...(this.#projection ? { projection: this.#projection } : {}) })
        .sort(Object.fromEntries(keys) as Sort)
        .limit(limit + 1)
        .toArray();
      const items = docs.slice(0, limit).map((d) => this.fromStored(d));
      const last = docs.length > limit ? docs[limit - 1] : undefined;
      const nextCursor = last ? encodeCursor(keys.map(([field]) => (field === '_id' ? String(last['_id']) : readPath(last, field)))) : null;
      return { items, nextCursor };
    });
  }

  /**
   * Writes `current` merged with `changes` (validated as a whole) if the stored version is
   * still `current.version`; returns the new state.
   */
  protected async replaceWith(current: E, changes: Record<string, unknown>, ctx?: StoreContext): Promise<E> {
    const merged: Record<string, unknown> = { ...(current as unknown as Record<string, unknown>) };
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined) continue;
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    merged['version'] = current.version + 1;
    merged['updatedAt'] = this.deps.clock.now();
    const next = this.#validMerged(merged, changes);
    // The whole new state was validated; only the top-level fields that can differ are written —
    // the changed ones, version and updatedAt, derived fields and blind indexes — so unchanged
    // fields (and their ciphertexts) are neither re-encoded nor re-encrypted.
    const derived = this.config.derive?.(next);
    const encoded = this.#encodedWithDerived(next, derived);
    const { _id } = encoded;
    const written = new Set(['version', 'updatedAt']);
    for (const k of Object.keys(changes)) if (changes[k] !== undefined && changes[k] !== null) written.add(k);
    if (derived) for (const k of Object.keys(derived)) written.add(k);
    // A document upgraded on read is written whole, so it is never stored half in its old
    // shape; only a state read from a document already in the current shape (not one from the
    // cache, whose source is unknown) is written field by field.
    const whole = this.config.upgrade !== undefined && !this.#readInCurrentShape.has(current as object);
    const partial: Document = whole ? encoded : { _id };
    if (!whole) for (const k of written) if (k in encoded) partial[k] = encoded[k];
    const { _id: _ignored, ...$set } = this.#encrypted ? this.#encrypted.seal(partial) : partial;
    // Only fields the entity itself produces are compared, so stored-only secrets (passwordHash) are never unset,
    // while a derived field the new state no longer has (a blind index of a removed number) is.
    const nextKeys = new Set(Object.keys(encoded));
    for (const index of this.config.blindIndexes ?? []) if (encoded[index.field] !== undefined && encoded[index.field] !== null) nextKeys.add(index.storedAs);
    const unset = this.#storedKeysOf(current).filter((k) => !nextKeys.has(k) && k !== '_id');
    const update: Document = { $set };
    if (unset.length) update['$unset'] = Object.fromEntries(unset.map((k) => [k, '']));
    const result = await this.collection.updateOne({ _id, version: current.version }, update, sessionOf(ctx));
    if (result.matchedCount === 0) {
      throw (await this.collection.countDocuments({ _id }, { ...sessionOf(ctx), limit: 1 })) > 0
        ? new ConcurrencyError(this.config.entity, current.id)
        : new NotFoundError(this.config.entity, current.id);
    }
    await this.invalidateCached([current.id], ctx);
    return next;
  }

  /**
   * A read-modify-write of one entity: reads it, checks `expectedVersion`, and writes it
   * merged with what `change` returns through {@link replaceWith} (validated as a whole,
   * landing only on the version read). `change` throws to refuse, e.g. a status transition
   * the current state does not allow. Callers run it inside {@link run}.
   */
  protected async modify(id: unknown, options: WriteOptions, change: (current: E) => Record<string, unknown>, ctx?: StoreContext): Promise<E> {
    const { expectedVersion } = this.parse(writeOptionsSchema, options);
    const current = await this.getById(id as string, ctx);
    if (expectedVersion !== undefined && current.version !== expectedVersion) throw new ConcurrencyError(this.config.entity, current.id);
    return this.replaceWith(current, change(current), ctx);
  }

  /**
   * One atomic `findOneAndUpdate` of an entity, for changes that must stay exact under
   * concurrency (counters, appends to a list) where a read-modify-write would lose races. It
   * lands only while `guard` matches (and the stored version is `expectedVersion`, when
   * given), bumps `version`, sets `updatedAt`, and returns the new state. When nothing
   * matched it tells why: `NotFoundError`, `ConcurrencyError` for a stale `expectedVersion`,
   * or `null` when `guard` refused (the caller names that conflict). `update` holds stored
   * values and must keep derived fields in step; the collection's validator still checks the
   * result. Callers run it inside {@link run}.
   */
  protected async updateAtomically(
    id: unknown,
    guard: SafeFilter,
    update: Document,
    options: WriteOptions & { readonly arrayFilters?: readonly Document[] } = {},
    ctx?: StoreContext,
  ): Promise<E | null> {
    const _id = this.toObjectId(id);
    const { expectedVersion } = this.parse(writeOptionsSchema, { ...(options.expectedVersion === undefined ? {} : { expectedVersion: options.expectedVersion }) });
    const filter: SafeFilter = { ...guard, _id, ...(expectedVersion === undefined ? {} : { version: expectedVersion }) };
    const full: Document = {
      ...update,
      $set: { ...(update['$set'] as Document | undefined), updatedAt: this.deps.clock.now() },
      $inc: { ...(update['$inc'] as Document | undefined), version: 1 },
    };
    const doc = await this.collection.findOneAndUpdate(filter, full, {
      ...sessionOf(ctx),
      returnDocument: 'after',
      ...(this.#projection ? { projection: this.#projection } : {}),
      ...(options.arrayFilters ? { arrayFilters: [...options.arrayFilters] } : {}),
    });
    if (doc) {
      await this.invalidateCached([_id.toHexString()], ctx);
      return this.fromStored(doc);
    }
    const stored = await this.collection.findOne({ _id }, { ...sessionOf(ctx), projection: { version: 1 } });
    if (!stored) throw new NotFoundError(this.config.entity, _id.toHexString());
    if (expectedVersion !== undefined && stored['version'] !== expectedVersion) throw new ConcurrencyError(this.config.entity, _id.toHexString());
    return null;
  }

  /**
   * A new entity from parsed create input: id, versions and timestamps assigned. The fields
   * the create schema parsed exactly as the entity schema does are not parsed again (see
   * {@link planNewEntity}); anything else — fields a subclass adds, a failing entity-wide
   * rule — goes through the whole entity schema.
   */
  protected buildNew(parsed: Record<string, unknown>): E {
    const now = this.deps.clock.now();
    const assigned = { id: this.deps.ids.newObjectId(), schemaVersion: this.config.schemaVersion, version: 1, createdAt: now, updatedAt: now };
    return this.#newEntity?.assemble(parsed, assigned) ?? this.parse(this.config.entitySchema, { ...parsed, ...assigned });
  }

  /**
   * A new entity from one create input and the document that stores it — validated,
   * defaults, id, derived fields, encryption — as {@link create} writes it; what
   * {@link createMany} does per row. A repository that stores more on create (a password
   * hash) overrides it. Throws `ValidationError` for a bad input.
   */
  protected prepareNew(input: unknown): { readonly entity: E; readonly document: Document } {
    const entity = this.buildNew(this.parse(compiledSchema(this.config.createSchema), input) as Record<string, unknown>);
    return { entity, document: this.toStored(entity) };
  }

  /** The stored document of an entity, with derived fields, its declared fields encrypted and their blind indexes. */
  protected toStored(entity: E): Document {
    const doc = this.#encodedWithDerived(entity);
    return this.#encrypted ? this.#encrypted.seal(doc) : doc;
  }

  /**
   * A merged state validated as a whole by the entity schema. The hostile-input walks run over
   * `changes` only: the rest is the state read back from the store, which the collection's
   * validator already holds to the stored shape. Anything wrong goes through {@link parse},
   * which reports it in the caller's locale.
   */
  #validMerged(merged: Record<string, unknown>, changes: Record<string, unknown>): E {
    const schema = this.config.entitySchema;
    if (!findUnsafeInput(changes) && !findDateForObject(schema, changes)) {
      const result = schema.safeParse(merged);
      if (result.success) return withoutNegativeZero(result.data);
    }
    return this.parse(schema, merged);
  }

  /** The document of an entity with its derived fields (`derived`, when already computed), nothing encrypted yet. */
  #encodedWithDerived(entity: E, derived = this.config.derive?.(entity)): Document {
    const encoded = this.config.codec.toDocument(entity);
    if (derived) Object.assign(encoded, derived);
    return encoded;
  }

  /**
   * The top-level keys the stored document of `entity` has — its encoded and derived fields,
   * and the blind index of each indexed field it holds (sealing stores one exactly then) —
   * without encoding or encrypting anything: only the keys are needed, and the codec keeps
   * every defined field under its name (`id` as `_id`). A patch unsets what the new state
   * lacks among them, so an index the document never had is not unset on every write (an
   * `$unset` of an indexed field costs the server an index update).
   */
  #storedKeysOf(entity: E): string[] {
    const keys: string[] = [];
    const fields = entity as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) keys.push(key === 'id' ? '_id' : key);
    if (this.config.derive) keys.push(...Object.keys(this.config.derive(entity)));
    for (const index of this.config.blindIndexes ?? []) if (fields[index.field] !== undefined && fields[index.field] !== null) keys.push(index.storedAs);
    return keys;
  }

  /** The entity of a stored document: upgraded if older, decrypted, derived and hidden fields dropped. */
  protected fromStored(doc: Document): E {
    const old = this.config.upgrade !== undefined && doc['schemaVersion'] !== this.config.schemaVersion;
    const upgraded = old ? this.config.upgrade!(doc) : doc;
    const entity = this.config.codec.fromDocument(this.#encrypted ? this.#encrypted.open(upgraded) : upgraded);
    if (this.config.upgrade && !old) this.#readInCurrentShape.add(entity);
    return entity;
  }

  /** The archive of this collection's old documents (`config.archiveCollection`). */
  protected archiveStore(): Collection {
    if (!this.config.archiveCollection) throw new TypeError(`${this.config.collection} has no archive collection`);
    return this.collection.db.collection(this.config.archiveCollection);
  }

  /** One keyset page of archived documents matching a validated filter, read like hot ones. */
  protected async pageArchivedWhere(operation: string, filter: SafeFilter, sort: KeysetSort, page: PageRequest = {}, ctx?: StoreContext): Promise<Page<E>> {
    return this.pageWhere(operation, filter, sort, page, ctx, this.archiveStore());
  }

  /** Deletes the archived documents matching a validated filter; returns how many. */
  protected async deleteArchivedWhere(operation: string, filter: SafeFilter, ctx?: StoreContext): Promise<number> {
    return this.run(operation, async () => (await this.archiveStore().deleteMany(filter, sessionOf(ctx))).deletedCount);
  }

  /**
   * The stored envelope of one value at an encrypted `path` of the entity `id`, for atomic
   * updates that write a value without going through {@link toStored} (a `$push`).
   */
  protected encryptedValue(path: string, id: string, value: unknown): EncryptedEnvelope {
    if (!this.#encrypted?.definition.paths.includes(path)) throw new TypeError(`${this.config.collection}.${path} is not an encrypted path`);
    return this.#encrypted.sealValue(path, id, value);
  }

  /** The stored blind index of a normalised value of `field`, to query by equality. */
  protected blindIndexOf(field: string, value: string): { readonly storedAs: string; readonly value: unknown } {
    const index = this.config.blindIndexes?.find((b) => b.field === field);
    if (!index || !this.#encrypted) throw new TypeError(`${this.config.collection}.${field} has no blind index`);
    return { storedAs: index.storedAs, value: this.#encrypted.blindIndexOf(field, value) };
  }

  protected parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: this.config.entity, ...(this.deps.locale ? { locale: this.deps.locale } : {}) });
  }

  /** Validates an id given by a caller (a string of 24 hex digits, nothing else) as a stored `_id`. */
  protected toObjectId(id: unknown) {
    const valid = this.parse(this.config.idSchema, id);
    return this.config.codec.toObjectId(valid);
  }

  /** Runs a store operation: reported to the observer, driver errors mapped to SDK errors. */
  protected run<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    const mapped = async () => {
      try {
        return await fn();
      } catch (error) {
        throw toNexfitError(error, { entity: this.config.entity });
      }
    };
    // Without an observer to tell, no event is built for it.
    const observer = this.deps.observer;
    return observer?.onStoreOperation ? observed(observer, { store: 'mongo', target: this.config.collection, operation }, mapped) : mapped();
  }
}

/** `$or` filter selecting what sorts strictly after `values` under `keys`. */
function keysetAfter(keys: readonly (readonly [string, 1 | -1])[], values: readonly unknown[]): Document {
  const branches: Document[] = [];
  for (let i = 0; i < keys.length; i++) {
    const branch: Document = {};
    for (let j = 0; j < i; j++) branch[keys[j]![0]] = values[j];
    const [field, direction] = keys[i]!;
    branch[field] = { [direction === 1 ? '$gt' : '$lt']: values[i] };
    branches.push(branch);
  }
  return { $or: branches };
}

function readPath(doc: Document, path: string): unknown {
  let value: unknown = doc;
  for (const part of path.split('.')) value = value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  return value ?? null;
}

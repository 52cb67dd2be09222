import { type Doc } from './bson-values.js';
import { CollectionStore, type CatalogListener } from './collection-store.js';
import { CommandError, ErrorCode } from './errors.js';

const INVALID_DB_CHARS = /[/\\. "$\0]/;

/** Rejects names MongoDB rejects (code 73 InvalidNamespace). */
export function checkNamespace(database: string, collection?: string): void {
  if (!database || INVALID_DB_CHARS.test(database) || database.length > 63) {
    throw new CommandError(ErrorCode.InvalidNamespace, `Invalid database name: '${database}'`);
  }
  if (collection !== undefined && (!collection || collection.includes('\0') || collection.startsWith('.') || collection.includes('$'))) {
    throw new CommandError(ErrorCode.InvalidNamespace, `Invalid collection name: ${collection}`);
  }
}

/** A view: an aggregation pipeline over another collection or view, read-only. */
export interface ViewDefinition {
  readonly viewOn: string;
  readonly pipeline: Doc[];
  /** The view's default collation (`undefined`: simple). */
  readonly collation?: Doc;
}

/** A view followed down to its collection: the pipelines to run, innermost first. */
export interface ResolvedView {
  readonly collection: string;
  readonly pipeline: Doc[];
  readonly collation?: Doc;
}

/** MongoDB's maximum depth of views defined on views. */
const MAX_VIEW_DEPTH = 20;

/**
 * The catalog of databases, collections and views, and the logical clock that orders
 * commits. A database exists while it holds a collection or a view, as in MongoDB.
 */
export class StorageEngine {
  readonly #databases = new Map<string, Map<string, CollectionStore>>();
  readonly #views = new Map<string, Map<string, ViewDefinition>>();
  #clock = 0;
  /** Told of every catalog change and committed document write (the data directory's journal). */
  listener: CatalogListener | undefined;

  /** The timestamp of the latest commit (what a new snapshot sees). */
  get now(): number {
    return this.#clock;
  }

  /** A fresh commit timestamp. */
  tick(): number {
    this.#clock += 1;
    return this.#clock;
  }

  collection(database: string, name: string): CollectionStore | undefined {
    return this.#databases.get(database)?.get(name);
  }

  /** The collection, created implicitly (as MongoDB does on first write) when absent. */
  ensureCollection(database: string, name: string): CollectionStore {
    return this.collection(database, name) ?? this.createCollection(database, name, {});
  }

  view(database: string, name: string): ViewDefinition | undefined {
    return this.#views.get(database)?.get(name);
  }

  /** Refuses a command that needs a collection when `name` is a view (166 CommandNotSupportedOnView). */
  refuseView(database: string, name: unknown): void {
    if (typeof name === 'string' && this.view(database, name)) {
      throw new CommandError(ErrorCode.CommandNotSupportedOnView, `Namespace ${database}.${name} is a view, not a collection`);
    }
  }

  createView(database: string, name: string, definition: ViewDefinition): void {
    checkNamespace(database, name);
    if (this.collection(database, name) || this.view(database, name)) {
      throw new CommandError(ErrorCode.NamespaceExists, `Namespace ${database}.${name} already exists`);
    }
    let views = this.#views.get(database);
    if (!views) {
      views = new Map();
      this.#views.set(database, views);
    }
    views.set(name, definition);
    try {
      this.resolveView(database, name);
    } catch (error) {
      views.delete(name);
      throw error;
    }
    this.listener?.viewChanged(database, name, definition);
  }

  dropView(database: string, name: string): boolean {
    const views = this.#views.get(database);
    if (!views?.delete(name)) return false;
    if (views.size === 0) this.#views.delete(database);
    this.listener?.viewChanged(database, name, undefined);
    return true;
  }

  views(database: string): Array<[string, ViewDefinition]> {
    return [...(this.#views.get(database) ?? [])];
  }

  /** Follows a view down to its collection (165 ViewDepthLimitExceeded past 20 levels or on a cycle). */
  resolveView(database: string, name: string): ResolvedView | undefined {
    let definition = this.view(database, name);
    if (!definition) return undefined;
    const collation = definition.collation;
    const pipelines: Doc[][] = [];
    let depth = 0;
    while (definition) {
      if (++depth > MAX_VIEW_DEPTH) throw new CommandError(ErrorCode.ViewDepthLimitExceeded, `View depth too deep or view cycle detected; maximum depth is ${MAX_VIEW_DEPTH}`);
      pipelines.unshift(definition.pipeline);
      name = definition.viewOn;
      definition = this.view(database, name);
    }
    return { collection: name, pipeline: pipelines.flat(), ...(collation ? { collation } : {}) };
  }

  createCollection(database: string, name: string, options: Doc): CollectionStore {
    checkNamespace(database, name);
    if (this.collection(database, name) || this.view(database, name)) {
      throw new CommandError(ErrorCode.NamespaceExists, `Collection ${database}.${name} already exists.`);
    }
    let collections = this.#databases.get(database);
    if (!collections) {
      collections = new Map();
      this.#databases.set(database, collections);
    }
    const store = new CollectionStore(database, name, options);
    store.listener = this.listener;
    collections.set(name, store);
    this.listener?.collectionCreated(store);
    return store;
  }

  dropCollection(database: string, name: string): boolean {
    const collections = this.#databases.get(database);
    if (!collections?.delete(name)) return false;
    if (collections.size === 0) this.#databases.delete(database);
    this.listener?.collectionDropped(database, name);
    return true;
  }

  dropDatabase(database: string): boolean {
    const existed = this.#databases.has(database) || this.#views.has(database);
    for (const coll of this.collections(database)) this.dropCollection(database, coll.name);
    for (const [name] of this.views(database)) this.dropView(database, name);
    return existed;
  }

  collections(database: string): CollectionStore[] {
    return [...(this.#databases.get(database)?.values() ?? [])];
  }

  databaseNames(): string[] {
    return [...new Set([...this.#databases.keys(), ...this.#views.keys()])];
  }

  *allCollections(): Generator<CollectionStore> {
    for (const collections of this.#databases.values()) yield* collections.values();
  }
}

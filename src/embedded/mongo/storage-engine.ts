import { type Doc } from './bson-values.js';
import { CollectionStore } from './collection-store.js';
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

/**
 * The catalog of databases and collections, and the logical clock that orders commits.
 * A database exists while it holds a collection, as in MongoDB.
 */
export class StorageEngine {
  readonly #databases = new Map<string, Map<string, CollectionStore>>();
  #clock = 0;

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

  createCollection(database: string, name: string, options: Doc): CollectionStore {
    checkNamespace(database, name);
    if (this.collection(database, name)) {
      throw new CommandError(ErrorCode.NamespaceExists, `Collection ${database}.${name} already exists.`);
    }
    let collections = this.#databases.get(database);
    if (!collections) {
      collections = new Map();
      this.#databases.set(database, collections);
    }
    const store = new CollectionStore(database, name, options);
    collections.set(name, store);
    return store;
  }

  dropCollection(database: string, name: string): boolean {
    const collections = this.#databases.get(database);
    if (!collections?.delete(name)) return false;
    if (collections.size === 0) this.#databases.delete(database);
    return true;
  }

  dropDatabase(database: string): boolean {
    return this.#databases.delete(database);
  }

  collections(database: string): CollectionStore[] {
    return [...(this.#databases.get(database)?.values() ?? [])];
  }

  databaseNames(): string[] {
    return [...this.#databases.keys()];
  }

  *allCollections(): Generator<CollectionStore> {
    for (const collections of this.#databases.values()) yield* collections.values();
  }
}

import type { Document } from 'mongodb';
import type { MongoIndexDefinition } from './collections.js';

/** How the indexes present on a collection compare with the ones declared for it. */
export interface MongoIndexComparison {
  readonly present: readonly string[];
  /** Declared but absent (`_id_` included; an undeclared collection has none). */
  readonly missing: readonly string[];
  /** Present but not declared. */
  readonly unexpected: readonly string[];
  /** Present under a declared name, with other keys or options. */
  readonly differing: readonly string[];
}

/**
 * Compares the indexes `listIndexes` returned with a collection's declaration: by name, then
 * keys, uniqueness and TTL. Without a declaration every index is merely present.
 *
 * @example
 * ```ts
 * compareIndexes(await db.collection('users').indexes(), USERS_COLLECTION.indexes).missing
 * ```
 */
export function compareIndexes(present: readonly Document[], declared: readonly MongoIndexDefinition[] | undefined): MongoIndexComparison {
  const names = present.map((i) => String(i['name']));
  if (!declared) return { present: names, missing: [], unexpected: [], differing: [] };
  const byName = new Map(present.map((i) => [String(i['name']), i]));
  const expected = new Set(['_id_', ...declared.map((i) => i.name)]);
  return {
    present: names,
    missing: [...expected].filter((n) => !byName.has(n)),
    unexpected: names.filter((n) => !expected.has(n)),
    differing: declared.filter((d) => byName.has(d.name) && !sameIndex(byName.get(d.name)!, d)).map((d) => d.name),
  };
}

function sameIndex(actual: Document, declared: MongoIndexDefinition): boolean {
  const key = (k: Document) => JSON.stringify(Object.entries(k).map(([f, v]) => [f, typeof v === 'number' ? v : String(v)]));
  return (
    key(actual['key'] as Document) === key(declared.key) &&
    (actual['unique'] === true) === (declared.unique === true) &&
    finiteOrNull(actual['expireAfterSeconds']) === (declared.expireAfterSeconds ?? null)
  );
}

function finiteOrNull(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

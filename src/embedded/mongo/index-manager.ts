import { Query } from 'mingo';
import { compareValues, formatValue, valueKey, type Doc } from './bson-values.js';
import { valuesAtPath } from './document-paths.js';
import { CommandError, ErrorCode } from './errors.js';
import { geoPointOf } from './geo.js';
import { SortedList } from './sorted-list.js';

/** One entry of a B-tree-like index: the key tuple and the owning document's `_id` key. */
export interface IndexEntry {
  readonly key: readonly unknown[];
  readonly id: string;
}

/** An index as `listIndexes` returns it, plus the parsed key. */
export interface IndexSpec {
  readonly name: string;
  readonly key: Readonly<Record<string, unknown>>;
  readonly unique?: boolean;
  readonly sparse?: boolean;
  readonly partialFilterExpression?: Doc;
  readonly expireAfterSeconds?: number;
  /** Every option as given (v, key, name, unique, ...): what `listIndexes` answers. */
  readonly document: Doc;
}

/** A range on one field: values between `lo` and `hi` (TypeBoundary for open ends). */
export interface Interval {
  readonly lo: unknown;
  readonly loInclusive: boolean;
  readonly hi: unknown;
  readonly hiInclusive: boolean;
}

/** A scan over an index: equality points on leading fields, then an optional range. */
export interface IndexBounds {
  /** One array of equality values per leading field (several for `$in`). */
  readonly points: readonly (readonly unknown[])[];
  readonly range?: readonly Interval[];
}

function compareTuples(a: readonly unknown[], b: readonly unknown[], length: number): number {
  for (let i = 0; i < length; i++) {
    const c = compareValues(a[i], b[i]);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * An index of one collection. Keys are kept in ascending BSON order regardless of the
 * declared direction (the server sorts in memory); what matters is that equality and
 * range lookups are logarithmic and that uniqueness is checked without a scan.
 */
export class CollectionIndex {
  readonly spec: IndexSpec;
  readonly fields: readonly string[];
  readonly kind: 'btree' | '2dsphere' | 'text';
  readonly #entries = new SortedList<IndexEntry>((a, b) => {
    const c = compareTuples(a.key, b.key, a.key.length);
    return c !== 0 ? c : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  });
  readonly #partial: Query | undefined;

  constructor(spec: IndexSpec) {
    this.spec = spec;
    this.fields = Object.keys(spec.key);
    const types = Object.values(spec.key);
    this.kind = types.includes('2dsphere') ? '2dsphere' : types.includes('text') ? 'text' : 'btree';
    this.#partial = spec.partialFilterExpression ? new Query(spec.partialFilterExpression) : undefined;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Whether a document belongs in this index at all (partial filter, sparseness). */
  covers(doc: Doc): boolean {
    if (this.#partial && !this.#partial.test(doc)) return false;
    if (this.spec.sparse || this.kind !== 'btree') {
      return this.fields.some((field) => valuesAtPath(doc, field).some((v) => v !== undefined));
    }
    return true;
  }

  /** The distinct key tuples of a document (several for array fields). */
  keysOf(doc: Doc): unknown[][] {
    if (!this.covers(doc)) return [];
    if (this.kind === '2dsphere') {
      for (const [field, type] of Object.entries(this.spec.key)) {
        if (type !== '2dsphere') continue;
        const values = valuesAtPath(doc, field);
        const value = values.length === 1 ? values[0] : values.length > 1 ? values : undefined;
        if (value !== undefined && value !== null && !geoPointOf(value, true)) {
          throw new CommandError(ErrorCode.Location16755, `Can't extract geo keys: ${formatValue(doc)}  unknown GeoJSON type: ${formatValue(value)}`);
        }
      }
      return [];
    }
    if (this.kind === 'text') return [];
    let tuples: unknown[][] = [[]];
    for (const field of this.fields) {
      const found = valuesAtPath(doc, field);
      const values = found.length === 0 ? [null] : found.map((v) => (v === undefined ? null : v));
      const next: unknown[][] = [];
      for (const tuple of tuples) for (const value of values) next.push([...tuple, value]);
      tuples = next;
    }
    if (tuples.length === 1) return tuples;
    const seen = new Set<string>();
    return tuples.filter((tuple) => {
      const key = tuple.map(valueKey).join('|');
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  add(doc: Doc, id: string): void {
    for (const key of this.keysOf(doc)) this.#entries.insert({ key, id });
  }

  remove(doc: Doc, id: string): void {
    for (const key of this.keysOf(doc)) this.#entries.delete({ key, id });
  }

  clear(): void {
    this.#entries.clear();
  }

  /** `_id` keys of other documents holding one of `keys` (unique indexes). */
  idsWithKey(key: readonly unknown[]): string[] {
    const n = key.length;
    const start = this.#entries.position((e) => compareTuples(e.key, key, n) < 0);
    const end = this.#entries.position((e) => compareTuples(e.key, key, n) <= 0);
    return [...this.#entries.range(start, end)].map((e) => e.id);
  }

  /** The entries' position ranges a scan visits. */
  #ranges(bounds: IndexBounds): Array<[number, number]> {
    let prefixes: unknown[][] = [[]];
    for (const values of bounds.points) {
      const next: unknown[][] = [];
      for (const prefix of prefixes) for (const value of values) next.push([...prefix, value]);
      prefixes = next;
    }
    const ranges: Array<[number, number]> = [];
    for (const prefix of prefixes) {
      const n = prefix.length;
      const intervals = bounds.range ?? [undefined];
      for (const interval of intervals) {
        let start: number;
        let end: number;
        if (!interval) {
          start = this.#entries.position((e) => compareTuples(e.key, prefix, n) < 0);
          end = this.#entries.position((e) => compareTuples(e.key, prefix, n) <= 0);
        } else {
          const lo = [...prefix, interval.lo];
          const hi = [...prefix, interval.hi];
          start = this.#entries.position((e) => {
            const c = compareTuples(e.key, lo, n + 1);
            return interval.loInclusive ? c < 0 : c <= 0;
          });
          end = this.#entries.position((e) => {
            const c = compareTuples(e.key, hi, n + 1);
            return interval.hiInclusive ? c <= 0 : c < 0;
          });
        }
        if (end > start) ranges.push([start, end]);
      }
    }
    return ranges;
  }

  /** How many entries a scan visits, in O(log n): used to pick the most selective index. */
  estimate(bounds: IndexBounds): number {
    return this.#ranges(bounds).reduce((sum, [s, e]) => sum + (e - s), 0);
  }

  /** Distinct `_id` keys reached by a scan, in index order. */
  scan(bounds: IndexBounds): string[] {
    const seen = new Set<string>();
    for (const [start, end] of this.#ranges(bounds)) {
      for (const entry of this.#entries.range(start, end)) seen.add(entry.id);
    }
    return [...seen];
  }

  /** A field → value document of a key tuple, for `keyValue` in duplicate-key errors. */
  keyValueOf(key: readonly unknown[]): Doc {
    const out: Doc = {};
    this.fields.forEach((field, i) => {
      out[field] = key[i] ?? null;
    });
    return out;
  }
}

/** The E11000 error MongoDB raises for `key` on `index` of `ns`. */
export function duplicateKeyError(ns: string, index: CollectionIndex, key: readonly unknown[]): CommandError {
  const keyValue = index.keyValueOf(key);
  return new CommandError(
    ErrorCode.DuplicateKey,
    `E11000 duplicate key error collection: ${ns} index: ${index.spec.name} dup key: ${formatValue(keyValue)}`,
    { extra: { keyPattern: { ...index.spec.key }, keyValue } },
  );
}

import { ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { compareValues, TypeBoundary, valueKey } from '../../../src/embedded/mongo/bson-values.js';
import { CollectionIndex } from '../../../src/embedded/mongo/index-manager.js';
import { SortedList } from '../../../src/embedded/mongo/sorted-list.js';

function numberIndex(): CollectionIndex {
  return new CollectionIndex({ name: 'n_1', key: { n: 1 }, document: { v: 2, key: { n: 1 }, name: 'n_1' } });
}

describe('SortedList', () => {
  it('keeps entries ordered across chunk splits and deletes exactly', () => {
    const list = new SortedList<number>((a, b) => a - b);
    const values = Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000);
    for (const v of values) list.insert(v);
    expect([...list]).toEqual([...values].sort((a, b) => a - b));
    expect(list.delete(1234)).toBe(true);
    expect(list.delete(1234)).toBe(false);
    expect(list.size).toBe(4999);
    const start = list.position((v) => v < 100);
    const end = list.position((v) => v < 110);
    expect([...list.range(start, end)]).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
  });
});

describe('BSON ordering', () => {
  it('orders types as MongoDB does and numbers across representations', () => {
    const sorted = [true, 'a', new Date(0), null, 3, new ObjectId()].sort(compareValues);
    expect(sorted.map((v) => (v === null ? 'null' : v instanceof Date ? 'date' : v instanceof ObjectId ? 'oid' : typeof v))).toEqual(['null', 'number', 'string', 'oid', 'boolean', 'date']);
    expect(valueKey(1)).toBe(valueKey(1.0));
    expect(compareValues(new TypeBoundary(3, false), -Infinity)).toBeLessThan(0);
    expect(compareValues(new TypeBoundary(3, true), Number.MAX_VALUE)).toBeGreaterThan(0);
  });
});

describe('CollectionIndex', () => {
  it('answers equality and ranges without visiting other keys', () => {
    const index = numberIndex();
    for (let i = 0; i < 10_000; i++) index.add({ _id: i, n: i % 100 }, String(i));
    index.add({ _id: 'text', n: 'fifty' }, 'text');
    expect(index.estimate({ points: [[42]] })).toBe(100);
    expect(index.scan({ points: [[42]] })).toHaveLength(100);
    const range = { points: [], range: [{ lo: 10, loInclusive: true, hi: 12, hiInclusive: false }] };
    expect(index.estimate(range)).toBe(200);
    const typed = { points: [], range: [{ lo: 98, loInclusive: false, hi: new TypeBoundary(3, true), hiInclusive: true }] };
    expect(index.estimate(typed)).toBe(100);
  });

  it('indexes each array element (multikey) and missing fields as null', () => {
    const index = numberIndex();
    index.add({ n: [1, 2, 2] }, 'a');
    index.add({}, 'b');
    expect(index.idsWithKey([2])).toEqual(['a']);
    expect(index.idsWithKey([null])).toEqual(['b']);
    index.remove({ n: [1, 2, 2] }, 'a');
    expect(index.size).toBe(1);
  });

  it('skips documents outside a partial filter or without the field when sparse', () => {
    const partial = new CollectionIndex({ name: 'p', key: { n: 1 }, unique: true, partialFilterExpression: { active: true }, document: {} });
    expect(partial.keysOf({ n: 1, active: false })).toEqual([]);
    expect(partial.keysOf({ n: 1, active: true })).toEqual([[1]]);
    const sparse = new CollectionIndex({ name: 's', key: { n: 1 }, sparse: true, document: {} });
    expect(sparse.keysOf({ other: 1 })).toEqual([]);
  });
});

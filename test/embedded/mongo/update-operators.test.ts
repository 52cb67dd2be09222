import { Binary, Double, Int32, MongoServerError, ObjectId, type Document, type UpdateFilter } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { useTestMongo } from '../../support/stores.js';

type StaffMember = { u: number; role: string; p: string[] };
type Team = { _id: number; staff: StaffMember[] };
type Numbers = { _id: number; a?: unknown[]; top?: number[]; tags?: string[] };
type Nested = { _id: number; a: { b: number } | number; c?: number; d?: number; staff?: unknown[] };
type DayEntry = { _id: ObjectId | string; day: number; n: number; version?: number; createdAt?: Date };
type Counter = { _id: ObjectId | number; n: number };

const mongo = useTestMongo();

function staffMember(u: number): StaffMember {
  return { u, role: 'a', p: [] };
}

async function failure(write: Promise<unknown>): Promise<MongoServerError> {
  const error = await write.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(MongoServerError);
  return error as MongoServerError;
}

/** A `$pull` from `staff` with any condition (the driver's types allow only conditions that fit the element type). */
function pullFromStaff(condition: Document): UpdateFilter<Document> {
  return { $pull: { staff: condition } } as unknown as UpdateFilter<Document>;
}

describe('update operators that consult query conditions', () => {
  it('pulls the elements a condition with nested query operators selects', async () => {
    const coll = mongo.db.collection('pull_condition');
    await coll.insertOne({ _id: 1 as never, staff: [staffMember(1), { u: 2, role: 'b', p: [] }, staffMember(3), { u: 4, role: 'a', p: ['x'] }, 7] });
    await coll.updateOne({ _id: 1 as never }, pullFromStaff({ u: { $gte: 2 }, role: { $in: ['a'] }, p: { $size: 0 } }));
    expect(await coll.findOne({ _id: 1 as never })).toEqual({ _id: 1, staff: [staffMember(1), { u: 2, role: 'b', p: [] }, { u: 4, role: 'a', p: ['x'] }, 7] });
    // A condition that begins with $or is a query over each element's fields; 7 is no document, so it stays.
    await coll.updateOne({ _id: 1 as never }, pullFromStaff({ $or: [{ u: 1 }, { p: { $elemMatch: { $eq: 'x' } } }] }));
    expect(await coll.findOne({ _id: 1 as never })).toEqual({ _id: 1, staff: [{ u: 2, role: 'b', p: [] }, 7] });
    await coll.updateOne({ _id: 1 as never }, pullFromStaff({ role: 'b', $or: [{ u: 2 }, { u: 3 }] }));
    expect(await coll.findOne({ _id: 1 as never })).toEqual({ _id: 1, staff: [7] });
    await coll.updateOne({ _id: 1 as never }, pullFromStaff({ $gt: 6 }));
    expect(await coll.findOne({ _id: 1 as never })).toEqual({ _id: 1, staff: [] });
  });

  it('sorts and slices what $push adds, and filters arrays with $[<id>] conditions on ranges', async () => {
    const coll = mongo.db.collection<Numbers>('push_sort_slice');
    await coll.insertOne({ _id: 1, top: [5, 1] });
    await coll.updateOne({ _id: 1 }, { $push: { top: { $each: [9, 3, 7], $sort: -1, $slice: 3 } } });
    expect((await coll.findOne({ _id: 1 }))?.top).toEqual([9, 7, 5]);
    await coll.updateOne({ _id: 1 }, { $inc: { 'top.$[big]': 100 } }, { arrayFilters: [{ big: { $gt: 6, $nin: [7] } }] });
    expect((await coll.findOne({ _id: 1 }))?.top).toEqual([109, 7, 5]);
  });

  it('refuses the operator it uses for itself in a filter, as an unknown operator', async () => {
    const coll = mongo.db.collection<Numbers>('internal_operator');
    await coll.insertOne({ _id: 1, top: [1] });
    const error = await coll.find({ top: { $__options: true } } as never).toArray().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(MongoServerError);
    expect((error as MongoServerError).code).toBe(2);
  });
});

describe('update operators on array elements', () => {
  it('sets two fields of the elements an array filter selects', async () => {
    const coll = mongo.db.collection<Team>('two_fields_array_filter');
    await coll.insertOne({ _id: 1, staff: [staffMember(1), staffMember(2)] });
    const result = await coll.updateOne({ _id: 1 }, { $set: { 'staff.$[m].role': 'b', 'staff.$[m].p': ['x'] } }, { arrayFilters: [{ 'm.u': 2 }] });
    expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, staff: [staffMember(1), { u: 2, role: 'b', p: ['x'] }] });
  });

  it('sets two fields of the element the positional $ refers to', async () => {
    const coll = mongo.db.collection<Team>('two_fields_positional');
    await coll.insertOne({ _id: 1, staff: [staffMember(1), staffMember(2), staffMember(3)] });
    const result = await coll.updateOne({ _id: 1, 'staff.u': 2 }, { $set: { 'staff.$.role': 'b', 'staff.$.p': ['x'] } });
    expect(result).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    await coll.updateOne({ staff: { $elemMatch: { u: 3, role: 'a' } } }, { $inc: { 'staff.$.u': 10 }, $push: { 'staff.$.p': 'y' } });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, staff: [staffMember(1), { u: 2, role: 'b', p: ['x'] }, { u: 13, role: 'a', p: ['y'] }] });
  });

  it('refuses a positional $ whose array the filter does not mention', async () => {
    const coll = mongo.db.collection<Team>('positional_without_array');
    await coll.insertOne({ _id: 1, staff: [staffMember(1)] });
    const error = await failure(coll.updateOne({ _id: 1 }, { $set: { 'staff.$.role': 'b' } }));
    expect(error.code).toBe(2);
    expect(error.message).toContain('positional operator did not find the match needed from the query');
  });

  it('refuses paths that overlap with 40 ConflictingUpdateOperators', async () => {
    const coll = mongo.db.collection<Nested>('conflicts');
    await coll.insertOne({ _id: 1, a: { b: 1 }, c: 1 });
    expect((await failure(coll.updateOne({ _id: 1 }, { $set: { a: 1, 'a.b': 2 } }))).code).toBe(40);
    expect((await failure(coll.updateOne({ _id: 1 }, { $set: { 'a.b': 2 }, $inc: { 'a.b': 1 } }))).code).toBe(40);
    expect((await failure(coll.updateOne({ _id: 1 }, { $rename: { c: 'd' }, $set: { d: 2 } }))).code).toBe(40);
    expect((await failure(coll.updateOne({ _id: 1 }, { $set: { 'staff.$[m]': 1, 'staff.$[m].role': 2 } }, { arrayFilters: [{ m: 1 }] }))).code).toBe(40);
  });
});

describe('binary data', () => {
  it('sets binary values whose bytes are not valid UTF-8, top-level and nested', async () => {
    const coll = mongo.db.collection<{ _id: number; b: Binary; n: { b: Binary } }>('binary_set');
    // 0xff and 0xfe are each invalid UTF-8: as text both read as U+FFFD.
    const [first, second] = [new Binary(Buffer.from([0xff, 1])), new Binary(Buffer.from([0xfe, 1]))];
    await coll.insertOne({ _id: 1, b: first, n: { b: first } });
    expect(await coll.updateOne({ _id: 1 }, { $set: { b: second } })).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await coll.updateOne({ _id: 1 }, { $set: { 'n.b': second } })).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    const stored = await coll.findOne({ _id: 1 });
    expect(Buffer.from(stored!.b.buffer)).toEqual(Buffer.from([0xfe, 1]));
    expect(Buffer.from(stored!.n.b.buffer)).toEqual(Buffer.from([0xfe, 1]));
    expect(await coll.updateOne({ _id: 1 }, { $set: { b: new Binary(Buffer.from([0xfe, 1])) } })).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
  });
});

describe('updates that write _id', () => {
  it('lets an upsert insert take its _id from $setOnInsert', async () => {
    const coll = mongo.db.collection<DayEntry>('upsert_id_on_insert');
    const id = new ObjectId();
    const update = () => ({ $set: { n: 1 }, $inc: { version: 1 }, $setOnInsert: { _id: id, createdAt: new Date(0) } });
    const inserted = await coll.findOneAndUpdate({ day: 1 }, update(), { upsert: true, returnDocument: 'after' });
    expect(inserted).toEqual({ _id: id, day: 1, n: 1, version: 1, createdAt: new Date(0) });
    const updated = await coll.findOneAndUpdate({ day: 1 }, update(), { upsert: true, returnDocument: 'after' });
    expect(updated).toEqual({ _id: id, day: 1, n: 1, version: 2, createdAt: new Date(0) });
  });

  it('lets an upsert insert take its _id from $set', async () => {
    const coll = mongo.db.collection<DayEntry>('upsert_id_from_set');
    const result = await coll.updateOne({ day: 1 }, { $set: { _id: 'd1', n: 1 } }, { upsert: true });
    expect(result.upsertedId).toBe('d1');
    expect(await coll.findOne({ day: 1 })).toEqual({ _id: 'd1', day: 1, n: 1 });
  });

  it('accepts $set of _id to its current value and refuses a changing _id with 66 ImmutableField', async () => {
    const coll = mongo.db.collection<Counter>('set_same_id');
    const id = new ObjectId();
    await coll.insertOne({ _id: id, n: 1 });
    expect(await coll.updateOne({ _id: id }, { $set: { _id: new ObjectId(id.toHexString()), n: 2 } })).toMatchObject({ matchedCount: 1, modifiedCount: 1 });
    expect(await coll.updateOne({ _id: id }, { $set: { _id: id } })).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    const error = await failure(coll.updateOne({ _id: id }, { $set: { _id: new ObjectId() } }));
    expect(error.code).toBe(66);
    expect(error.message).toContain("Performing an update on the path '_id' would modify the immutable field '_id'");
    expect((await failure(coll.updateOne({ _id: 7 }, { $set: { _id: 8 } }, { upsert: true }))).code).toBe(66);
    expect(await coll.findOne({ _id: id })).toEqual({ _id: id, n: 2 });
  });
});

describe('numeric types through array operators', () => {
  const raw = { promoteValues: false } as const;

  it('keeps Int32 and Double elements apart through $push, $addToSet, $pull and $pop', async () => {
    const coll = mongo.db.collection<Numbers>('array_types');
    await coll.insertOne({ _id: 1, a: [new Double(1), new Int32(2)] });
    await coll.updateOne({ _id: 1 }, { $push: { a: { $each: [new Double(0), new Int32(3)], $position: 0 } } });
    await coll.updateOne({ _id: 1 }, { $addToSet: { a: { $each: [new Double(4), new Int32(2)] } } });
    await coll.updateOne({ _id: 1 }, { $pull: { a: 1 } });
    await coll.updateOne({ _id: 1 }, { $pop: { a: -1 } });
    const doc = await coll.findOne({ _id: 1 }, raw);
    const a = doc?.['a'] as unknown[];
    expect(a.map((v) => (v instanceof Int32 || v instanceof Double ? [v.constructor.name, v.value] : v))).toEqual([
      ['Int32', 3],
      ['Int32', 2],
      ['Double', 4],
    ]);
  });

  it('applies $each modifiers when $push or $addToSet create the array', async () => {
    const coll = mongo.db.collection<Numbers>('array_create');
    await coll.insertOne({ _id: 1 });
    await coll.updateOne({ _id: 1 }, { $push: { top: { $each: [3, 1, 2], $sort: 1, $slice: 2 } }, $addToSet: { tags: { $each: ['x', 'x', 'y'] } } });
    expect(await coll.findOne({ _id: 1 })).toEqual({ _id: 1, top: [1, 2], tags: ['x', 'y'] });
  });
});

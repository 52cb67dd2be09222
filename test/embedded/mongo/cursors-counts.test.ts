import { describe, expect, it } from 'vitest';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

async function seed(name: string, count: number) {
  const coll = mongo.db.collection<{ _id: number; n: number; g: string }>(name);
  await coll.insertMany(Array.from({ length: count }, (_, i) => ({ _id: i, n: (i * 7) % count, g: i % 2 ? 'odd' : 'even' })));
  return coll;
}

describe('cursors and counts', () => {
  it('find with sort, skip and limit returns exactly limit documents in order', async () => {
    const coll = await seed('sort_skip_limit', 50);
    const docs = await coll.find({}).sort({ n: -1 }).skip(5).limit(7).toArray();
    expect(docs.map((d) => d.n)).toEqual([44, 43, 42, 41, 40, 39, 38]);
    const filtered = await coll.find({ g: 'even' }).sort({ n: 1 }).skip(2).limit(3).toArray();
    expect(filtered).toHaveLength(3);
    expect(filtered.map((d) => d.n)).toEqual([...filtered.map((d) => d.n)].sort((a, b) => a - b));
  });

  it('honours limit together with batchSize across getMore', async () => {
    const coll = await seed('limit_batch', 40);
    const cursor = coll.find({}).sort({ _id: 1 }).limit(10).batchSize(3);
    const seen: number[] = [];
    for await (const doc of cursor) seen.push(doc._id);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // The raw commands: first batch of 3, then getMore batches never go past the limit.
    const first = await mongo.db.command({ find: 'limit_batch', sort: { _id: 1 }, limit: 5, batchSize: 2 });
    expect(first['cursor'].firstBatch).toHaveLength(2);
    const more = await mongo.db.command({ getMore: first['cursor'].id, collection: 'limit_batch', batchSize: 10 });
    expect(more['cursor'].nextBatch.map((d: { _id: number }) => d._id)).toEqual([2, 3, 4]);
    expect(more['cursor'].id.toString()).toBe('0');
    const aggregated = await coll.aggregate([{ $sort: { _id: 1 } }, { $limit: 8 }], { batchSize: 3 }).toArray();
    expect(aggregated).toHaveLength(8);
  });

  it('countDocuments and count apply skip and limit', async () => {
    const coll = await seed('count_skip_limit', 30);
    expect(await coll.countDocuments({}, { skip: 25 })).toBe(5);
    expect(await coll.countDocuments({}, { limit: 4 })).toBe(4);
    expect(await coll.countDocuments({ g: 'odd' }, { skip: 10, limit: 10 })).toBe(5);
    expect((await mongo.db.command({ count: 'count_skip_limit', query: { g: 'even' }, skip: 3, limit: 100 }))['n']).toBe(12);
    expect((await mongo.db.command({ count: 'count_skip_limit', skip: 28, limit: 5 }))['n']).toBe(2);
    expect((await mongo.db.command({ count: 'count_skip_limit', limit: -3 }))['n']).toBe(3);
    expect(await coll.estimatedDocumentCount()).toBe(30);
  });

  it('findOne with sort and skip returns the document at that position', async () => {
    const coll = await seed('find_one_skip', 20);
    const doc = await coll.findOne({}, { sort: { n: 1 }, skip: 3 });
    expect(doc?.n).toBe(3);
    const desc = await coll.findOne({ g: 'odd' }, { sort: { n: -1 }, skip: 1 });
    const odds = (await coll.find({ g: 'odd' }).toArray()).map((d) => d.n).sort((a, b) => b - a);
    expect(desc?.n).toBe(odds[1]);
  });

  it('refuses a negative skip with 51024 as MongoDB does', async () => {
    await expect(mongo.db.command({ find: 'find_one_skip', skip: -1 })).rejects.toMatchObject({ code: 51024 });
    await expect(mongo.db.command({ count: 'find_one_skip', skip: -1 })).rejects.toMatchObject({ code: 51024 });
  });

  it('serves getMore only in the session that opened the cursor', async () => {
    await seed('cursor_session', 10);
    const owner = mongo.client.startSession();
    const other = mongo.client.startSession();
    try {
      const reply = await mongo.db.command({ find: 'cursor_session', batchSize: 2 }, { session: owner });
      const id = reply['cursor'].id;
      await expect(mongo.db.command({ getMore: id, collection: 'cursor_session' }, { session: other })).rejects.toMatchObject({ code: 50738 });
      const more = await mongo.db.command({ getMore: id, collection: 'cursor_session' }, { session: owner });
      expect(more['cursor'].nextBatch).toHaveLength(8);
    } finally {
      await owner.endSession();
      await other.endSession();
    }
  });

  it('closes an exhausted cursor, and a killed cursor is gone', async () => {
    await seed('cursor_life', 5);
    const reply = await mongo.db.command({ find: 'cursor_life', batchSize: 2 });
    const id = reply['cursor'].id;
    const killed = await mongo.db.command({ killCursors: 'cursor_life', cursors: [id] });
    expect(killed['cursorsKilled']).toHaveLength(1);
    await expect(mongo.db.command({ getMore: id, collection: 'cursor_life' })).rejects.toMatchObject({ code: 43, codeName: 'CursorNotFound' });
  });
});

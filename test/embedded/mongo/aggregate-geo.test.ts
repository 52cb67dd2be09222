import { Double, Int32, Long, type Document } from 'mongodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestMongo } from '../../support/stores.js';

const mongo = useTestMongo();

const point = (lng: number, lat: number) => ({ type: 'Point', coordinates: [lng, lat] });
// Istanbul districts, metres apart as the crow flies.
const places = [
  { name: 'taksim', loc: point(28.9869, 41.0369) },
  { name: 'kadikoy', loc: point(29.0264, 40.9903) },
  { name: 'besiktas', loc: point(29.0071, 41.0422) },
  { name: 'ankara', loc: point(32.8597, 39.9334) },
];

describe('aggregation', () => {
  beforeAll(async () => {
    await mongo.db.collection('orders').insertMany([
      { customer: 'a', total: 10, items: ['x', 'y'] },
      { customer: 'a', total: 5, items: ['x'] },
      { customer: 'b', total: 7, items: [] },
    ]);
    await mongo.db.collection('customers').insertMany([{ _id: 'a', city: 'Istanbul' } as Document, { _id: 'b', city: 'Izmir' } as Document]);
  });

  it('groups, sorts, limits and skips', async () => {
    const totals = await mongo.db
      .collection('orders')
      .aggregate([{ $match: { total: { $gt: 0 } } }, { $group: { _id: '$customer', sum: { $sum: '$total' }, n: { $sum: 1 } } }, { $sort: { sum: -1 } }, { $skip: 0 }, { $limit: 5 }])
      .toArray();
    expect(totals).toEqual([{ _id: 'a', sum: 15, n: 2 }, { _id: 'b', sum: 7, n: 1 }]);
  });

  it('projects, adds fields, unwinds and counts', async () => {
    const unwound = await mongo.db
      .collection('orders')
      .aggregate([{ $unwind: '$items' }, { $set: { big: { $gte: ['$total', 10] } } }, { $project: { _id: 0, items: 1, big: 1 } }, { $sort: { items: 1, big: 1 } }])
      .toArray();
    expect(unwound).toEqual([{ items: 'x', big: false }, { items: 'x', big: true }, { items: 'y', big: true }]);
    expect(await mongo.db.collection('orders').aggregate([{ $match: { customer: 'a' } }, { $count: 'n' }]).toArray()).toEqual([{ n: 2 }]);
  });

  it('joins with $lookup and splits with $facet', async () => {
    const joined = await mongo.db
      .collection('orders')
      .aggregate([{ $match: { customer: 'b' } }, { $lookup: { from: 'customers', localField: 'customer', foreignField: '_id', as: 'who' } }, { $project: { _id: 0, city: { $first: '$who.city' } } }])
      .toArray();
    expect(joined).toEqual([{ city: 'Izmir' }]);
    const [facets] = await mongo.db
      .collection('orders')
      .aggregate([{ $facet: { count: [{ $count: 'n' }], max: [{ $group: { _id: null, m: { $max: '$total' } } }] } }])
      .toArray();
    expect(facets).toEqual({ count: [{ n: 3 }], max: [{ _id: null, m: 10 }] });
  });

  it('keeps Int32, Double and Long of documents and sub-documents a pipeline passes through', async () => {
    const coll = mongo.db.collection('agg_types');
    await coll.insertMany([
      { k: new Int32(2), d: new Double(1), l: Long.fromNumber(5), sub: { d: new Double(3), i: new Int32(4) }, tags: [new Double(6), new Int32(7)] },
      { k: new Int32(1), d: new Double(2.5), l: Long.fromNumber(6), sub: { d: new Double(8), i: new Int32(9) }, tags: [] },
    ]);
    const typeOf = (v: unknown) => (v as { _bsontype?: string })?._bsontype;
    const [first] = await coll.aggregate([{ $match: { k: { $gte: 1 } } }, { $sort: { k: -1 } }, { $limit: 1 }], { promoteValues: false }).toArray();
    expect([first?.['k'], first?.['d'], first?.['l']].map(typeOf)).toEqual(['Int32', 'Double', 'Long']);
    expect([first?.['sub'].d, first?.['sub'].i, ...first?.['tags']].map(typeOf)).toEqual(['Double', 'Int32', 'Double', 'Int32']);
    const [projected] = await coll.aggregate([{ $sort: { k: -1 } }, { $project: { _id: 0, sub: 1 } }], { promoteValues: false }).toArray();
    expect([projected?.['sub'].d, projected?.['sub'].i].map(typeOf)).toEqual(['Double', 'Int32']);
  });

  it('serves aggregation results through cursor batches', async () => {
    const coll = mongo.db.collection('agg_batches');
    await coll.insertMany(Array.from({ length: 150 }, (_, i) => ({ i })));
    const reply = await mongo.db.command({ aggregate: 'agg_batches', pipeline: [{ $sort: { i: 1 } }], cursor: { batchSize: 20 } });
    expect(reply['cursor'].firstBatch).toHaveLength(20);
    expect(await coll.aggregate([{ $sort: { i: -1 } }], { batchSize: 30 }).toArray()).toHaveLength(150);
  });
});

describe('geospatial queries on a 2dsphere index', () => {
  beforeAll(async () => {
    const coll = mongo.db.collection('places');
    await coll.createIndex({ loc: '2dsphere' });
    await coll.insertMany(places.map((p) => ({ ...p })));
  });

  it('orders $near results by distance and honours $maxDistance in metres', async () => {
    const near = await mongo.db
      .collection('places')
      .find({ loc: { $near: { $geometry: point(28.99, 41.04), $maxDistance: 10_000 } } })
      .toArray();
    expect(near.map((p) => p['name'])).toEqual(['taksim', 'besiktas', 'kadikoy']);
    const sphere = await mongo.db
      .collection('places')
      .find({ loc: { $nearSphere: { $geometry: point(32.85, 39.93), $minDistance: 1_000_000 } } })
      .toArray();
    expect(sphere).toEqual([]);
  });

  it('computes distances with $geoNear', async () => {
    const results = await mongo.db
      .collection('places')
      .aggregate([{ $geoNear: { near: point(29.0264, 40.9903), distanceField: 'dist', spherical: true, maxDistance: 20_000, query: { name: { $ne: 'besiktas' } } } }, { $project: { _id: 0, name: 1, dist: 1 } }])
      .toArray();
    expect(results.map((r) => r['name'])).toEqual(['kadikoy', 'taksim']);
    expect(results[0]?.['dist']).toBe(0);
    // Kadıköy to Taksim is about 5.8 km.
    expect(results[1]?.['dist']).toBeGreaterThan(5_000);
    expect(results[1]?.['dist']).toBeLessThan(7_000);
  });

  it('finds points inside a $centerSphere and a Polygon', async () => {
    const radians = 15 / 6378.1;
    const within = await mongo.db
      .collection('places')
      .find({ loc: { $geoWithin: { $centerSphere: [[29.0, 41.0], radians] } } }, { sort: { name: 1 } })
      .toArray();
    expect(within.map((p) => p['name'])).toEqual(['besiktas', 'kadikoy', 'taksim']);
    const polygon = await mongo.db
      .collection('places')
      .find({ loc: { $geoWithin: { $geometry: { type: 'Polygon', coordinates: [[[28.9, 41.0], [29.1, 41.0], [29.1, 41.1], [28.9, 41.1], [28.9, 41.0]]] } } } }, { sort: { name: 1 } })
      .toArray();
    expect(polygon.map((p) => p['name'])).toEqual(['besiktas', 'taksim']);
  });

  it('explains $near as a GEO_NEAR_2DSPHERE plan', async () => {
    const explained = (await mongo.db.collection('places').find({ loc: { $near: { $geometry: point(29, 41) } } }).explain('queryPlanner')) as Document;
    expect(JSON.stringify(explained['queryPlanner'].winningPlan)).toContain('GEO_NEAR_2DSPHERE');
  });

  it('names the 2dsphere index a $nearSphere or $geoNear reads by its own name and key pattern', async () => {
    const coll = mongo.db.collection('venues');
    await coll.createIndex({ 'address.location': '2dsphere' }, { name: 'address_location_2dsphere' });
    await coll.insertMany(places.map((p) => ({ name: p.name, address: { location: p.loc } })));
    const expected = { indexName: 'address_location_2dsphere', keyPattern: { 'address.location': '2dsphere' } };
    const find = await coll.find({ 'address.location': { $nearSphere: { $geometry: point(29, 41), $maxDistance: 10_000 } } }).explain('queryPlanner');
    const findStages = planStages(find['queryPlanner'].winningPlan);
    expect(findStages.find((s) => s['stage'] === 'GEO_NEAR_2DSPHERE')).toMatchObject(expected);
    for (const scan of findStages.filter((s) => s['stage'] === 'IXSCAN')) expect(scan).toMatchObject(expected);
    const aggregate = await coll.aggregate([{ $geoNear: { near: point(29, 41), distanceField: 'd', spherical: true } }]).explain('queryPlanner');
    expect(planStages(aggregate).find((s) => s['stage'] === 'GEO_NEAR_2DSPHERE')).toMatchObject(expected);
  });
});

/** Every plan stage anywhere inside an explain output (classic and SBE, find and aggregate). */
function planStages(node: unknown, out: Document[] = []): Document[] {
  if (Array.isArray(node)) for (const child of node) planStages(child, out);
  else if (node !== null && typeof node === 'object') {
    const value = node as Document;
    if (typeof value['stage'] === 'string') out.push(value);
    for (const child of Object.values(value)) planStages(child, out);
  }
  return out;
}

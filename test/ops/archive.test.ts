import { ObjectId, type Document } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../src/core/errors.js';
import { archiveOlderThan } from '../../src/ops/archive/index.js';
import { MONGO_COLLECTIONS } from '../../src/modules/mongo-collections.js';
import { createDocumentCodec } from '../../src/stores/mongo/document-codec.js';
import { buildStored, type EntityCollection } from '../modules/support/factories.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit();
const stores = () => ({ db: t.nexfit.mongo.db, pg: t.nexfit.pg });

const CUTOFF = new Date('2025-01-01T00:00:00.000Z');
const HOUR = 3_600_000;

class SimulatedCrash extends Error {}

/** Valid stored documents (through the collection's codec), dated `hoursFromCutoff` away from the cutoff. */
async function insertDated(collection: 'workout_logs' | 'class_bookings', hoursFromCutoff: readonly number[]): Promise<Document[]> {
  const codec = createDocumentCodec(MONGO_COLLECTIONS[collection].storedSchema);
  const docs = hoursFromCutoff.map((hours, i) => {
    const at = new Date(CUTOFF.getTime() + hours * HOUR);
    const doc = codec.toDocument(buildStored(collection as EntityCollection, i + 1));
    const dated = collection === 'workout_logs' ? { startTime: at, endTime: new Date(at.getTime() + HOUR) } : { date: at };
    return { ...doc, ...dated, _id: new ObjectId() };
  });
  await t.nexfit.mongo.db.collection(collection).insertMany(docs.map((d) => ({ ...d })));
  return docs;
}

async function idsOf(collection: string): Promise<string[]> {
  const docs = await t.nexfit.mongo.db.collection(collection).find({}, { projection: { _id: 1 } }).toArray();
  return docs.map((d) => String(d['_id'])).sort();
}

const sortedIds = (docs: readonly Document[]) => docs.map((d) => String(d['_id'])).sort();
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('archiveOlderThan on MongoDB collections', () => {
  it('moves old workout logs exactly once when stopped by its signal and crashed between copy and delete, then resumed', async () => {
    // 25 older than the cutoff, 5 at or after it (the one exactly at the cutoff stays).
    const old = await insertDated('workout_logs', range(-100, 25));
    const recent = await insertDated('workout_logs', [0, 1, 2, 24, 1_000]);

    const controller = new AbortController();
    const first = await archiveOlderThan(stores(), {
      target: 'workout_logs',
      before: CUTOFF,
      batchSize: 10,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(first).toEqual({ target: 'workout_logs', moved: 10, total: 25, batches: 1, complete: false });

    // The process dies with the second batch copied but still hot.
    const crashed = archiveOlderThan(stores(), {
      target: 'workout_logs',
      before: CUTOFF,
      batchSize: 10,
      faults: { afterCopy: () => { throw new SimulatedCrash('died between copy and delete'); } },
    });
    await expect(crashed).rejects.toThrow('died between copy and delete');
    expect((await idsOf('workout_logs_archive')).length).toBe(20);
    expect((await idsOf('workout_logs')).length).toBe(20);

    const progress: [number, number][] = [];
    const resumed = await archiveOlderThan(stores(), {
      target: 'workout_logs',
      before: CUTOFF,
      batchSize: 10,
      onProgress: (moved, total) => progress.push([moved, total]),
    });
    expect(resumed).toEqual({ target: 'workout_logs', moved: 15, total: 15, batches: 2, complete: true });
    expect(progress).toEqual([[10, 15], [15, 15]]);

    expect(await idsOf('workout_logs')).toEqual(sortedIds(recent));
    expect(await idsOf('workout_logs_archive')).toEqual(sortedIds(old));
    const archived = await t.nexfit.mongo.db.collection('workout_logs_archive').find({}).sort({ _id: 1 }).toArray();
    expect(archived).toEqual([...old].sort((a, b) => String(a['_id']).localeCompare(String(b['_id']))));

    const again = await archiveOlderThan(stores(), { target: 'workout_logs', before: CUTOFF });
    expect(again).toMatchObject({ moved: 0, total: 0, complete: true });
  });

  it('moves old class bookings exactly once after a crash in a later batch', async () => {
    const old = await insertDated('class_bookings', range(-50, 12));
    const recent = await insertDated('class_bookings', [0, 5, 10]);
    let batch = 0;
    const crashOnSecond = {
      afterCopy: () => {
        batch += 1;
        if (batch === 2) throw new SimulatedCrash('died in batch 2');
      },
    };
    await expect(archiveOlderThan(stores(), { target: 'class_bookings', before: CUTOFF, batchSize: 5, faults: crashOnSecond })).rejects.toThrow('died in batch 2');
    expect((await idsOf('class_bookings')).length).toBe(15 - 5);

    const resumed = await archiveOlderThan(stores(), { target: 'class_bookings', before: CUTOFF, batchSize: 5 });
    expect(resumed).toMatchObject({ moved: 7, total: 7, complete: true });
    expect(await idsOf('class_bookings')).toEqual(sortedIds(recent));
    expect(await idsOf('class_bookings_archive')).toEqual(sortedIds(old));
  });

  it('keeps a document updated between copy and delete hot, and moves its new state on the next run', async () => {
    await t.nexfit.mongo.db.collection('class_bookings').deleteMany({});
    await t.nexfit.mongo.db.collection('class_bookings_archive').deleteMany({});
    const [changed, other] = await insertDated('class_bookings', [-10, -9]);
    const hot = t.nexfit.mongo.db.collection('class_bookings');
    const first = await archiveOlderThan(stores(), {
      target: 'class_bookings',
      before: CUTOFF,
      faults: { afterCopy: async () => { await hot.updateOne({ _id: changed!['_id'] }, { $set: { status: 'cancelled', holdsSeat: false }, $inc: { version: 1 } }); } },
    });
    expect(first).toMatchObject({ moved: 1, complete: true });
    expect(await idsOf('class_bookings')).toEqual([String(changed!['_id'])]);
    expect(await idsOf('class_bookings_archive')).toEqual([String(other!['_id'])]);

    await archiveOlderThan(stores(), { target: 'class_bookings', before: CUTOFF });
    const archived = await t.nexfit.mongo.db.collection('class_bookings_archive').findOne({ _id: changed!['_id'] });
    expect(archived).toMatchObject({ status: 'cancelled', version: 2 });
    expect(await idsOf('class_bookings')).toEqual([]);
  });

  it('creates archive collections without a validator, indexed for one user\'s data', async () => {
    const [info] = await t.nexfit.mongo.db.listCollections({ name: 'workout_logs_archive' }).toArray();
    expect((info as { options?: Document } | undefined)?.options?.['validator']).toBeUndefined();
    const names = (await t.nexfit.mongo.db.collection('workout_logs_archive').indexes()).map((i) => i.name).sort();
    expect(names).toEqual(['_id_', 'userId_startTime']);
  });
});

describe('archiveOlderThan on audit_logs', () => {
  async function insertAuditRows(hoursFromCutoff: readonly number[]): Promise<string[]> {
    const rows = await t.nexfit.pg
      .insertInto('audit_logs')
      .values(hoursFromCutoff.map((hours, i) => ({
        entity_type: 'invoice',
        entity_id: `inv-${i}`,
        user_id: '000000000000000000000001',
        action: 'update',
        previous_state: JSON.stringify({ status: 'pending' }),
        new_state: JSON.stringify({ status: 'paid' }),
        ip_address: '10.0.0.1',
        user_agent: 'test',
        created_at: new Date(CUTOFF.getTime() + hours * HOUR),
      })))
      .returning('id')
      .execute();
    return rows.map((r) => r.id).sort();
  }

  const idsIn = async (table: 'audit_logs' | 'audit_logs_archive') =>
    (await t.nexfit.pg.selectFrom(table).select('id').execute()).map((r) => r.id).sort();

  it('moves old rows exactly once when stopped after the first batch and resumed', async () => {
    const old = await insertAuditRows(range(-2_000, 23)); // spread over several monthly partitions
    const recent = await insertAuditRows([0, 3, 700]);
    const before = await t.nexfit.pg.selectFrom('audit_logs').selectAll().where('id', 'in', old).orderBy('id').execute();

    const controller = new AbortController();
    const first = await archiveOlderThan(stores(), {
      target: 'audit_logs',
      before: CUTOFF,
      batchSize: 10,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(first).toEqual({ target: 'audit_logs', moved: 10, total: 23, batches: 1, complete: false });
    expect((await idsIn('audit_logs_archive')).length).toBe(10);

    const resumed = await archiveOlderThan(stores(), { target: 'audit_logs', before: CUTOFF, batchSize: 10 });
    expect(resumed).toEqual({ target: 'audit_logs', moved: 13, total: 13, batches: 2, complete: true });
    expect(await idsIn('audit_logs')).toEqual(recent);
    expect(await idsIn('audit_logs_archive')).toEqual(old);

    const archived = await t.nexfit.pg.selectFrom('audit_logs_archive').selectAll().orderBy('id').execute();
    expect(archived.map(({ archived_at, ...row }) => row)).toEqual(before);
    expect(await archiveOlderThan(stores(), { target: 'audit_logs', before: CUTOFF })).toMatchObject({ moved: 0, complete: true });
  });

  it('refuses a batch size that is not a positive integer', async () => {
    await expect(archiveOlderThan(stores(), { target: 'audit_logs', before: CUTOFF, batchSize: 0 })).rejects.toBeInstanceOf(ConfigurationError);
  });
});

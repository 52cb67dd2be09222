import { ObjectId, type Document } from 'mongodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkInvariants } from '../../simulation/invariants.js';
import { SimulatedPaymentProvider } from '../../simulation/payment-provider.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ clock: '2030-01-07T09:00:00Z' });

const coach = new ObjectId();
const at = (hour: number, minute = 0) => new Date(Date.UTC(2030, 0, 8, hour, minute));

/** A stored PT session of `coach` (unless another is given) with `client`, from `start` to `end`. */
function session(client: ObjectId, start: Date, end: Date, extra: Document = {}): Document {
  return { _id: new ObjectId(), coachId: coach, clientId: client, startTime: start, endTime: end, duration: (end.getTime() - start.getTime()) / 60_000, status: 'scheduled', location: { type: 'facility' }, ...extra };
}

/** The invariants' breaks over the test's stores, nothing else in them. */
async function breaks() {
  return checkInvariants({
    db: t.nexfit.mongo.db,
    pg: t.pg.pool,
    provider: new SimulatedPaymentProvider(1, { declinePerMille: 0, failPerMille: 0, timeoutPerMille: 0 }),
    erased: new Set(),
    now: at(23),
    day: 1,
  });
}

/** Stored without the collection's validator: the check reads the stored documents as they are. */
const insert = (docs: Document[]) => t.nexfit.mongo.db.collection('pt_sessions').insertMany(docs, { bypassDocumentValidation: true });

describe('the agenda invariant of the simulation', () => {
  beforeEach(async () => {
    await t.nexfit.mongo.db.collection('pt_sessions').deleteMany({});
  });

  it('holds for back-to-back sessions and for an overlapping one that was cancelled', async () => {
    await insert([
      session(new ObjectId(), at(10), at(11)),
      session(new ObjectId(), at(11), at(12)),
      session(new ObjectId(), at(10, 30), at(11, 30), { status: 'cancelled', cancelledAt: at(9) }),
    ]);
    expect(await breaks()).toEqual([]);
  });

  it('breaks when a coach has two scheduled sessions that overlap', async () => {
    const first = session(new ObjectId(), at(10), at(11));
    const second = session(new ObjectId(), at(10, 30), at(11, 30));
    await insert([first, second]);
    expect(await breaks()).toEqual([{ day: 1, invariant: 'agenda', detail: `coach ${coach.toHexString()} has overlapping sessions ${String(first['_id'])} and ${String(second['_id'])}` }]);
  });

  it('breaks when a client has two scheduled sessions that overlap, with different coaches, even past a long one', async () => {
    const client = new ObjectId();
    const long = session(client, at(8), at(12));
    const inside = session(client, at(10), at(10, 30), { coachId: new ObjectId() });
    await insert([long, inside, session(client, at(12), at(13))]);
    expect(await breaks()).toEqual([{ day: 1, invariant: 'agenda', detail: `client ${client.toHexString()} has overlapping sessions ${String(long['_id'])} and ${String(inside['_id'])}` }]);
  });
});

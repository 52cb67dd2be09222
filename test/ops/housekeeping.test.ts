import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { FixedClock } from '../support/clock-type.js';
import { useTestNexfit } from '../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-06-15T12:00:00Z' });
const classId = 'aaaaaaaaaaaaaaaaaaaaaaaa';
const subscriptionId = 'bbbbbbbbbbbbbbbbbbbbbbbb';
const userId = 'cccccccccccccccccccccccc';
const facilityId = 'dddddddddddddddddddddddd';

describe('housekeeping', () => {
  it('removes counters, locks and records that expired, and keeps everything that still counts', async () => {
    const { nexfit } = t;
    const clock = t.deps.clock as FixedClock;
    const old = new Date('2026-03-01T10:00:00Z');
    const counters = nexfit.mongo.db.collection<{ _id: string; taken: number; updatedAt: Date }>('class_booking_counters');
    await counters.insertMany([
      { _id: `seats:${classId}:2026-03-01T17:00:00.000Z`, taken: 12, updatedAt: old },
      { _id: `waitlist:${classId}:2026-03-01T17:00:00.000Z`, taken: 2, updatedAt: old },
      // Booked long ago for an occurrence still ahead: its seats still count.
      { _id: `seats:${classId}:2026-09-01T17:00:00.000Z`, taken: 5, updatedAt: old },
      { _id: 'a key nothing wrote', taken: 1, updatedAt: old },
    ]);
    const visits = nexfit.mongo.db.collection<{ _id: string; taken: number; updatedAt: Date }>('membership_visit_counters');
    await visits.insertMany([
      { _id: `visits:${subscriptionId}:2026-W09`, taken: 3, updatedAt: old },
      { _id: `visits:${subscriptionId}:2026-W24`, taken: 1, updatedAt: clock.now() },
    ]);
    const locks = nexfit.mongo.db.collection<{ _id: string; writes: number; updatedAt: Date }>('nexfit_locks');
    await locks.insertMany([
      { _id: `week:${userId}:${facilityId}:2026-W09`, writes: 4, updatedAt: old },
      { _id: `agenda:coach:${userId}`, writes: 9, updatedAt: old },
    ]);
    await sql`INSERT INTO nexfit_idempotency_keys (key, scope, expires_at) VALUES ('expired-key-1', 'test', ${new Date('2026-06-01T00:00:00Z')}), ('live-key-0001', 'test', ${new Date('2026-07-01T00:00:00Z')})`.execute(nexfit.pg);
    await sql`INSERT INTO nexfit_outbox (type, payload, created_at, published_at) VALUES
      ('membership.cancelled', '{}'::jsonb, '2026-03-01', '2026-03-01'), ('membership.cancelled', '{}'::jsonb, '2026-06-15', NULL)`.execute(nexfit.pg);

    const report = await nexfit.housekeeping({ retentionDays: 30 });
    expect(report).toMatchObject({ idempotencyKeys: 1, deliveredEvents: 1, bookingCounters: 2, visitCounters: 1, locks: 1 });
    expect((await counters.find().toArray()).map((d) => d._id).sort()).toEqual([`seats:${classId}:2026-09-01T17:00:00.000Z`, 'a key nothing wrote'].sort());
    expect((await visits.find().toArray()).map((d) => d._id)).toEqual([`visits:${subscriptionId}:2026-W24`]);
    expect((await locks.find().toArray()).map((d) => d._id)).toEqual([`agenda:coach:${userId}`]);
    expect((await nexfit.pg.selectFrom('nexfit_idempotency_keys').select('key').execute()).map((r) => r.key)).toContain('live-key-0001');
    expect(await nexfit.pg.selectFrom('nexfit_outbox').select('id').where('published_at', 'is', null).execute()).toHaveLength(1);

    // Nothing left to remove: a second pass removes nothing.
    expect(Object.values(await nexfit.housekeeping({ retentionDays: 30 })).every((v) => v === 0)).toBe(true);
  });
});

import { ConflictError } from '../../src/core/errors.js';
import type { FacilityId, UserId } from '../../src/core/ids.js';
import { fixedClock } from '../../src/core/clock.js';
import { createInputs, oid } from '../../test/modules/support/factories.js';
import { withSuiteStores } from '../bench-stores.js';
import type { BenchSuite } from './bench-suite.js';

const MEMBERS = 200;
const CAPACITY = 50;
const ROUNDS = 5;
/** Wednesday 2026-03-04 18:00 Istanbul; the clock stands on the Monday before. */
const WED_18 = new Date('2026-03-04T15:00:00Z');
const HOUR = 3_600_000;

/**
 * 200 members book the same occurrence at once through the real workflow
 * (`nexfit.workflows.bookClass`, capacity counter and all), once per round on a new class:
 * bookings per second, and whether exactly the capacity was booked every time.
 */
export const bookingsSuite: BenchSuite = {
  name: 'bookings',
  title: `${MEMBERS} concurrent class bookings (capacity ${CAPACITY})`,
  async run({ report, mongoUri, pgAdminUrl }) {
    await withSuiteStores({ mongoUri, pgAdminUrl }, 'bookings', async ({ nexfit }) => {
      const r = nexfit.repositories;
      const facilityId: FacilityId = (await r.facilities.create(createInputs.facilities({ timezone: 'Europe/Istanbul' }))).id;
      const plan = await r.memberships.create(createInputs.memberships({ facilityId, limitations: { classesIncluded: true } }));
      const members = Array.from({ length: MEMBERS }, (_, i) => oid(10_000 + i) as UserId);
      for (const userId of members) {
        await r.memberSubscriptions.create(createInputs.member_subscriptions({ userId, facilityId, membershipId: plan.id, status: 'active', startDate: '2026-03-01T00:00:00Z', endDate: '2026-04-01T00:00:00Z' }));
      }
      const durations: number[] = [];
      const booked: number[] = [];
      const refusals = new Map<string, number>();
      for (let round = 0; round < ROUNDS; round++) {
        const yoga = await nexfit.classes.createClass(
          createInputs.classes({ facilityId, schedule: { startTime: WED_18, endTime: new Date(WED_18.getTime() + HOUR), recurrence: { frequency: 'daily' } }, location: { room: 'A', capacity: CAPACITY } }),
        );
        const started = performance.now();
        const outcomes = await Promise.all(
          members.map((userId) =>
            nexfit.workflows.bookClass({ classId: yoga.id, userId, occurrenceStart: WED_18 }).then(
              (b) => (b.status === 'booked' ? 'booked' : b.status),
              (e: unknown) => (e instanceof ConflictError ? e.reason : e instanceof Error ? e.name : String(e)),
            ),
          ),
        );
        durations.push(performance.now() - started);
        for (const o of outcomes) if (o !== 'booked') refusals.set(o, (refusals.get(o) ?? 0) + 1);
        const seats = await nexfit.bookings.seatsTaken(yoga.id, WED_18);
        const listed = (await nexfit.bookings.listOccurrenceBookings(yoga.id, WED_18, { limit: MEMBERS })).items.filter((b) => b.status === 'booked').length;
        const ok = outcomes.filter((o) => o === 'booked').length;
        if (ok !== seats || listed !== seats) throw new Error(`round ${round}: ${ok} booked, counter says ${seats}, ${listed} listed`);
        booked.push(seats);
      }
      durations.sort((a, b) => a - b);
      const median = durations[Math.floor(durations.length / 2)]!;
      const exact = booked.every((n) => n === CAPACITY);
      const group = `${MEMBERS} concurrent bookClass, capacity ${CAPACITY} (${nexfit.unitOfWorkMode})`;
      report.add({
        group,
        name: `all ${MEMBERS} attempts settled (median of ${ROUNDS} rounds)`,
        medianMs: median,
        iqrMs: durations[Math.floor(durations.length * 0.75)]! - durations[Math.floor(durations.length * 0.25)]!,
        samples: ROUNDS,
        note: `${Math.round(MEMBERS / (median / 1000))} attempts/s, ${Math.round(CAPACITY / (median / 1000))} bookings/s`,
      });
      report.note(
        `bookings: booked per round ${booked.join(', ')} of capacity ${CAPACITY} — ${exact ? 'exactly the capacity every round' : 'NOT exactly the capacity'}; the other attempts: ${[...refusals].map(([k, v]) => `${k} ${v / ROUNDS}/round`).join(', ')}.`,
      );
      if (!exact) throw new Error(`bookings: expected exactly ${CAPACITY} booked per round, got ${booked.join(', ')}`);
    }, { clock: fixedClock('2026-03-02T09:00:00Z') });
  },
};

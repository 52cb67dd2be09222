import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NexfitError } from '../../../src/core/errors.js';
import type { FacilityId, UserId } from '../../../src/core/ids.js';
import type { CoachAvailabilityInput } from '../../../src/modules/coaching/index.js';
import { createInputs, oid } from '../support/factories.js';
import { useTestNexfit } from '../../support/nexfit.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });

const everyDay = (openTime: string, closeTime: string) => [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day: day as 0, openTime, closeTime, isClosed: false }));
const iso = (slots: readonly { startTime: Date }[]) => slots.map((s) => s.startTime.toISOString());
const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: unknown) => (e instanceof ConflictError ? e.reason : e instanceof NexfitError ? e.code : (e as Error).name));

describe('coach availability and bookable PT slots', () => {
  let n = 7_000;
  const person = () => oid(n++) as UserId;
  /** Berlin, open every day 07:00–21:00 local: 06:00–20:00Z in winter, 05:00–19:00Z in summer. */
  let berlin: FacilityId;
  /** Berlin, open around the clock. */
  let allHours: FacilityId;

  const coaching = () => t.nexfit.coaching;
  const storedAvailabilities = () => t.nexfit.mongo.db.collection('coach_availabilities').countDocuments();
  const storedSessionsOf = async (coachId: UserId) => (await t.nexfit.coaching.listCoachSessions(coachId, {}, { limit: 100 })).items.length;

  /** Mondays 09:00–12:00 and Wednesdays 18:00–22:00, Saturday 28 March 10:00–11:00 extra, Monday 23 March 10:00–11:00 and Wednesday 1 April off. */
  const standardWeek = (coachId: UserId): CoachAvailabilityInput => ({
    coachId,
    facilityId: berlin,
    weekly: [
      { day: 1, start: '09:00', end: '12:00' },
      { day: 3, start: '18:00', end: '22:00' },
    ],
    exceptions: [
      { date: '2026-03-28', kind: 'extra', start: '10:00', end: '11:00' },
      { date: '2026-03-23', kind: 'off', start: '10:00', end: '11:00' },
      { date: '2026-04-01', kind: 'off' },
    ],
  });

  beforeAll(async () => {
    berlin = (await t.nexfit.facilities.create(createInputs.facilities({ timezone: 'Europe/Berlin', operatingHours: everyDay('07:00', '21:00') }))).id;
    allHours = (await t.nexfit.facilities.create(createInputs.facilities({ timezone: 'Europe/Berlin', operatingHours: everyDay('00:00', '00:00') }))).id;
  });

  describe('free slots', () => {
    it('lists slots inside the weekly windows and extra hours, minus time off, opening hours and booked sessions, across the DST change', async () => {
      const coachId = person();
      await coaching().setAvailability(standardWeek(coachId));
      // Booked beforehand: Monday 30 March 10:00–11:00 CEST.
      await coaching().bookSlot({ coachId, clientId: person(), facilityId: berlin, startTime: '2026-03-30T08:00:00Z', duration: 60 });

      const slots = await coaching().findFreeSlots(coachId, { from: '2026-03-23T00:00:00Z', to: '2026-04-02T00:00:00Z', duration: 60 });
      expect(iso(slots)).toEqual([
        // Mon 23 March (CET, UTC+1): 09:00–12:00 = 08:00–11:00Z, 10:00–11:00 off = 09:00–10:00Z.
        '2026-03-23T08:00:00.000Z',
        '2026-03-23T10:00:00.000Z',
        // Wed 25 March: 18:00–22:00 = 17:00–21:00Z, but the facility closes at 21:00 = 20:00Z.
        '2026-03-25T17:00:00.000Z',
        '2026-03-25T18:00:00.000Z',
        '2026-03-25T19:00:00.000Z',
        // Sat 28 March: extra 10:00–11:00 = 09:00–10:00Z.
        '2026-03-28T09:00:00.000Z',
        // Mon 30 March (CEST, UTC+2): 09:00–12:00 = 07:00–10:00Z, 08:00–09:00Z booked.
        '2026-03-30T07:00:00.000Z',
        '2026-03-30T09:00:00.000Z',
        // Wed 1 April: a day off.
      ]);
      expect(slots.every((s) => s.facilityId === berlin && s.endTime.getTime() - s.startTime.getTime() === 3_600_000)).toBe(true);
    });

    it('cuts each free stretch every step minutes, never past its end', async () => {
      const coachId = person();
      await coaching().setAvailability(standardWeek(coachId));
      const slots = await coaching().findFreeSlots(coachId, { from: '2026-03-23T00:00:00Z', to: '2026-03-24T00:00:00Z', duration: 45, step: 15 });
      // Free 08:00–09:00Z and 10:00–11:00Z: 45-minute slots at :00 and :15 in each.
      expect(iso(slots)).toEqual(['2026-03-23T08:00:00.000Z', '2026-03-23T08:15:00.000Z', '2026-03-23T10:00:00.000Z', '2026-03-23T10:15:00.000Z']);
    });

    it('reads wall-clock windows on the spring-forward night as the real time they last', async () => {
      const coachId = person();
      // Sunday 29 March 2026, Berlin: 02:00 CET jumps to 03:00 CEST. 01:00 CET = 00:00Z, 04:00 CEST = 02:00Z.
      await coaching().setAvailability({ coachId, facilityId: allHours, weekly: [{ day: 0, start: '01:00', end: '04:00' }] });
      const slots = await coaching().findFreeSlots(coachId, { from: '2026-03-29T00:00:00Z', to: '2026-03-30T00:00:00Z', duration: 60 });
      expect(iso(slots)).toEqual(['2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z']);
    });

    it('offers no slot that has already begun', async () => {
      const coachId = person();
      // The clock is Monday 2 March 09:00Z = 10:00 CET; the window is 09:00–12:00 CET = 08:00–11:00Z.
      await coaching().setAvailability(standardWeek(coachId));
      const slots = await coaching().findFreeSlots(coachId, { from: '2026-03-02T00:00:00Z', to: '2026-03-03T00:00:00Z', duration: 60 });
      expect(iso(slots)).toEqual(['2026-03-02T09:00:00.000Z', '2026-03-02T10:00:00.000Z']);
    });

    it('lists slots of every facility where the coach is available, or of one', async () => {
      const coachId = person();
      await coaching().setAvailability(standardWeek(coachId));
      await coaching().setAvailability({ coachId, facilityId: allHours, weekly: [{ day: 2, start: '06:00', end: '07:00' }] });
      const range = { from: '2026-03-23T00:00:00Z', to: '2026-03-25T00:00:00Z', duration: 60 };
      const all = await coaching().findFreeSlots(coachId, range);
      // Tue 24 March 06:00 CET = 05:00Z at the all-hours facility.
      expect(all.map((s) => [s.startTime.toISOString(), s.facilityId])).toEqual([
        ['2026-03-23T08:00:00.000Z', berlin],
        ['2026-03-23T10:00:00.000Z', berlin],
        ['2026-03-24T05:00:00.000Z', allHours],
      ]);
      expect(iso(await coaching().findFreeSlots(coachId, { ...range, facilityId: allHours }))).toEqual(['2026-03-24T05:00:00.000Z']);
      expect((await coaching().listCoachAvailability(coachId)).map((a) => a.facilityId)).toEqual([berlin, allHours]);
    });

    it('replaces the availability at a facility when it is set again', async () => {
      const coachId = person();
      await coaching().setAvailability(standardWeek(coachId));
      const replaced = await coaching().setAvailability({ coachId, facilityId: berlin, weekly: [{ day: 4, start: '07:00', end: '08:00' }] });
      expect(replaced).toMatchObject({ weekly: [{ day: 4, start: '07:00', end: '08:00' }], exceptions: [], version: 2 });
      expect(await coaching().listCoachAvailability(coachId)).toHaveLength(1);
    });
  });

  describe('bad input: VALIDATION_FAILED and nothing written', () => {
    const refusals: [string, (coachId: UserId) => CoachAvailabilityInput][] = [
      ['a window ending before it starts', (coachId) => ({ coachId, facilityId: berlin, weekly: [{ day: 1, start: '12:00', end: '09:00' }] })],
      ['overlapping windows of one day', (coachId) => ({ coachId, facilityId: berlin, weekly: [{ day: 1, start: '09:00', end: '12:00' }, { day: 1, start: '11:00', end: '13:00' }] })],
      ['overlapping extra hours of one date', (coachId) => ({ coachId, facilityId: berlin, weekly: [], exceptions: [{ date: '2026-03-28', kind: 'extra', start: '10:00', end: '12:00' }, { date: '2026-03-28', kind: 'extra', start: '11:30', end: '13:00' }] })],
      ['an exception dated in another format', (coachId) => ({ coachId, facilityId: berlin, weekly: [], exceptions: [{ date: '28/03/2026', kind: 'off' }] })],
      ['an exception date that does not exist', (coachId) => ({ coachId, facilityId: berlin, weekly: [], exceptions: [{ date: '2026-02-30', kind: 'off' }] })],
      ['an exception of an unknown kind', (coachId) => ({ coachId, facilityId: berlin, weekly: [], exceptions: [{ date: '2026-03-28', kind: 'holiday' as 'off' }] })],
      ['extra hours without times', (coachId) => ({ coachId, facilityId: berlin, weekly: [], exceptions: [{ date: '2026-03-28', kind: 'extra' }] })],
      ['a time of day out of range', (coachId) => ({ coachId, facilityId: berlin, weekly: [{ day: 1, start: '09:00', end: '25:00' }] })],
    ];

    it.each(refusals)('refuses %s', async (_case, input) => {
      const coachId = person();
      await coaching().setAvailability(standardWeek(coachId));
      const before = await coaching().listCoachAvailability(coachId);
      const count = await storedAvailabilities();
      await expect(coaching().setAvailability(input(coachId))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await coaching().listCoachAvailability(coachId)).toEqual(before);
      expect(await storedAvailabilities()).toBe(count);
    });

    it('refuses a duration that fits no window of the availability, or is not a whole number of minutes from 5 to 480', async () => {
      const coachId = person();
      await coaching().setAvailability(standardWeek(coachId));
      const range = { from: '2026-03-23T00:00:00Z', to: '2026-03-30T00:00:00Z' };
      // The longest window is Wednesday's 18:00–22:00: four hours.
      expect(await outcome(coaching().findFreeSlots(coachId, { ...range, duration: 241 }))).toBe('VALIDATION_FAILED');
      expect(await outcome(coaching().findFreeSlots(coachId, { ...range, duration: 240 }))).toBe('ok');
      for (const duration of [0, 4, 7.5, 481, -60]) expect(await outcome(coaching().findFreeSlots(coachId, { ...range, duration }))).toBe('VALIDATION_FAILED');
      expect(await outcome(coaching().findFreeSlots(coachId, { from: range.to, to: range.from, duration: 60 }))).toBe('VALIDATION_FAILED');
      expect(await outcome(coaching().findFreeSlots(coachId, { from: '2026-03-01T00:00:00Z', to: '2026-04-02T00:00:00Z', duration: 60 }))).toBe('VALIDATION_FAILED');
    });

    it('refuses a booking of a bad duration, writing no session', async () => {
      const coachId = person();
      await coaching().setAvailability(standardWeek(coachId));
      for (const duration of [0, 2.5, 481]) {
        expect(await outcome(coaching().bookSlot({ coachId, clientId: person(), facilityId: berlin, startTime: '2026-03-23T08:00:00Z', duration }))).toBe('VALIDATION_FAILED');
      }
      expect(await storedSessionsOf(coachId)).toBe(0);
    });

    it('refuses an unknown facility', async () => {
      const count = await storedAvailabilities();
      await expect(coaching().setAvailability({ coachId: person(), facilityId: oid(999_999) as FacilityId, weekly: [] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await storedAvailabilities()).toBe(count);
    });
  });

  describe('booking a slot', () => {
    it('schedules a PT session at the facility for the slot', async () => {
      const [coachId, clientId] = [person(), person()];
      await coaching().setAvailability(standardWeek(coachId));
      const session = await coaching().bookSlot({ coachId, clientId, facilityId: berlin, startTime: '2026-03-25T17:30:00Z', duration: 90, notes: 'ilk seans' });
      expect(session).toMatchObject({
        coachId,
        clientId,
        facilityId: berlin,
        status: 'scheduled',
        duration: 90,
        location: { type: 'facility' },
        notes: { pre: 'ilk seans' },
        startTime: new Date('2026-03-25T17:30:00Z'),
        endTime: new Date('2026-03-25T19:00:00Z'),
      });
      const slots = await coaching().findFreeSlots(coachId, { from: '2026-03-25T00:00:00Z', to: '2026-03-26T00:00:00Z', duration: 30 });
      // 17:00–20:00Z free but for 17:30–19:00Z.
      expect(iso(slots)).toEqual(['2026-03-25T17:00:00.000Z', '2026-03-25T19:00:00.000Z', '2026-03-25T19:30:00.000Z']);
    });

    it('refuses a slot outside the availability, in time off, past closing time or already begun, writing nothing', async () => {
      const coachId = person();
      await coaching().setAvailability(standardWeek(coachId));
      const at = (startTime: string, duration = 60) => outcome(coaching().bookSlot({ coachId, clientId: person(), facilityId: berlin, startTime, duration }));
      expect(await at('2026-03-24T08:00:00Z')).toBe('slot_unavailable'); // Tuesday: no window
      expect(await at('2026-03-23T10:30:00Z')).toBe('slot_unavailable'); // ends after the 12:00 CET window (11:00Z)
      expect(await at('2026-03-23T09:00:00Z')).toBe('slot_unavailable'); // 10:00–11:00 CET is off
      expect(await at('2026-04-01T17:00:00Z')).toBe('slot_unavailable'); // a day off
      expect(await at('2026-03-25T19:30:00Z')).toBe('facility_closed'); // 20:30–21:30 CET; closes at 21:00
      expect(await at('2026-03-02T08:00:00Z')).toBe('slot_unavailable'); // began before now (09:00Z)
      expect(await at('2026-03-23T08:00:00Z', 60)).toBe('ok');
      expect(await storedSessionsOf(coachId)).toBe(1);
    });

    it('refuses a coach booking their own slot', async () => {
      const coachId = person();
      await coaching().setAvailability(standardWeek(coachId));
      expect(await outcome(coaching().bookSlot({ coachId, clientId: coachId, facilityId: berlin, startTime: '2026-03-23T08:00:00Z', duration: 60 }))).toBe('self_coaching');
      expect(await storedSessionsOf(coachId)).toBe(0);
    });

    it('gives a slot to exactly one of 20 clients booking it at once', async () => {
      const coachId = person();
      await coaching().setAvailability(standardWeek(coachId));
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => outcome(coaching().bookSlot({ coachId, clientId: person(), facilityId: berlin, startTime: '2026-03-30T07:00:00Z', duration: 60 }))),
      );
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'session_overlap')).toHaveLength(19);
      expect(await storedSessionsOf(coachId)).toBe(1);
    });

    it('gives one of 20 racing overlapping slots, whichever wins', async () => {
      const coachId = person();
      await coaching().setAvailability(standardWeek(coachId));
      // Ten clients want 07:00–08:00Z, ten 07:30–08:30Z: every pair overlaps.
      const starts = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? '2026-03-30T07:00:00Z' : '2026-03-30T07:30:00Z'));
      const outcomes = await Promise.all(starts.map((startTime) => outcome(coaching().bookSlot({ coachId, clientId: person(), facilityId: berlin, startTime, duration: 60 }))));
      expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'session_overlap')).toHaveLength(19);
      expect(await storedSessionsOf(coachId)).toBe(1);
    });
  });

  describe('as personal data', () => {
    it("is in the coach's export and deleted with the coach", async () => {
      const coach = await t.nexfit.users.register({ email: `koc.${n++}@example.com`, password: 'correct horse battery', firstName: 'Koç', lastName: 'Demir', role: ['coach'] });
      const availability = await coaching().setAvailability(standardWeek(coach.id));
      const exported = await t.nexfit.privacy.exportUserData(coach.id);
      expect(exported.coaching.availability.map((a) => a['id'])).toEqual([availability.id]);
      const report = await t.nexfit.privacy.eraseUser(coach.id, { reason: 'KVKK talebi' });
      expect(report.deleted).toMatchObject({ coachAvailabilities: 1 });
      expect(await coaching().listCoachAvailability(coach.id)).toEqual([]);
      expect(await coaching().findFreeSlots(coach.id, { from: '2026-03-23T00:00:00Z', to: '2026-03-30T00:00:00Z', duration: 60 })).toEqual([]);
    });
  });
});

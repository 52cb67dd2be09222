import { describe, expect, it } from 'vitest';
import type { ClassSchedule, Recurrence } from '../../../src/modules/classes/class.schema.js';
import { expandOccurrences, isOccurrenceStart } from '../../../src/modules/classes/recurrence.js';

const HOUR = 3_600_000;

/** A one-hour schedule whose first occurrence starts at `start` (an instant), repeating by `recurrence`. */
function schedule(start: string, recurrence: Partial<Recurrence> = {}): ClassSchedule {
  const startTime = new Date(start);
  return {
    startTime,
    endTime: new Date(startTime.getTime() + HOUR),
    recurrence: { frequency: 'weekly', interval: 1, weekdays: [], ...recurrence },
  };
}

const starts = (s: ClassSchedule, zone: string, from: string, to: string) =>
  expandOccurrences(s, zone, new Date(from), new Date(to)).map((o) => o.start.toISOString());

/** Local wall-clock time of an instant in a zone, e.g. '18:00'. */
const localTime = (d: Date, zone: string) => d.toLocaleTimeString('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit' });

describe('expandOccurrences', () => {
  describe('wall-clock time across DST (Europe/Berlin)', () => {
    const BERLIN = 'Europe/Berlin';
    // Monday 2026-03-23 18:00 CET (+01:00); clocks go forward on Sunday 2026-03-29.
    const weeklyMonday18 = schedule('2026-03-23T17:00:00Z', { frequency: 'weekly', weekdays: [1] });

    it('keeps a weekly 18:00 class at 18:00 local after the March change (its UTC instant moves an hour)', () => {
      expect(starts(weeklyMonday18, BERLIN, '2026-03-20T00:00:00Z', '2026-04-07T00:00:00Z')).toEqual([
        '2026-03-23T17:00:00.000Z',
        '2026-03-30T16:00:00.000Z',
        '2026-04-06T16:00:00.000Z',
      ]);
    });

    it('keeps it at 18:00 local after the October change', () => {
      const occurrences = expandOccurrences(weeklyMonday18, BERLIN, new Date('2026-10-19T00:00:00Z'), new Date('2026-11-03T00:00:00Z'));
      expect(occurrences.map((o) => o.start.toISOString())).toEqual(['2026-10-19T16:00:00.000Z', '2026-10-26T17:00:00.000Z', '2026-11-02T17:00:00.000Z']);
      expect(occurrences.map((o) => localTime(o.start, BERLIN))).toEqual(['18:00', '18:00', '18:00']);
    });

    it('keeps every occurrence as long as the first (elapsed time)', () => {
      for (const o of expandOccurrences(weeklyMonday18, BERLIN, new Date('2026-03-20T00:00:00Z'), new Date('2026-11-03T00:00:00Z'))) {
        expect(o.end.getTime() - o.start.getTime()).toBe(HOUR);
      }
    });

    it("moves a local time in the spring gap forward by the gap ('compatible'): 02:30 becomes 03:30 CEST", () => {
      // Daily at 02:30 local, from Saturday 2026-03-28 (02:30 CET = 01:30Z).
      const daily0230 = schedule('2026-03-28T01:30:00Z', { frequency: 'daily' });
      expect(starts(daily0230, BERLIN, '2026-03-28T00:00:00Z', '2026-03-31T00:00:00Z')).toEqual([
        '2026-03-28T01:30:00.000Z', // 02:30 CET
        '2026-03-29T01:30:00.000Z', // 02:30 does not exist: 03:30 CEST
        '2026-03-30T00:30:00.000Z', // 02:30 CEST
      ]);
    });

    it("takes the earlier instant of a time that exists twice in the autumn fold ('compatible')", () => {
      const daily0230 = schedule('2026-10-24T00:30:00Z', { frequency: 'daily' }); // 02:30 CEST
      expect(starts(daily0230, BERLIN, '2026-10-25T00:00:00Z', '2026-10-25T23:00:00Z')).toEqual(['2026-10-25T00:30:00.000Z']); // 02:30 CEST, not CET
    });
  });

  describe('frequencies and intervals', () => {
    const IST = 'Europe/Istanbul'; // +03:00, no DST

    it('gives a one-off class exactly once', () => {
      const once = schedule('2026-03-02T06:00:00Z', { frequency: 'once' });
      expect(starts(once, IST, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual(['2026-03-02T06:00:00.000Z']);
    });

    it('repeats every other day with interval 2', () => {
      const s = schedule('2026-03-02T06:00:00Z', { frequency: 'daily', interval: 2 });
      expect(starts(s, IST, '2026-03-02T00:00:00Z', '2026-03-09T00:00:00Z')).toEqual([
        '2026-03-02T06:00:00.000Z',
        '2026-03-04T06:00:00.000Z',
        '2026-03-06T06:00:00.000Z',
        '2026-03-08T06:00:00.000Z',
      ]);
    });

    it('repeats on the chosen weekdays (0 = Sunday) every second week', () => {
      // Monday 2026-03-02 09:00 local; Mondays and Wednesdays, every 2 weeks.
      const s = schedule('2026-03-02T06:00:00Z', { frequency: 'weekly', interval: 2, weekdays: [3, 1] });
      expect(starts(s, IST, '2026-03-01T00:00:00Z', '2026-03-23T00:00:00Z')).toEqual([
        '2026-03-02T06:00:00.000Z',
        '2026-03-04T06:00:00.000Z',
        '2026-03-16T06:00:00.000Z',
        '2026-03-18T06:00:00.000Z',
      ]);
    });

    it('counts a Sunday weekday (0) as the end of the ISO week', () => {
      const s = schedule('2026-03-02T06:00:00Z', { frequency: 'weekly', interval: 2, weekdays: [1, 0] });
      expect(starts(s, IST, '2026-03-01T00:00:00Z', '2026-03-17T00:00:00Z')).toEqual(['2026-03-02T06:00:00.000Z', '2026-03-08T06:00:00.000Z', '2026-03-16T06:00:00.000Z']);
    });

    it('uses the first weekday when a weekly rule names none', () => {
      const s = schedule('2026-03-04T06:00:00Z', { frequency: 'weekly' }); // a Wednesday
      expect(starts(s, IST, '2026-03-01T00:00:00Z', '2026-03-19T00:00:00Z')).toEqual(['2026-03-04T06:00:00.000Z', '2026-03-11T06:00:00.000Z', '2026-03-18T06:00:00.000Z']);
    });

    it('never yields a weekday before the first occurrence in its own week', () => {
      const s = schedule('2026-03-04T06:00:00Z', { frequency: 'weekly', weekdays: [1, 3] }); // first: Wednesday
      expect(starts(s, IST, '2026-03-01T00:00:00Z', '2026-03-10T00:00:00Z')).toEqual(['2026-03-04T06:00:00.000Z', '2026-03-09T06:00:00.000Z']);
    });

    it('skips months without the 31st (no clamping to the 30th)', () => {
      const s = schedule('2026-01-31T07:00:00Z', { frequency: 'monthly' });
      expect(starts(s, IST, '2026-01-01T00:00:00Z', '2026-09-01T00:00:00Z')).toEqual([
        '2026-01-31T07:00:00.000Z',
        '2026-03-31T07:00:00.000Z',
        '2026-05-31T07:00:00.000Z',
        '2026-07-31T07:00:00.000Z',
        '2026-08-31T07:00:00.000Z',
      ]);
    });

    it('repeats every third month with interval 3', () => {
      const s = schedule('2026-01-15T07:00:00Z', { frequency: 'monthly', interval: 3 });
      expect(starts(s, IST, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual([
        '2026-01-15T07:00:00.000Z',
        '2026-04-15T07:00:00.000Z',
        '2026-07-15T07:00:00.000Z',
        '2026-10-15T07:00:00.000Z',
      ]);
    });
  });

  describe('ends and windows', () => {
    const IST = 'Europe/Istanbul';
    const daily = (r: Partial<Recurrence> = {}) => schedule('2026-03-02T06:00:00Z', { frequency: 'daily', ...r });

    it('stops after maxOccurrences, counting those before the window', () => {
      expect(starts(daily({ maxOccurrences: 5 }), IST, '2026-03-05T00:00:00Z', '2026-04-01T00:00:00Z')).toEqual(['2026-03-05T06:00:00.000Z', '2026-03-06T06:00:00.000Z']);
    });

    it('does not count skipped months towards maxOccurrences', () => {
      const s = schedule('2026-01-31T07:00:00Z', { frequency: 'monthly', maxOccurrences: 3 });
      expect(starts(s, IST, '2026-01-01T00:00:00Z', '2027-01-01T00:00:00Z')).toEqual(['2026-01-31T07:00:00.000Z', '2026-03-31T07:00:00.000Z', '2026-05-31T07:00:00.000Z']);
    });

    it('includes an occurrence starting exactly at endsOnDate, and none after', () => {
      expect(starts(daily({ endsOnDate: new Date('2026-03-04T06:00:00Z') }), IST, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z')).toEqual([
        '2026-03-02T06:00:00.000Z',
        '2026-03-03T06:00:00.000Z',
        '2026-03-04T06:00:00.000Z',
      ]);
      expect(starts(daily({ endsOnDate: new Date('2026-03-04T05:59:59Z') }), IST, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z')).toHaveLength(2);
    });

    it('stops at whichever of endsOnDate and maxOccurrences comes first', () => {
      expect(starts(daily({ maxOccurrences: 2, endsOnDate: new Date('2026-03-10T00:00:00Z') }), IST, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z')).toHaveLength(2);
    });

    it('treats the window as [from, to): a start at `to` is left out, a start at `from` kept', () => {
      expect(starts(daily(), IST, '2026-03-03T06:00:00Z', '2026-03-05T06:00:00Z')).toEqual(['2026-03-03T06:00:00.000Z', '2026-03-04T06:00:00.000Z']);
    });

    it('returns nothing for an empty or inverted window, or one before the first occurrence', () => {
      expect(starts(daily(), IST, '2026-03-05T00:00:00Z', '2026-03-05T00:00:00Z')).toEqual([]);
      expect(starts(daily(), IST, '2026-03-06T00:00:00Z', '2026-03-05T00:00:00Z')).toEqual([]);
      expect(starts(daily(), IST, '2026-01-01T00:00:00Z', '2026-03-02T06:00:00Z')).toEqual([]);
    });

    it('finds the occurrences of a window years after the first one without a count limit', () => {
      const s = schedule('2020-01-06T06:00:00Z', { frequency: 'weekly', weekdays: [1, 4] });
      expect(starts(s, IST, '2026-03-02T00:00:00Z', '2026-03-09T00:00:00Z')).toEqual(['2026-03-02T06:00:00.000Z', '2026-03-05T06:00:00.000Z']);
    });
  });
});

describe('isOccurrenceStart', () => {
  const s = schedule('2026-03-02T06:00:00Z', { frequency: 'weekly', weekdays: [1, 3], maxOccurrences: 4 });

  it('accepts the start of a real occurrence', () => {
    expect(isOccurrenceStart(s, 'Europe/Istanbul', new Date('2026-03-11T06:00:00Z'))).toBe(true);
  });

  it('refuses an instant off the rule, off by a minute, or past maxOccurrences', () => {
    expect(isOccurrenceStart(s, 'Europe/Istanbul', new Date('2026-03-03T06:00:00Z'))).toBe(false);
    expect(isOccurrenceStart(s, 'Europe/Istanbul', new Date('2026-03-04T06:01:00Z'))).toBe(false);
    expect(isOccurrenceStart(s, 'Europe/Istanbul', new Date('2026-03-16T06:00:00Z'))).toBe(false);
  });
});

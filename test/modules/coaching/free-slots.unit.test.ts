import { describe, expect, it } from 'vitest';
import { availabilityWindows, cutSlots, intersectIntervals, longestWindowMinutes, mergeIntervals, subtractIntervals } from '../../../src/modules/coaching/free-slots.js';

const at = (iso: string) => Date.parse(iso);
const span = (start: string, end: string) => ({ start: at(start), end: at(end) });
const shown = (intervals: readonly { start: number; end: number }[]) => intervals.map((i) => [new Date(i.start).toISOString(), new Date(i.end).toISOString()]);

describe('free slot arithmetic', () => {
  it('merges touching and overlapping intervals, dropping empty ones', () => {
    expect(mergeIntervals([{ start: 30, end: 40 }, { start: 0, end: 10 }, { start: 10, end: 20 }, { start: 35, end: 50 }, { start: 60, end: 60 }])).toEqual([
      { start: 0, end: 20 },
      { start: 30, end: 50 },
    ]);
  });

  it('subtracts taken time from windows, back-to-back included', () => {
    expect(subtractIntervals([{ start: 0, end: 100 }], [{ start: 10, end: 20 }, { start: 20, end: 30 }, { start: 90, end: 120 }])).toEqual([
      { start: 0, end: 10 },
      { start: 30, end: 90 },
    ]);
    expect(subtractIntervals([{ start: 0, end: 10 }], [{ start: -5, end: 15 }])).toEqual([]);
  });

  it('intersects windows with openings', () => {
    expect(intersectIntervals([{ start: 0, end: 50 }, { start: 60, end: 100 }], [{ start: 40, end: 70 }])).toEqual([
      { start: 40, end: 50 },
      { start: 60, end: 70 },
    ]);
  });

  it('cuts slots every step, none reaching past its stretch', () => {
    expect(cutSlots([{ start: 0, end: 100 }], 45, 30)).toEqual([
      { start: 0, end: 45 },
      { start: 30, end: 75 },
    ]);
    expect(cutSlots([{ start: 0, end: 40 }], 45, 45)).toEqual([]);
  });

  it('measures the longest window in wall-clock minutes, extra hours included', () => {
    expect(longestWindowMinutes({ weekly: [{ day: 1, start: '09:00', end: '12:00' }], exceptions: [{ date: '2026-03-28', kind: 'extra', start: '06:00', end: '24:00' }] })).toBe(18 * 60);
    expect(longestWindowMinutes({ weekly: [], exceptions: [{ date: '2026-03-28', kind: 'off' }] })).toBe(0);
  });

  it('reads windows in the zone: Istanbul has no DST, New York falls back on 1 November 2026', () => {
    // Istanbul is UTC+3 all year: Sunday 09:00–10:00 = 06:00–07:00Z.
    expect(shown(availabilityWindows({ weekly: [{ day: 0, start: '09:00', end: '10:00' }], exceptions: [] }, 'Europe/Istanbul', new Date(at('2026-11-01T00:00:00Z')), new Date(at('2026-11-02T00:00:00Z'))))).toEqual([
      ['2026-11-01T06:00:00.000Z', '2026-11-01T07:00:00.000Z'],
    ]);
    // New York, Sunday 1 November 2026, clocks fall back at 02:00: 00:00 EDT = 04:00Z, 02:00 EST = 07:00Z, so 00:00–02:00 lasts three real hours.
    expect(shown(availabilityWindows({ weekly: [{ day: 0, start: '00:00', end: '02:00' }], exceptions: [] }, 'America/New_York', new Date(at('2026-11-01T00:00:00Z')), new Date(at('2026-11-02T00:00:00Z'))))).toEqual([
      ['2026-11-01T04:00:00.000Z', '2026-11-01T07:00:00.000Z'],
    ]);
  });

  it('lets time off win over weekly and extra hours, and a midnight end reach the next day', () => {
    const windows = availabilityWindows(
      {
        weekly: [{ day: 2, start: '20:00', end: '24:00' }],
        exceptions: [
          { date: '2026-03-24', kind: 'off', start: '21:00', end: '22:00' },
          { date: '2026-03-25', kind: 'extra', start: '00:00', end: '01:00' },
        ],
      },
      'Europe/Istanbul',
      new Date(at('2026-03-24T00:00:00Z')),
      new Date(at('2026-03-26T00:00:00Z')),
    );
    // Tuesday 24 March 20:00–24:00 +03 = 17:00–21:00Z, minus 18:00–19:00Z; the extra hour Wednesday 00:00–01:00 joins it.
    expect(shown(windows)).toEqual([
      ['2026-03-24T17:00:00.000Z', '2026-03-24T18:00:00.000Z'],
      ['2026-03-24T19:00:00.000Z', '2026-03-24T22:00:00.000Z'],
    ]);
  });
});

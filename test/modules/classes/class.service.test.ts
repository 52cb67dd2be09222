import { beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../../src/core/errors.js';
import type { ClassId, FacilityId } from '../../../src/core/ids.js';
import { createClassesModule, type ClassService, type CreateClassInput, type FitnessClass } from '../../../src/modules/classes/index.js';
import { useTestNexfit } from '../../support/nexfit.js';
import { createInputs, oid } from '../support/factories.js';

const t = useTestNexfit({ clock: '2026-03-02T09:00:00Z' });
const IST = 'Europe/Istanbul';
const HOUR = 3_600_000;

/** A one-hour class at `facilityId` first starting at `start`, repeating by `recurrence`. */
function classInput(facilityId: FacilityId, start: string, recurrence: NonNullable<CreateClassInput['schedule']>['recurrence'] = { frequency: 'once' }): CreateClassInput {
  const startTime = new Date(start);
  return createInputs.classes({ facilityId, schedule: { startTime, endTime: new Date(startTime.getTime() + HOUR), recurrence } });
}

describe('ClassService', () => {
  let classes: ClassService;

  beforeAll(() => {
    classes = createClassesModule(t.nexfit.mongo.db, t.nexfit.pg, t.deps).classService;
  });

  describe('createClass and getClass', () => {
    it('creates a class with recurrence defaults and reads it back', async () => {
      const created = await classes.createClass(classInput(oid(100) as FacilityId, '2026-03-02T06:00:00Z', { frequency: 'weekly', weekdays: [1] }));
      expect(created.schedule.recurrence).toEqual({ frequency: 'weekly', interval: 1, weekdays: [1] });
      expect(created.isActive).toBe(true);
      expect(await classes.getClass(created.id)).toEqual(created);
    });

    it('refuses a schedule that ends before it starts, writing nothing', async () => {
      const input = createInputs.classes({ facilityId: oid(101), schedule: { startTime: '2026-03-02T07:00:00Z', endTime: '2026-03-02T06:00:00Z' } });
      await expect(classes.createClass(input)).rejects.toBeInstanceOf(ValidationError);
      expect(await classes.listFacilityClasses(oid(101) as FacilityId)).toEqual({ items: [], nextCursor: null });
    });

    it('refuses a hostile id and a missing class', async () => {
      await expect(classes.getClass({ $gt: '' } as unknown as ClassId)).rejects.toBeInstanceOf(ValidationError);
      await expect(classes.getClass(oid(999) as ClassId)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('updates a class with optimistic concurrency and deactivates it', async () => {
      const created = await classes.createClass(classInput(oid(102) as FacilityId, '2026-03-02T06:00:00Z'));
      const moved = await classes.updateClass(created.id, { location: { room: 'B', capacity: 30 } }, { expectedVersion: 1 });
      expect(moved.location).toEqual({ room: 'B', capacity: 30 });
      await expect(classes.updateClass(created.id, { name: 'Stale' }, { expectedVersion: 1 })).rejects.toMatchObject({ code: 'CONCURRENCY_CONFLICT' });
      expect((await classes.deactivateClass(created.id)).isActive).toBe(false);
    });
  });

  describe('occurrencesBetween', () => {
    let berlin18: FitnessClass;

    beforeAll(async () => {
      berlin18 = await classes.createClass(classInput(oid(110) as FacilityId, '2026-03-23T17:00:00Z', { frequency: 'weekly', weekdays: [1] }));
    });

    it("expands a stored class in the facility's zone, 18:00 local on both sides of the DST change", () => {
      const occurrences = classes.occurrencesBetween(berlin18, 'Europe/Berlin', new Date('2026-03-23T00:00:00Z'), new Date('2026-04-01T00:00:00Z'));
      expect(occurrences).toEqual([
        { start: new Date('2026-03-23T17:00:00Z'), end: new Date('2026-03-23T18:00:00Z') },
        { start: new Date('2026-03-30T16:00:00Z'), end: new Date('2026-03-30T17:00:00Z') },
      ]);
    });

    it('refuses an unknown time zone, an inverted window and one longer than 366 days', () => {
      expect(() => classes.occurrencesBetween(berlin18, 'Mars/Olympus', new Date('2026-03-01'), new Date('2026-04-01'))).toThrow(ValidationError);
      expect(() => classes.occurrencesBetween(berlin18, IST, new Date('2026-04-01'), new Date('2026-03-01'))).toThrow(ValidationError);
      expect(() => classes.occurrencesBetween(berlin18, IST, new Date('2026-01-01'), new Date('2027-01-03'))).toThrow(ValidationError);
    });

    it('finds the occurrence starting at an instant, or NotFoundError off the rule', () => {
      expect(classes.occurrenceAt(berlin18, 'Europe/Berlin', new Date('2026-03-30T16:00:00Z'))).toEqual({ start: new Date('2026-03-30T16:00:00Z'), end: new Date('2026-03-30T17:00:00Z') });
      // 17:00Z was 18:00 before the change but is 19:00 local after it: not an occurrence.
      expect(() => classes.occurrenceAt(berlin18, 'Europe/Berlin', new Date('2026-03-30T17:00:00Z'))).toThrow(NotFoundError);
    });
  });

  describe('timetable', () => {
    const facility = oid(120) as FacilityId;

    it("lists every active class's occurrences of the window, earliest first", async () => {
      const daily = await classes.createClass(classInput(facility, '2026-03-01T15:00:00Z', { frequency: 'daily' }));
      const monday = await classes.createClass(classInput(facility, '2026-03-02T06:00:00Z', { frequency: 'weekly', weekdays: [1, 3] }));
      const later = await classes.createClass(classInput(facility, '2026-03-10T06:00:00Z', { frequency: 'daily' }));
      const off = await classes.createClass(classInput(facility, '2026-03-02T07:00:00Z', { frequency: 'daily' }));
      await classes.deactivateClass(off.id);
      await classes.createClass(classInput(oid(121) as FacilityId, '2026-03-02T08:00:00Z', { frequency: 'daily' }));

      const entries = await classes.timetable(facility, IST, new Date('2026-03-02T00:00:00Z'), new Date('2026-03-05T00:00:00Z'));
      expect(entries.map((e) => [e.class.id, e.start.toISOString()])).toEqual([
        [monday.id, '2026-03-02T06:00:00.000Z'],
        [daily.id, '2026-03-02T15:00:00.000Z'],
        [daily.id, '2026-03-03T15:00:00.000Z'],
        [monday.id, '2026-03-04T06:00:00.000Z'],
        [daily.id, '2026-03-04T15:00:00.000Z'],
      ]);
      expect(entries.some((e) => e.class.id === later.id)).toBe(false);
    });
  });
});

import { z } from 'zod';
import { NotFoundError } from '../../core/errors.js';
import type { ClassId, FacilityId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { instantSchema, timeZoneSchema } from '../../core/schema-primitives.js';
import { parseOrThrow } from '../../core/validation.js';
import type { WriteOptions } from '../../stores/mongo/mongo-repository.js';
import type { TimeRangeInput } from '../../stores/mongo/time-range.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import type { ServiceDeps } from '../service-deps.js';
import type { ClassRepository } from './class.repository.js';
import { classSchema, createClassInputSchema, patchClassInputSchema, type CreateClassInput, type FitnessClass, type PatchClassInput } from './class.schema.js';
import { expandOccurrences, isOccurrenceStart, type ClassOccurrence } from './recurrence.js';

/** The widest window one expansion may ask for: a year and a day. */
export const MAX_OCCURRENCE_WINDOW_MS = 366 * 86_400_000;

const windowSchema = z
  .strictObject({ timeZone: timeZoneSchema, from: instantSchema, to: instantSchema })
  .refine((w) => w.to.getTime() > w.from.getTime(), { error: 'The window must end after it starts', path: ['to'] })
  .refine((w) => w.to.getTime() - w.from.getTime() <= MAX_OCCURRENCE_WINDOW_MS, { error: 'The window may span at most 366 days', path: ['to'] });

const occurrenceQuerySchema = z.strictObject({ timeZone: timeZoneSchema, start: instantSchema });

/** One occurrence of a class in a timetable. */
export interface TimetableEntry extends ClassOccurrence {
  readonly class: FitnessClass;
}

/**
 * Group classes and their recurrence (seed: `classes`). The class module does not know
 * facilities: callers pass the facility's IANA time zone, in which recurrence is expanded
 * (SPEC decision 6) — the booking workflow reads it from the facility.
 *
 * @example
 * ```ts
 * const classes = new ClassService(classRepository, deps)
 * const yoga = await classes.createClass({ facilityId, name: 'Yoga', instructor, schedule, location: { capacity: 12 }, category: 'yoga', difficulty: 'beginner', duration: 60 })
 * const week = classes.occurrencesBetween(yoga, 'Europe/Istanbul', monday, nextMonday)
 * ```
 */
export class ClassService {
  readonly #classes: ClassRepository;
  readonly #deps: ServiceDeps;

  constructor(classes: ClassRepository, deps: ServiceDeps) {
    this.#classes = classes;
    this.#deps = deps;
  }

  /** Creates a class; its schedule's first occurrence and recurrence are validated by the schema. */
  async createClass(input: CreateClassInput, uow?: UnitOfWork): Promise<FitnessClass> {
    const data = this.#parse(createClassInputSchema, input);
    return this.#classes.create(data, uow?.ctx);
  }

  /** The class; `NotFoundError` when there is none. */
  async getClass(id: ClassId, uow?: UnitOfWork): Promise<FitnessClass> {
    return this.#classes.getById(this.#parse(classSchema.shape.id, id), uow?.ctx);
  }

  /**
   * Changes a class (timetable, room, capacity…) with optimistic concurrency
   * (`expectedVersion`). Bookings already made keep their occurrence instants.
   */
  async updateClass(id: ClassId, patch: PatchClassInput, options: WriteOptions = {}, uow?: UnitOfWork): Promise<FitnessClass> {
    const classId = this.#parse(classSchema.shape.id, id);
    const changes = this.#parse(patchClassInputSchema, patch);
    return this.#classes.patch(classId, changes, options, uow?.ctx);
  }

  /** Takes a class off the timetable: it can no longer be booked; its history stays. */
  async deactivateClass(id: ClassId, uow?: UnitOfWork): Promise<FitnessClass> {
    return this.#classes.patch(this.#parse(classSchema.shape.id, id), { isActive: false }, {}, uow?.ctx);
  }

  /** A facility's classes whose first occurrence starts in `[from, to)` (keyset pages). */
  async listFacilityClasses(facilityId: FacilityId, range: TimeRangeInput = {}, page?: PageRequest, uow?: UnitOfWork): Promise<Page<FitnessClass>> {
    return this.#classes.listByFacility(facilityId, range, page, uow?.ctx);
  }

  /**
   * The occurrences of `fitnessClass` starting in `[from, to)`, expanded in `timeZone` (the
   * facility's): wall-clock time kept across DST, the spring gap resolved forward, monthly
   * rules skipping months without the day, `endsOnDate` inclusive (see `expandOccurrences`).
   * Windows wider than 366 days are refused (`ValidationError`). Pure: nothing is read.
   */
  occurrencesBetween(fitnessClass: FitnessClass, timeZone: string, from: Date, to: Date): ClassOccurrence[] {
    const w = this.#parse(windowSchema, { timeZone, from, to });
    return expandOccurrences(fitnessClass.schedule, w.timeZone, w.from, w.to);
  }

  /**
   * The occurrence of the class starting at `start`; `NotFoundError('class occurrence')`
   * when the class has no occurrence starting exactly then.
   */
  occurrenceAt(fitnessClass: FitnessClass, timeZone: string, start: Date): ClassOccurrence {
    const q = this.#parse(occurrenceQuerySchema, { timeZone, start });
    if (!isOccurrenceStart(fitnessClass.schedule, q.timeZone, q.start)) {
      throw new NotFoundError('class occurrence', `${fitnessClass.id}@${q.start.toISOString()}`);
    }
    return { start: q.start, end: new Date(q.start.getTime() + scheduledDurationMs(fitnessClass)) };
  }

  /**
   * A facility's timetable: every occurrence of its active classes starting in `[from, to)`,
   * earliest first, expanded in the facility's `timeZone`.
   */
  async timetable(facilityId: FacilityId, timeZone: string, from: Date, to: Date, uow?: UnitOfWork): Promise<TimetableEntry[]> {
    const w = this.#parse(windowSchema, { timeZone, from, to });
    const entries: TimetableEntry[] = [];
    let after: string | undefined;
    do {
      // Every class whose first occurrence starts before the window's end may recur into it.
      const page = await this.#classes.listByFacility(facilityId, { to: w.to }, { limit: 200, ...(after ? { after } : {}) }, uow?.ctx);
      for (const c of page.items) {
        if (!c.isActive) continue;
        for (const o of expandOccurrences(c.schedule, w.timeZone, w.from, w.to)) entries.push({ class: c, ...o });
      }
      after = page.nextCursor ?? undefined;
    } while (after);
    return entries.sort((a, b) => a.start.getTime() - b.start.getTime() || a.class.id.localeCompare(b.class.id));
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
    return parseOrThrow(schema, input, { entity: 'class', ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}

/** How long each occurrence of the class lasts: its first occurrence's length. */
export function scheduledDurationMs(fitnessClass: Pick<FitnessClass, 'schedule'>): number {
  return fitnessClass.schedule.endTime.getTime() - fitnessClass.schedule.startTime.getTime();
}

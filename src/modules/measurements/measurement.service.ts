import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { ConcurrencyError, ConflictError, NotFoundError, ValidationError, type ValidationIssue } from '../../core/errors.js';
import type { MeasurementCategoryId, UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { calendarDateSchema, instantSchema, timeZoneSchema } from '../../core/schema-primitives.js';
import { roundTo as round } from '../../core/rounding.js';
import { parseOrThrow } from '../../core/validation.js';
import { turkishMessageFor, VALIDATION_MESSAGES as M, type ValidationMessageKey } from '../../core/validation-messages.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import type { ServiceDeps } from '../service-deps.js';
import type { MeasurementCategoryRepository } from './measurement-category.repository.js';
import { createMeasurementCategoryInputSchema, measurementCategorySchema, type MeasurementCategory } from './measurement-category.schema.js';
import type { MeasurementDataInput, MeasurementRepository } from './measurement.repository.js';
import {
  MAX_READINGS_PER_DAY,
  bodyMeasurementsSchema,
  dayValuesOf,
  measurementReadingSchema,
  type MeasurementReading,
  measurementPhotoSchema,
  measurementSchema,
  type BodyMeasurements,
  type Measurement,
  type MeasurementPhotoPosition,
} from './measurement.schema.js';

/** The measured quantities, in the order reports list them. */
export const BODY_METRICS = Object.keys(bodyMeasurementsSchema.shape) as readonly BodyMetric[];
/** A body measurement a trend or progress report follows (`waist`, `hips`…). */
export type BodyMetric = keyof BodyMeasurements;

const DAY_MS = 86_400_000;
/** The longest window a progress or trend report reads (ten years of daily measurements). */
const MAX_WINDOW_DAYS = 3_660;

/**
 * What the service needs from the users module to compute a BMI: the client's height (and
 * profile weight) from `roleSpecificData.client`. `UserRepository` satisfies it; the
 * measurements module does not import the users module.
 */
export interface ClientProfileReader {
  findById(
    id: UserId,
    ctx?: StoreContext,
  ): Promise<{ readonly roleSpecificData: { readonly client?: { readonly height?: number | undefined; readonly weight?: number | undefined } | undefined } } | null>;
}

const userIdSchema = measurementSchema.shape.userId;

/** A day as a caller names it: `YYYY-MM-DD`, or an instant rounded to its day in `timeZone` (UTC by default). */
const dayInputSchema = z.union([calendarDateSchema, instantSchema]);

const dayOptionsSchema = z.strictObject({ timeZone: timeZoneSchema.optional() });

/** Recording a measurement: the instant it was taken (default: now) is rounded to the user's calendar day. */
export const recordMeasurementInputSchema = z
  .strictObject({
    userId: userIdSchema,
    /** When it was taken: an instant, or a calendar day `YYYY-MM-DD`; defaults to now. */
    date: dayInputSchema.optional(),
    /** The user's IANA time zone: which calendar day `date` falls on. UTC when omitted. */
    timeZone: timeZoneSchema.optional(),
    measurements: bodyMeasurementsSchema,
    /** Progress photos; a photo without `date` is dated with the measurement's instant. */
    photos: z.array(measurementPhotoSchema.partial({ date: true })).max(20).default([]),
    notes: measurementSchema.shape.notes,
    expectedVersion: z.number().int().min(1).optional(),
  })
  .refine((input) => Object.keys(input.measurements).length > 0 || input.photos.length > 0, {
    error: 'Expected at least one measured value or photo',
    path: ['measurements'],
  });
export type RecordMeasurementInput = z.input<typeof recordMeasurementInputSchema>;

/** One progress photo added to a day's measurement. */
export const addProgressPhotoInputSchema = z.strictObject({
  url: measurementPhotoSchema.shape.url,
  position: measurementPhotoSchema.shape.position,
  date: dayInputSchema.optional(),
  timeZone: timeZoneSchema.optional(),
});
export type AddProgressPhotoInput = z.input<typeof addProgressPhotoInputSchema>;

/** How far ahead of now a reading may be dated (a clock or time zone off by a day, not a plan). */
const MAX_READING_LEAD_MS = DAY_MS;

/**
 * Adding one reading to a day: when it was taken (default now; at most a day ahead), the
 * body metrics and the values of the user's own categories read then, and a short note.
 * Its day is the calendar day of `takenAt` in `timeZone` (UTC when omitted).
 */
export const addReadingInputSchema = z
  .strictObject({
    takenAt: instantSchema.optional(),
    timeZone: timeZoneSchema.optional(),
    measurements: bodyMeasurementsSchema.default({}),
    custom: measurementReadingSchema.shape.custom.default([]),
    notes: measurementReadingSchema.shape.notes,
  })
  .refine((input) => Object.keys(input.measurements).length > 0 || input.custom.length > 0, { error: M.readingEmpty.en, path: ['measurements'] });
/** What a caller passes to {@link MeasurementService.addReading}. */
export type AddReadingInput = z.input<typeof addReadingInputSchema>;

/** Which reading to remove: its day (`YYYY-MM-DD`, or an instant rounded in `timeZone`) and the instant it was taken. */
export const removeReadingInputSchema = z.strictObject({
  day: dayInputSchema,
  timeZone: timeZoneSchema.optional(),
  takenAt: instantSchema,
});
/** What a caller passes to {@link MeasurementService.removeReading}. */
export type RemoveReadingInput = z.input<typeof removeReadingInputSchema>;

/** Defining a measurement category: its name (1–50 characters, unique per user ignoring case) and unit (1–16 characters). */
export const defineMeasurementCategoryInputSchema = createMeasurementCategoryInputSchema.pick({ name: true, unit: true });
/** What a caller passes to {@link MeasurementService.defineCategory}. */
export type DefineMeasurementCategoryInput = z.input<typeof defineMeasurementCategoryInputSchema>;

/** Renaming a measurement category. */
export const renameMeasurementCategoryInputSchema = createMeasurementCategoryInputSchema.pick({ name: true });
/** What a caller passes to {@link MeasurementService.renameCategory}. */
export type RenameMeasurementCategoryInput = z.input<typeof renameMeasurementCategoryInputSchema>;

const categoryIdSchema = measurementCategorySchema.shape.id;

/** An inclusive range of calendar days; either end may be open for history, both are needed for reports. */
const dayRangeSchema = z
  .strictObject({ from: dayInputSchema.optional(), to: dayInputSchema.optional(), timeZone: timeZoneSchema.optional() })
  .transform((range, ctx) => {
    const from = range.from === undefined ? undefined : dayStart(range.from, range.timeZone);
    const to = range.to === undefined ? undefined : dayStart(range.to, range.timeZone);
    if (from && to && from.getTime() > to.getTime()) ctx.addIssue({ code: 'custom', message: 'Expected `to` on or after `from`', path: ['to'] });
    return { from, to };
  });
export type DayRangeInput = z.input<typeof dayRangeSchema>;

const reportRangeSchema = dayRangeSchema.refine((r) => r.from !== undefined && r.to !== undefined, { error: 'Expected both `from` and `to`' }).refine(
  (r) => r.from === undefined || r.to === undefined || (r.to.getTime() - r.from.getTime()) / DAY_MS <= MAX_WINDOW_DAYS,
  { error: `Expected a window of at most ${MAX_WINDOW_DAYS} days`, path: ['to'] },
);

const photoFilterSchema = z.strictObject({ position: measurementPhotoSchema.shape.position.optional() });

/** One metric's change between the first and the last measurement of a window. */
export interface MetricChange {
  readonly start: number;
  readonly end: number;
  /** `end - start`, rounded to 0.01. */
  readonly change: number;
}

/** What changed between the first and the last measurement of a window. */
export interface MeasurementProgress {
  /** The earliest measurement in the window, or `null` when it has none. */
  readonly start: Measurement | null;
  /** The latest measurement in the window if it is not `start`; `null` with fewer than two. */
  readonly end: Measurement | null;
  /** Days between `start` and `end`; `null` with fewer than two measurements. */
  readonly days: number | null;
  /** Per metric; `null` where either measurement lacks it. */
  readonly changes: Readonly<Record<BodyMetric, MetricChange | null>>;
}

/** Statistics of one metric over the measurements of a window that have it. */
export interface MetricTrend {
  readonly count: number;
  readonly first: number;
  readonly last: number;
  readonly min: number;
  readonly max: number;
  /** Mean, rounded to 0.01. */
  readonly average: number;
  /** `last - first`, rounded to 0.01. */
  readonly change: number;
  /** Least-squares slope of value against time, per 7 days, rounded to 0.001; `null` with fewer than two points. */
  readonly slopePerWeek: number | null;
}

/** How measurements moved over a window: the points and the change of each metric. */
export interface MeasurementTrend {
  readonly from: Date;
  readonly to: Date;
  /** Measurements in the window. */
  readonly count: number;
  /** Per metric; `null` when no measurement in the window has it. */
  readonly metrics: Readonly<Record<BodyMetric, MetricTrend | null>>;
}

/** One value of a user-defined category: the day of its reading, when it was taken, and the value. */
export interface CategoryReading {
  readonly date: Date;
  readonly takenAt: Date;
  readonly value: number;
}

/** Every value of one user-defined category in a window, oldest first. */
export interface CategoryHistory {
  readonly category: MeasurementCategory;
  readonly readings: readonly CategoryReading[];
}

/** WHO adult BMI classes. */
export const BMI_CATEGORIES = ['underweight', 'normal', 'overweight', 'obese_class_1', 'obese_class_2', 'obese_class_3'] as const;
/**
 * A WHO adult BMI class.
 *
 * @useDeclaredType
 */
export type BmiCategory = (typeof BMI_CATEGORIES)[number];

/** A body-mass index, or what is missing to compute one. */
export type BmiResult =
  | {
      readonly available: true;
      /** kg/m², rounded to 0.1; the category is read from this rounded value. */
      readonly bmi: number;
      readonly category: BmiCategory;
      readonly heightCm: number;
      readonly weightKg: number;
      /** Where the weight came from: the latest measurement that has one, else the client profile. */
      readonly weightSource: 'measurement' | 'profile';
      /** The day of the measured weight; `null` for the profile weight. */
      readonly measuredOn: Date | null;
    }
  | { readonly available: false; readonly missing: readonly ('height' | 'weight')[] };

/** A progress photo with the day of the measurement it belongs to. */
export interface ProgressPhoto {
  readonly measurementDate: Date;
  readonly url: string;
  readonly position: MeasurementPhotoPosition;
  readonly date: Date;
}

/**
 * Body measurements: one per user per calendar day (the seed's unique `userId + date`),
 * history, progress between two days, trends, BMI and progress photos. Weights are in kg,
 * circumferences in cm, body fat in percent; the schema's bounds refuse values in other units
 * (a weight of 72 000 is grams, a height of 1.75 is metres).
 *
 * @example
 * ```ts
 * const measurements = new MeasurementService(measurementRepository, userRepository, deps)
 * await measurements.record({ userId, date: '2026-03-02T06:30:00Z', timeZone: 'Europe/Istanbul', measurements: { weight: 72.4 } })
 * const { changes } = await measurements.progress(userId, { from: '2026-01-01', to: '2026-03-31' })
 * ```
 */
export class MeasurementService {
  readonly #measurements: MeasurementRepository;
  readonly #categories: MeasurementCategoryRepository;
  readonly #clients: ClientProfileReader;
  readonly #deps: ServiceDeps;

  constructor(measurements: MeasurementRepository, clients: ClientProfileReader, deps: ServiceDeps, categories: MeasurementCategoryRepository) {
    this.#measurements = measurements;
    this.#categories = categories;
    this.#clients = clients;
    this.#deps = deps;
  }

  /**
   * Records the user's measurement of a day. The instant (`date`, default now) is rounded to
   * its calendar day in `timeZone` (UTC when omitted) and stored as that day's UTC midnight,
   * so a measurement at 01:30 in Istanbul on 2 March belongs to 2 March, not to UTC's 1 March.
   * One measurement per day (seed: unique `userId + date`): recording the same day again
   * replaces its values, readings, photos and notes (an upsert) — the day then holds one
   * reading, taken at `date` (at the day's start for a `YYYY-MM-DD`), with these values. Use
   * {@link addReading} to add a reading to a day instead. With `expectedVersion` the day's
   * measurement must still be at that version (`ConcurrencyError`).
   */
  async record(input: RecordMeasurementInput, uow?: UnitOfWork): Promise<Measurement> {
    const parsed = this.#parse(recordMeasurementInputSchema, input);
    const when = parsed.date ?? this.#deps.clock.now();
    const day = dayStart(when, parsed.timeZone);
    const at = typeof when === 'string' ? day : when;
    const photos = parsed.photos.map((photo) => ({ ...photo, date: photo.date ?? at }));
    return this.#measurements.upsertForDate(
      parsed.userId,
      day,
      {
        measurements: parsed.measurements,
        readings: Object.keys(parsed.measurements).length > 0 ? [{ takenAt: at, measurements: parsed.measurements, custom: [] }] : [],
        photos,
        ...(parsed.notes !== undefined ? { notes: parsed.notes } : {}),
      },
      parsed.expectedVersion === undefined ? {} : { expectedVersion: parsed.expectedVersion },
      uow?.ctx,
    );
  }

  /** The user's measurement of a day (`YYYY-MM-DD`, or an instant rounded in `timeZone`), or `null`. */
  async getForDay(userId: UserId, day: Date | string, options: { readonly timeZone?: string } = {}, uow?: UnitOfWork): Promise<Measurement | null> {
    const id = this.#parse(userIdSchema, userId, 'user id');
    const { timeZone } = this.#parse(dayOptionsSchema, options, 'options');
    return this.#measurements.findByUserAndDate(id, dayStart(this.#parse(dayInputSchema, day, 'day'), timeZone), uow?.ctx);
  }

  /**
   * Adds a progress photo to the measurement of its day (the day of `date`, default now, in
   * `timeZone`), creating that day's measurement without values when there is none. At most
   * 20 photos a day. Concurrent additions are all kept: the write is checked against the
   * version read and re-run on a conflict.
   */
  async addProgressPhoto(userId: UserId, input: AddProgressPhotoInput, uow?: UnitOfWork): Promise<Measurement> {
    const id = this.#parse(userIdSchema, userId, 'user id');
    const photo = this.#parse(addProgressPhotoInputSchema, input, 'progress photo');
    const when = photo.date ?? this.#deps.clock.now();
    const day = dayStart(when, photo.timeZone);
    const at = typeof when === 'string' ? day : when;
    const entry = { url: photo.url, position: photo.position, date: at };
    const written = await this.#rewriteDay(id, day, uow, async (current) => ({ ...contentOf(current), photos: [...(current?.photos ?? []), entry] }));
    return written!;
  }

  /**
   * Adds a reading to the day of `takenAt` (default now) in `timeZone` (UTC when omitted),
   * creating that day's measurement when there is none; a reading at an instant the day
   * already has replaces that reading, so a retried call adds it once. The day's value of
   * each metric becomes that metric from the latest reading that has it, so progress,
   * trends and BMI follow the readings. At most {@link MAX_READINGS_PER_DAY} readings a day;
   * `takenAt` at most one day after now; every `custom` category must be one the user
   * defined. Bad input is a `ValidationError` and nothing is written. Concurrent additions
   * are all kept (checked against the version read and re-run on a conflict).
   *
   * @example
   * ```ts
   * await measurements.addReading(userId, { takenAt: '2026-03-02T06:30:00Z', timeZone: 'Europe/Istanbul', measurements: { weight: 72.4 } })
   * await measurements.addReading(userId, { takenAt: '2026-03-02T19:10:00Z', timeZone: 'Europe/Istanbul', measurements: { weight: 73.0 }, custom: [{ categoryId: neck.id, value: 38.5 }] })
   * ```
   */
  async addReading(userId: UserId, input: AddReadingInput, uow?: UnitOfWork): Promise<Measurement> {
    const id = this.#parse(userIdSchema, userId, 'user id');
    const latest = this.#deps.clock.now().getTime() + MAX_READING_LEAD_MS;
    const leadChecked = addReadingInputSchema.superRefine((value, ctx) => {
      if (value.takenAt !== undefined && value.takenAt.getTime() > latest) ctx.addIssue({ code: 'custom', path: ['takenAt'], message: M.readingTooFarAhead.en });
    });
    const parsed = this.#parse(leadChecked, input, 'measurement reading');
    const takenAt = parsed.takenAt ?? this.#deps.clock.now();
    const day = dayStart(takenAt, parsed.timeZone);
    const reading: MeasurementReading = { takenAt, measurements: parsed.measurements, custom: parsed.custom, ...(parsed.notes !== undefined ? { notes: parsed.notes } : {}) };
    const written = await this.#rewriteDay(id, day, uow, async (current, ctx) => {
      await this.#checkOwnCategories(id, reading.custom.map((c) => c.categoryId), ctx);
      const others = (current?.readings ?? []).filter((r) => r.takenAt.getTime() !== takenAt.getTime());
      if (others.length >= MAX_READINGS_PER_DAY) this.#refuse(['takenAt'], 'tooManyReadings');
      return withReadings(current, [...others, reading]);
    });
    return written!;
  }

  /**
   * Removes the reading taken at `takenAt` from the measurement of `day` (`YYYY-MM-DD`, or
   * an instant rounded in `timeZone`); the day's values are recomputed from the readings
   * left. A day left without readings, photos and notes is deleted and `null` returned.
   * `NotFoundError` when the day has no reading at that instant.
   */
  async removeReading(userId: UserId, input: RemoveReadingInput, uow?: UnitOfWork): Promise<Measurement | null> {
    const id = this.#parse(userIdSchema, userId, 'user id');
    const parsed = this.#parse(removeReadingInputSchema, input, 'measurement reading');
    const day = dayStart(parsed.day, parsed.timeZone);
    const at = parsed.takenAt.getTime();
    return this.#rewriteDay(id, day, uow, async (current) => {
      const readings = current?.readings ?? [];
      if (!readings.some((r) => r.takenAt.getTime() === at)) throw new NotFoundError('measurement reading', `${id}@${parsed.takenAt.toISOString()}`);
      const left = withReadings(current, readings.filter((r) => r.takenAt.getTime() !== at));
      return left.readings.length === 0 && left.photos.length === 0 && left.notes === undefined ? null : left;
    });
  }

  /**
   * Defines a measurement category of the user's own (wger's user-defined measurements):
   * a name, unique among the user's categories ignoring case, and the unit its values are
   * in. A taken name is a `ValidationError` on `name`.
   *
   * @example
   * ```ts
   * const neck = await measurements.defineCategory(userId, { name: 'Neck', unit: 'cm' })
   * ```
   */
  async defineCategory(userId: UserId, input: DefineMeasurementCategoryInput, uow?: UnitOfWork): Promise<MeasurementCategory> {
    const id = this.#parse(userIdSchema, userId, 'user id');
    const parsed = this.#parse(defineMeasurementCategoryInputSchema, input, 'measurement category');
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      if (await this.#categories.findByUserAndName(id, parsed.name, u.ctx)) this.#refuse(['name'], 'measurementCategoryNameTaken');
      return this.#categories.create({ userId: id, name: parsed.name, unit: parsed.unit }, u.ctx);
    });
  }

  /**
   * Renames one of the user's categories (the new name unique among them ignoring case, else
   * a `ValidationError` on `name`). The unit stays: the stored values are in it.
   * `NotFoundError` for a category that is not the user's.
   */
  async renameCategory(userId: UserId, categoryId: MeasurementCategoryId, input: RenameMeasurementCategoryInput, uow?: UnitOfWork): Promise<MeasurementCategory> {
    const id = this.#parse(userIdSchema, userId, 'user id');
    const category = this.#parse(categoryIdSchema, categoryId, 'measurement category id');
    const { name } = this.#parse(renameMeasurementCategoryInputSchema, input, 'measurement category');
    return inUnitOfWork(this.#deps.units, uow, async (u) => {
      const current = await this.#ownCategory(id, category, u.ctx);
      const namesake = await this.#categories.findByUserAndName(id, name, u.ctx);
      if (namesake && namesake.id !== current.id) this.#refuse(['name'], 'measurementCategoryNameTaken');
      return this.#categories.patch(current.id, { name }, { expectedVersion: current.version }, u.ctx);
    });
  }

  /**
   * Deletes one of the user's categories. A category that still has values in a reading is
   * kept: `ConflictError` with reason `measurement_category_in_use` (remove those readings
   * first), so no stored value loses its name and unit. `NotFoundError` for a category that
   * is not the user's.
   */
  async deleteCategory(userId: UserId, categoryId: MeasurementCategoryId, uow?: UnitOfWork): Promise<void> {
    const id = this.#parse(userIdSchema, userId, 'user id');
    const category = this.#parse(categoryIdSchema, categoryId, 'measurement category id');
    await inUnitOfWork(this.#deps.units, uow, async (u) => {
      const current = await this.#ownCategory(id, category, u.ctx);
      if (await this.#measurements.hasCategoryValues(id, current.id, u.ctx)) {
        throw new ConflictError('measurement_category_in_use', `Measurement category ${current.id} has values in readings`, { details: { categoryId: current.id } });
      }
      await this.#categories.delete(current.id, { expectedVersion: current.version }, u.ctx);
    });
  }

  /** The user's measurement categories, in the order they were defined, in keyset pages. */
  async listCategories(userId: UserId, page?: PageRequest, uow?: UnitOfWork): Promise<Page<MeasurementCategory>> {
    const id = this.#parse(userIdSchema, userId, 'user id');
    return this.#categories.listByUser(id, page, uow?.ctx);
  }

  /**
   * Every value of one of the user's categories in an inclusive range of days (at most ten
   * years), oldest first: one entry per reading that has the category (several a day when
   * several readings have it; the day's value is the day's last one). `NotFoundError` for a
   * category that is not the user's.
   */
  async categoryHistory(userId: UserId, categoryId: MeasurementCategoryId, range: DayRangeInput, uow?: UnitOfWork): Promise<CategoryHistory> {
    const id = this.#parse(userIdSchema, userId, 'user id');
    const categoryKey = this.#parse(categoryIdSchema, categoryId, 'measurement category id');
    const { from, to } = this.#parse(reportRangeSchema, range, 'range');
    const category = await this.#ownCategory(id, categoryKey, uow?.ctx);
    const readings: CategoryReading[] = [];
    let after: string | undefined;
    do {
      const page = await this.#measurements.listByUserWithCategory(id, category.id, { from: from!, to: new Date(to!.getTime() + DAY_MS) }, { limit: 200, ...(after ? { after } : {}) }, uow?.ctx);
      for (const day of page.items) {
        for (const reading of day.readings) {
          const value = reading.custom.find((c) => c.categoryId === category.id)?.value;
          if (value !== undefined) readings.push({ date: day.date, takenAt: reading.takenAt, value });
        }
      }
      after = page.nextCursor ?? undefined;
    } while (after);
    return { category, readings };
  }

  /** The user's progress photos in an inclusive range of days, oldest first, optionally of one position. */
  async progressPhotos(userId: UserId, range: DayRangeInput, filter: { readonly position?: MeasurementPhotoPosition } = {}, uow?: UnitOfWork): Promise<ProgressPhoto[]> {
    const { position } = this.#parse(photoFilterSchema, filter, 'filter');
    const measurements = await this.#window(userId, range, uow);
    return measurements.flatMap((m) =>
      m.photos.filter((p) => position === undefined || p.position === position).map((p) => ({ measurementDate: m.date, ...p })),
    );
  }

  /** The user's measurements in an inclusive range of days (either end may be open), newest first, in keyset pages. */
  async history(userId: UserId, range: DayRangeInput = {}, page?: PageRequest, uow?: UnitOfWork): Promise<Page<Measurement>> {
    const id = this.#parse(userIdSchema, userId, 'user id');
    const { from, to } = this.#parse(dayRangeSchema, range, 'range');
    const window = { ...(from ? { from } : {}), ...(to ? { to: new Date(to.getTime() + DAY_MS) } : {}) };
    return this.#measurements.listByUser(id, window, page, uow?.ctx);
  }

  /**
   * Progress between the first and the last measurement in an inclusive range of days (at
   * most ten years): for weight, body fat, muscle mass and every circumference, the value at
   * each end and the change (`null` where either measurement lacks the metric). With fewer
   * than two measurements there is nothing to compare and every change is `null`.
   */
  async progress(userId: UserId, range: DayRangeInput, uow?: UnitOfWork): Promise<MeasurementProgress> {
    this.#parse(reportRangeSchema, range, 'range');
    const measurements = await this.#window(userId, range, uow);
    const start = measurements[0] ?? null;
    const last = measurements.at(-1) ?? null;
    const end = last && last !== start ? last : null;
    const changes = metricRecord((metric) => {
      const a = start?.measurements[metric];
      const b = end?.measurements[metric];
      return a === undefined || b === undefined ? null : { start: a, end: b, change: round(b - a, 2) };
    });
    return { start, end, days: start && end ? Math.round((end.date.getTime() - start.date.getTime()) / DAY_MS) : null, changes };
  }

  /**
   * The trend of every metric over an inclusive range of days (at most ten years): count,
   * first, last, min, max, average, change and the least-squares slope per week, computed
   * over the measurements that have the metric (a missing value is skipped, not read as 0).
   */
  async trend(userId: UserId, range: DayRangeInput, uow?: UnitOfWork): Promise<MeasurementTrend> {
    const { from, to } = this.#parse(reportRangeSchema, range, 'range');
    const measurements = await this.#window(userId, range, uow);
    const metrics = metricRecord((metric) => {
      const points = measurements.flatMap((m) => {
        const value = m.measurements[metric];
        return value === undefined ? [] : [{ day: m.date.getTime() / DAY_MS, value }];
      });
      return points.length === 0 ? null : trendOf(points);
    });
    return { from: from!, to: to!, count: measurements.length, metrics };
  }

  /**
   * The body-mass index from the client's height (`roleSpecificData.client.height`, cm) and
   * the latest measured weight (falling back to the profile's `client.weight`): weight /
   * height² in kg/m², with its WHO category (< 18.5 underweight, < 25 normal, < 30
   * overweight, < 35 obese class 1, < 40 class 2, else class 3). When height or weight is
   * unknown it says which is missing instead. `NotFoundError` for an unknown user.
   */
  async bmi(userId: UserId, uow?: UnitOfWork): Promise<BmiResult> {
    const id = this.#parse(userIdSchema, userId, 'user id');
    const user = await this.#clients.findById(id, uow?.ctx);
    if (!user) throw new NotFoundError('user', id);
    const client = user.roleSpecificData.client;
    const measured = await this.#latestWeight(id, uow);
    const weightKg = measured?.measurements.weight ?? client?.weight;
    const heightCm = client?.height;
    if (heightCm === undefined || weightKg === undefined) {
      return { available: false, missing: [...(heightCm === undefined ? ['height' as const] : []), ...(weightKg === undefined ? ['weight' as const] : [])] };
    }
    const bmi = round(weightKg / (heightCm / 100) ** 2, 1);
    return {
      available: true,
      bmi,
      category: bmiCategoryOf(bmi),
      heightCm,
      weightKg,
      weightSource: measured ? 'measurement' : 'profile',
      measuredOn: measured?.date ?? null,
    };
  }

  /** The newest measurement that has a weight (newest-first pages until one does). */
  async #latestWeight(userId: UserId, uow?: UnitOfWork): Promise<Measurement | null> {
    let after: string | undefined;
    do {
      const page = await this.#measurements.listByUser(userId, {}, { limit: 50, ...(after ? { after } : {}) }, uow?.ctx);
      const found = page.items.find((m) => m.measurements.weight !== undefined);
      if (found) return found;
      after = page.nextCursor ?? undefined;
    } while (after);
    return null;
  }

  /**
   * Rewrites the user's measurement of `day` from its current state (`null` when the day has
   * none): `change` returns the new content, or `null` to delete the day. Checked against the
   * version read and re-run on a conflict, so concurrent changes of a day are all kept.
   */
  async #rewriteDay(
    userId: UserId,
    day: Date,
    uow: UnitOfWork | undefined,
    change: (current: Measurement | null, ctx: StoreContext | undefined) => Promise<MeasurementDataInput | null>,
  ): Promise<Measurement | null> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await inUnitOfWork(this.#deps.units, uow, async (u) => {
          const current = await this.#measurements.findByUserAndDate(userId, day, u.ctx);
          const content = await change(current, u.ctx);
          if (content === null) {
            if (current) await this.#measurements.delete(current.id, { expectedVersion: current.version }, u.ctx);
            return null;
          }
          return this.#measurements.upsertForDate(userId, day, content, current ? { expectedVersion: current.version } : {}, u.ctx);
        }, { maxAttempts: 10 });
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || uow || attempt >= 5) throw error;
      }
    }
  }

  /** The category if it is the user's; `NotFoundError` otherwise (another user's category is not told apart from none). */
  async #ownCategory(userId: UserId, categoryId: MeasurementCategoryId, ctx?: StoreContext): Promise<MeasurementCategory> {
    const category = await this.#categories.findById(categoryId, ctx);
    if (!category || category.userId !== userId) throw new NotFoundError('measurement category', categoryId);
    return category;
  }

  /** Every id is one of the user's categories; else a `ValidationError` at the first unknown one. */
  async #checkOwnCategories(userId: UserId, ids: readonly MeasurementCategoryId[], ctx?: StoreContext): Promise<void> {
    if (ids.length === 0) return;
    const own = new Set((await this.#categories.findManyByIds(ids, ctx)).filter((c) => c.userId === userId).map((c) => c.id as string));
    const unknown = ids.findIndex((categoryId) => !own.has(categoryId));
    if (unknown >= 0) this.#refuse(['custom', unknown, 'categoryId'], 'unknownMeasurementCategory');
  }

  /** A `ValidationError` with one issue, in the instance's language. */
  #refuse(path: (string | number)[], message: ValidationMessageKey): never {
    const text = this.#deps.locale === 'tr' ? (turkishMessageFor(M[message].en) ?? M[message].en) : M[message].en;
    const issue: ValidationIssue = { path, code: 'custom', message: text };
    throw new ValidationError(`Invalid measurement: ${path.join('.')}: ${text}`, [issue]);
  }

  /** Every measurement of the user in an inclusive range of days, oldest first. */
  async #window(userId: UserId, range: DayRangeInput, uow?: UnitOfWork): Promise<Measurement[]> {
    const collected: Measurement[] = [];
    let after: string | undefined;
    do {
      const page = await this.history(userId, range, { limit: 200, ...(after ? { after } : {}) }, uow);
      collected.push(...page.items);
      after = page.nextCursor ?? undefined;
    } while (after);
    return collected.reverse();
  }

  #parse<S extends z.ZodType>(schema: S, input: unknown, entity = 'measurement'): z.output<S> {
    return parseOrThrow(schema, input, { entity, ...(this.#deps.locale ? { locale: this.#deps.locale } : {}) });
  }
}

/**
 * The UTC midnight standing for the calendar day of `value` in `timeZone` (UTC when
 * omitted). A `YYYY-MM-DD` string is that day itself, whatever the zone.
 */
export function dayStart(value: Date | string, timeZone?: string): Date {
  if (typeof value === 'string') return new Date(`${value}T00:00:00.000Z`);
  const date = timeZone
    ? Temporal.Instant.fromEpochMilliseconds(value.getTime()).toZonedDateTimeISO(timeZone).toPlainDate().toString()
    : value.toISOString().slice(0, 10);
  return new Date(`${date}T00:00:00.000Z`);
}

/** The content of a day's measurement as it is (empty for a day without one), to change a part of it. */
function contentOf(current: Measurement | null) {
  return {
    measurements: current?.measurements ?? {},
    readings: current?.readings ?? [],
    photos: current?.photos ?? [],
    ...(current?.notes !== undefined ? { notes: current.notes } : {}),
  };
}

/** The day's content with these readings, oldest first, and the day's values they give. */
function withReadings(current: Measurement | null, readings: readonly MeasurementReading[]) {
  const ordered = [...readings].sort((a, b) => a.takenAt.getTime() - b.takenAt.getTime());
  return { ...contentOf(current), readings: ordered, measurements: dayValuesOf(ordered) };
}

/** The WHO category of a BMI value. */
export function bmiCategoryOf(bmi: number): BmiCategory {
  if (bmi < 18.5) return 'underweight';
  if (bmi < 25) return 'normal';
  if (bmi < 30) return 'overweight';
  if (bmi < 35) return 'obese_class_1';
  if (bmi < 40) return 'obese_class_2';
  return 'obese_class_3';
}

function metricRecord<T>(of: (metric: BodyMetric) => T): Record<BodyMetric, T> {
  return Object.fromEntries(BODY_METRICS.map((metric) => [metric, of(metric)])) as Record<BodyMetric, T>;
}

function trendOf(points: readonly { readonly day: number; readonly value: number }[]): MetricTrend {
  const values = points.map((p) => p.value);
  const n = points.length;
  const meanDay = points.reduce((s, p) => s + p.day, 0) / n;
  const meanValue = values.reduce((s, v) => s + v, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.day - meanDay) ** 2, 0);
  const sxy = points.reduce((s, p) => s + (p.day - meanDay) * (p.value - meanValue), 0);
  return {
    count: n,
    first: values[0]!,
    last: values[n - 1]!,
    min: Math.min(...values),
    max: Math.max(...values),
    average: round(meanValue, 2),
    change: round(values[n - 1]! - values[0]!, 2),
    slopePerWeek: n < 2 || sxx === 0 ? null : round((sxy / sxx) * 7, 3),
  };
}

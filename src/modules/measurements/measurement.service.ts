import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import { ConcurrencyError, NotFoundError } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { calendarDateSchema, instantSchema, timeZoneSchema } from '../../core/schema-primitives.js';
import { roundTo as round } from '../../core/rounding.js';
import { parseOrThrow } from '../../core/validation.js';
import type { StoreContext } from '../../stores/store-context.js';
import type { UnitOfWork } from '../../uow/unit-of-work.js';
import { inUnitOfWork } from '../../uow/unit-runner.js';
import type { ServiceDeps } from '../service-deps.js';
import type { MeasurementRepository } from './measurement.repository.js';
import {
  bodyMeasurementsSchema,
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
  readonly #clients: ClientProfileReader;
  readonly #deps: ServiceDeps;

  constructor(measurements: MeasurementRepository, clients: ClientProfileReader, deps: ServiceDeps) {
    this.#measurements = measurements;
    this.#clients = clients;
    this.#deps = deps;
  }

  /**
   * Records the user's measurement of a day. The instant (`date`, default now) is rounded to
   * its calendar day in `timeZone` (UTC when omitted) and stored as that day's UTC midnight,
   * so a measurement at 01:30 in Istanbul on 2 March belongs to 2 March, not to UTC's 1 March.
   * One measurement per day (seed: unique `userId + date`): recording the same day again
   * replaces its values, photos and notes (an upsert). With `expectedVersion` the day's
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
      { measurements: parsed.measurements, photos, ...(parsed.notes !== undefined ? { notes: parsed.notes } : {}) },
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
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await inUnitOfWork(this.#deps.units, uow, async (u) => {
          const current = await this.#measurements.findByUserAndDate(id, day, u.ctx);
          const content = {
            measurements: current?.measurements ?? {},
            photos: [...(current?.photos ?? []), entry],
            ...(current?.notes !== undefined ? { notes: current.notes } : {}),
          };
          return this.#measurements.upsertForDate(id, day, content, current ? { expectedVersion: current.version } : {}, u.ctx);
        }, { maxAttempts: 10 });
      } catch (error) {
        if (!(error instanceof ConcurrencyError) || uow || attempt >= 5) throw error;
      }
    }
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

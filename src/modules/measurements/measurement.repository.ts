import type { Db, Document, ObjectId } from 'mongodb';
import { z } from 'zod';
import { ConcurrencyError, ConflictError, NotFoundError } from '../../core/errors.js';
import type { UserId } from '../../core/ids.js';
import type { Page, PageRequest } from '../../core/pagination.js';
import { createDocumentCodec } from '../../stores/mongo/document-codec.js';
import { toNexfitError } from '../../stores/mongo/error-mapping.js';
import { MongoRepository, sessionOf, type RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import { timeRangeCondition, timeRangeSchema, type TimeRangeInput } from '../../stores/mongo/time-range.js';
import type { StoreContext } from '../../stores/store-context.js';
import { upgradeOnRead } from '../../stores/mongo/document-migrations/upgrade-on-read.js';
import {
  createMeasurementInputSchema,
  measurementSchema,
  patchMeasurementInputSchema,
  readingsOfDayValues,
  readingsOutsideDay,
  type BodyMeasurements,
  type Measurement,
  type MeasurementReading,
} from './measurement.schema.js';
import { MEASUREMENTS_COLLECTION, measurementDerivedFields } from './measurement.collection.js';
import { MEASUREMENT_DOCUMENT_MIGRATIONS } from './measurement.document-migrations.js';
import type { MeasurementCategoryId } from '../../core/ids.js';
import { VALIDATION_MESSAGES } from '../../core/validation-messages.js';

const definition = MEASUREMENTS_COLLECTION;
const fields = measurementSchema.shape;

/**
 * The content of one day's measurement, as {@link MeasurementRepository.upsertForDate} writes
 * it: the day's values, its readings (omitted: one reading at the day's start holding the
 * values), photos and notes.
 */
export const measurementDataSchema = z.strictObject({
  measurements: fields.measurements,
  readings: fields.readings.optional(),
  photos: fields.photos.default([]),
  notes: fields.notes,
});
/** What {@link MeasurementRepository.upsertForDate} takes as a day's content. */
export type MeasurementDataInput = z.input<typeof measurementDataSchema>;

/** A day and its content, checked together: every reading within the day. */
const dayContentSchema = measurementDataSchema.extend({ date: fields.date }).superRefine((value, ctx) => {
  for (const index of readingsOutsideDay(value.date, value.readings ?? [])) {
    ctx.addIssue({ code: 'custom', path: ['readings', index, 'takenAt'], message: VALIDATION_MESSAGES.readingOutsideDay.en });
  }
});

const userIdSchema = measurementSchema.shape.userId;
const dateSchema = measurementSchema.shape.date;
const writeOptionsSchema = z.strictObject({ expectedVersion: z.number().int().min(1).optional() });

/**
 * The `measurements` collection: one measurement per user per date (the seed's unique
 * `userId + date` index, which also serves the newest-first history). Dates are compared
 * exactly: callers pass the instant that stands for the day (UTC midnight of the calendar date).
 *
 * @example
 * ```ts
 * const measurements = new MeasurementRepository(db, deps)
 * await measurements.upsertForDate(userId, '2026-03-01', { measurements: { weight: 72.4 } })
 * const history = await measurements.listByUser(userId, { from: '2026-01-01' }, { limit: 20 })
 * ```
 */
export class MeasurementRepository extends MongoRepository<Measurement, typeof createMeasurementInputSchema, typeof patchMeasurementInputSchema> {
  constructor(db: Db, deps: RepositoryDeps) {
    super(
      db,
      {
        entity: 'measurement',
        collection: definition.name,
        schemaVersion: definition.schemaVersion,
        entitySchema: measurementSchema,
        idSchema: measurementSchema.shape.id,
        createSchema: createMeasurementInputSchema,
        patchSchema: patchMeasurementInputSchema,
        codec: createDocumentCodec<Measurement>(definition.storedSchema),
        encryptedFields: definition.encryptedFields,
        plaintextUntilRotated: definition.plaintextUntilRotated,
        derive: definition.derive,
        hiddenFields: definition.hiddenFields,
        upgrade: upgradeOnRead(definition.name, MEASUREMENT_DOCUMENT_MIGRATIONS),
      },
      deps,
    );
  }

  /** The user's measurement of `date`, or `null`. */
  async findByUserAndDate(userId: UserId, date: Date | string, ctx?: StoreContext): Promise<Measurement | null> {
    return this.run('findByUserAndDate', async () => this.findOneWhere(this.#dayFilter(userId, date), ctx));
  }

  /**
   * Writes the user's measurement of `date` in one atomic `findOneAndUpdate`: inserted at
   * version 1 when the day has none, otherwise its content replaced and its version bumped.
   * With `expectedVersion` the day's measurement must exist at that version
   * (`ConcurrencyError` when it moved on, `NotFoundError` when there is none).
   */
  async upsertForDate(
    userId: UserId,
    date: Date | string,
    data: MeasurementDataInput,
    options: { readonly expectedVersion?: number } = {},
    ctx?: StoreContext,
  ): Promise<Measurement> {
    return this.run('upsertForDate', async () => {
      const day = this.#dayFilter(userId, date);
      const { date: dayStart, readings, ...rest } = this.parse(dayContentSchema, { ...(data as object), date: day['date'] as Date });
      const content = { ...rest, readings: readings ?? readingsOfDayValues(dayStart, rest.measurements) };
      const { expectedVersion } = this.parse(writeOptionsSchema, options);
      const label = `${String(userId)}@${String(date)}`;
      // The encrypted values are bound to their document's id, so the id is settled before the
      // write: the day's document when it has one, else a new one. A document that appears or
      // goes in between makes the write miss, and it is done again against the new state.
      for (let attempt = 1; ; attempt += 1) {
        const existing = await this.collection.findOne(day, { ...sessionOf(ctx), projection: { _id: 1 } });
        if (expectedVersion !== undefined && !existing) throw new NotFoundError(this.config.entity, label);
        const _id = (existing?.['_id'] as ObjectId | undefined) ?? this.toObjectId(this.deps.ids.newObjectId());
        const now = this.deps.clock.now();
        const update = this.#contentUpdate(_id.toHexString(), content, now);
        if (existing) {
          const filter: Document = { ...day, _id, ...(expectedVersion === undefined ? {} : { version: expectedVersion }) };
          const updated = await this.collection.findOneAndUpdate(filter, update, { ...sessionOf(ctx), returnDocument: 'after' });
          if (updated) return this.#checked(updated);
          if (expectedVersion !== undefined) {
            throw (await this.collection.countDocuments({ ...day, _id }, { ...sessionOf(ctx), limit: 1 })) > 0
              ? new ConcurrencyError(this.config.entity, label)
              : new NotFoundError(this.config.entity, label);
          }
        } else {
          // `$inc` on the missing field starts an inserted document at version 1.
          update['$setOnInsert'] = { schemaVersion: this.config.schemaVersion, createdAt: now };
          try {
            return this.#checked(await this.collection.findOneAndUpdate({ ...day, _id }, update, { ...sessionOf(ctx), upsert: true, returnDocument: 'after' }));
          } catch (error) {
            // Two first writes of the same day race: the loser's insert hits the unique index, and
            // its next attempt updates the winner's document instead.
            const mapped = toNexfitError(error, { entity: this.config.entity });
            if (!(mapped instanceof ConflictError && mapped.reason === 'duplicate')) throw mapped;
          }
        }
        if (attempt >= 5) throw new ConcurrencyError(this.config.entity, label);
      }
    });
  }

  /** The `$set`/`$unset` writing a day's content into the document `id`, health data sealed. */
  #contentUpdate(id: string, content: z.output<typeof measurementDataSchema> & { readings: MeasurementReading[] }, now: Date): Document {
    const { notes, measurements, readings, photos } = content;
    // Category ids as ObjectIds inside the sealed readings too, as the codec stores every id.
    const stored = this.config.codec.toDocument({ readings } as never)['readings'] as unknown;
    return {
      $set: {
        measurements: this.encryptedValue('measurements', id, measurements),
        readings: this.encryptedValue('readings', id, stored),
        ...measurementDerivedFields({ readings }),
        photos,
        ...(notes !== undefined ? { notes: this.encryptedValue('notes', id, notes) } : {}),
        updatedAt: now,
      },
      $inc: { version: 1 },
      ...(notes === undefined ? { $unset: { notes: '' } } : {}),
    };
  }

  /** The user's measurements in `[from, to)`, newest first. */
  async listByUser(userId: UserId, range: TimeRangeInput = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<Measurement>> {
    const filter: Document = { userId: this.#userObjectId(userId) };
    const window = timeRangeCondition(this.parse(timeRangeSchema, range));
    if (window) filter['date'] = window;
    return this.pageWhere('listByUser', filter, [['date', -1]], page, ctx);
  }

  /** Whether any day of the user holds a value of the category (on the `userId_customCategoryIds_date` index). */
  async hasCategoryValues(userId: UserId, categoryId: MeasurementCategoryId, ctx?: StoreContext): Promise<boolean> {
    return this.run('hasCategoryValues', async () => (await this.collection.countDocuments(this.#categoryFilter(userId, categoryId), { ...sessionOf(ctx), limit: 1 })) > 0);
  }

  /** The user's days in `[from, to)` holding a value of the category, oldest first. */
  async listByUserWithCategory(userId: UserId, categoryId: MeasurementCategoryId, range: TimeRangeInput = {}, page?: PageRequest, ctx?: StoreContext): Promise<Page<Measurement>> {
    const filter = this.#categoryFilter(userId, categoryId);
    const window = timeRangeCondition(this.parse(timeRangeSchema, range));
    if (window) filter['date'] = window;
    return this.pageWhere('listByUserWithCategory', filter, [['date', 1]], page, ctx);
  }

  /**
   * The entity of a stored document. A document of format 1 has no readings: its day's
   * values are read as one reading at the day's start (none when it has no values).
   */
  protected override fromStored(doc: Document): Measurement {
    const { customCategoryIds: _derived, ...stored } = doc;
    const entity = super.fromStored(stored);
    if ((entity as { readings?: unknown }).readings !== undefined) return entity;
    return { ...entity, readings: readingsOfDayValues(entity.date, entity.measurements ?? {}) };
  }

  /** A new measurement created without readings holds its values as one reading at the day's start. */
  protected override buildNew(parsed: Record<string, unknown>): Measurement {
    if (parsed['readings'] !== undefined || !(parsed['date'] instanceof Date)) return super.buildNew(parsed);
    return super.buildNew({ ...parsed, readings: readingsOfDayValues(parsed['date'], (parsed['measurements'] ?? {}) as BodyMeasurements) });
  }

  #categoryFilter(userId: unknown, categoryId: unknown): Document {
    return {
      userId: this.#userObjectId(userId),
      customCategoryIds: this.toObjectId(this.parse(measurementSchema.shape.readings.element.shape.custom.element.shape.categoryId, categoryId)),
    };
  }

  #userObjectId(userId: unknown) {
    return this.config.codec.toStoredValue('userId', this.parse(userIdSchema, userId));
  }

  #dayFilter(userId: unknown, date: unknown): Document {
    return { userId: this.#userObjectId(userId), date: this.parse(dateSchema, date) };
  }

  /** The entity of a written document, validated as a whole (the update touched parts of it). */
  #checked(doc: Document | null): Measurement {
    if (!doc) throw new NotFoundError(this.config.entity, 'upsert');
    return this.parse(measurementSchema, this.fromStored(doc));
  }
}

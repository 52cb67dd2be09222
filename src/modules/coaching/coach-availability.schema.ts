import { z } from 'zod';
import { entityFields, patchSchemaOf, pickFields } from '../../core/entity-schema.js';
import { idSchema } from '../../core/ids.js';
import { calendarDateSchema, timeOfDaySchema, weekdaySchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';

/** The end of a wall-clock window: a time of day, or `24:00` for "until midnight". */
export const windowEndSchema = z.union([timeOfDaySchema, z.literal('24:00')]);

/**
 * One weekly window in which a coach takes PT sessions: `day` (0 = Sunday … 6 = Saturday,
 * as facility opening hours number them) from `start` to `end`, wall-clock times in the
 * facility's time zone. A window ends on the day it starts (`end` after `start`).
 *
 * @example
 * ```ts
 * weeklyAvailabilitySchema.parse({ day: 1, start: '09:00', end: '12:00' }) // Mondays 09:00–12:00
 * ```
 */
export const weeklyAvailabilitySchema = z
  .strictObject({ day: weekdaySchema, start: timeOfDaySchema, end: windowEndSchema })
  .refine((w) => w.end > w.start, { error: M.endAfterStart.en, path: ['end'] });

/** The kinds of availability exception: time off, or extra hours. */
export const AVAILABILITY_EXCEPTION_KINDS = ['off', 'extra'] as const;
/** `off` takes time away from a day, `extra` adds hours to it. */
export type AvailabilityExceptionKind = (typeof AVAILABILITY_EXCEPTION_KINDS)[number];

/**
 * One dated exception to the weekly windows, on a calendar `date` of the facility's zone:
 * `off` without times is a day off, `off` with `start`/`end` takes those hours off, and
 * `extra` (which needs both) adds hours. Off time wins over weekly and extra hours alike.
 *
 * @example
 * ```ts
 * availabilityExceptionSchema.parse({ date: '2026-04-06', kind: 'off' }) // Easter Monday off
 * ```
 */
export const availabilityExceptionSchema = z
  .strictObject({
    date: calendarDateSchema,
    kind: z.enum(AVAILABILITY_EXCEPTION_KINDS),
    start: timeOfDaySchema.optional(),
    end: windowEndSchema.optional(),
  })
  .refine((e) => (e.kind === 'extra' ? e.start !== undefined && e.end !== undefined : (e.start === undefined) === (e.end === undefined)), {
    error: M.availabilityExceptionTimes.en,
    path: ['start'],
  })
  .refine((e) => e.start === undefined || e.end === undefined || e.end > e.start, { error: M.endAfterStart.en, path: ['end'] });

/** A weekly availability window. */
export type WeeklyAvailability = z.output<typeof weeklyAvailabilitySchema>;
/** A dated availability exception. */
export type AvailabilityException = z.output<typeof availabilityExceptionSchema>;

type Window = { readonly start?: string | undefined; readonly end?: string | undefined };
const overlaps = (a: Window, b: Window) => a.start !== undefined && b.start !== undefined && a.end !== undefined && b.end !== undefined && a.start < b.end && b.start < a.end;

/** The index of the first entry that overlaps an earlier one of the same group, or -1. */
function firstOverlap<T extends Window>(entries: readonly T[], group: (entry: T) => string | null): number {
  return entries.findIndex((entry, i) => {
    const key = group(entry);
    return key !== null && entries.slice(0, i).some((earlier) => group(earlier) === key && overlaps(earlier, entry));
  });
}

const availabilityFields = {
  coachId: idSchema('UserId'),
  facilityId: idSchema('FacilityId'),
  weekly: z.array(weeklyAvailabilitySchema).max(70),
  exceptions: z.array(availabilityExceptionSchema).max(400),
};

type AvailabilityLists = { readonly weekly?: readonly WeeklyAvailability[] | undefined; readonly exceptions?: readonly AvailabilityException[] | undefined };

/** Weekly windows of one day may not overlap, nor may extra hours of one date. */
function refineWindows(value: AvailabilityLists, ctx: z.RefinementCtx): void {
  const weekly = value.weekly ? firstOverlap(value.weekly, (w) => String(w.day)) : -1;
  if (weekly >= 0) ctx.addIssue({ code: 'custom', message: M.availabilityOverlap.en, path: ['weekly', weekly] });
  const extra = value.exceptions ? firstOverlap(value.exceptions, (e) => (e.kind === 'extra' ? e.date : null)) : -1;
  if (extra >= 0) ctx.addIssue({ code: 'custom', message: M.availabilityOverlap.en, path: ['exceptions', extra] });
}

/**
 * A coach's recurring availability at one facility (one document per coach and facility):
 * the weekly windows and the dated exceptions, in the facility's time zone.
 *
 * @example
 * ```ts
 * createCoachAvailabilityInputSchema.parse({ coachId, facilityId, weekly: [{ day: 1, start: '09:00', end: '12:00' }], exceptions: [] })
 * ```
 */
export const coachAvailabilitySchema = z.strictObject({ ...entityFields('CoachAvailabilityId'), ...availabilityFields }).superRefine(refineWindows);
/** A stored `coach_availabilities` document; the collection's `$jsonSchema` validator is generated from it. */
export const storedCoachAvailabilitySchema = coachAvailabilitySchema;

/** Validates the input that sets a coach's availability at a facility. */
export const createCoachAvailabilityInputSchema = z
  .strictObject({ ...availabilityFields, exceptions: availabilityFields.exceptions.default([]) })
  .superRefine(refineWindows);

/** The windows and exceptions change; the coach and the facility never do. */
export const patchCoachAvailabilityInputSchema = patchSchemaOf(pickFields(availabilityFields, ['weekly', 'exceptions'])).superRefine(refineWindows);

/** A coach's availability at one facility as the SDK returns it. */
export type CoachAvailability = z.output<typeof coachAvailabilitySchema>;
/** What a caller passes to set a coach's availability at a facility. */
export type CoachAvailabilityInput = z.input<typeof createCoachAvailabilityInputSchema>;
/** A parsed availability input. */
export type CoachAvailabilityData = z.output<typeof createCoachAvailabilityInputSchema>;
/** A parsed update of an availability. */
export type PatchCoachAvailabilityData = z.output<typeof patchCoachAvailabilityInputSchema>;

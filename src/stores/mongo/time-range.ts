import type { Document } from 'mongodb';
import { z } from 'zod';
import { instantSchema } from '../../core/schema-primitives.js';
import { VALIDATION_MESSAGES as M } from '../../core/validation-messages.js';

/**
 * A half-open time window `[from, to)`: either end may be left open. Half-open windows tile
 * (this week's `to` is next week's `from`), so nothing is counted twice in a report.
 *
 * @example
 * ```ts
 * timeRangeSchema.parse({ from: '2026-03-01', to: '2026-04-01' })
 * ```
 */
export const timeRangeSchema = z
  .strictObject({ from: instantSchema.optional(), to: instantSchema.optional() })
  .refine((r) => r.from === undefined || r.to === undefined || r.from.getTime() < r.to.getTime(), {
    error: M.endAfterStart.en,
    path: ['to'],
  });

export type TimeRangeInput = z.input<typeof timeRangeSchema>;
export type TimeRange = z.output<typeof timeRangeSchema>;

/** The MongoDB condition of a parsed window on one date field, or `undefined` when it is unbounded. */
export function timeRangeCondition(range: TimeRange): Document | undefined {
  if (range.from === undefined && range.to === undefined) return undefined;
  return { ...(range.from !== undefined ? { $gte: range.from } : {}), ...(range.to !== undefined ? { $lt: range.to } : {}) };
}

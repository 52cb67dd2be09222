import { z } from 'zod';
import type { NexfitErrorCode, ValidationIssue } from '../core/errors.js';

/** The most rows one `createMany` call takes; a bigger load is split by the caller (or `nexfit import`). */
export const MAX_BULK_ROWS = 100_000;

/**
 * Options of a repository's `createMany`.
 *
 * - `ordered` (the default): rows are taken in order and the first bad one stops the batch:
 *   every row before it is written, it is reported, and nothing after it is written or
 *   looked at.
 * - `ordered: false`: every bad row is reported with its index and every good row is
 *   written, once.
 */
export interface BulkCreateOptions {
  readonly ordered?: boolean;
}

/** Validates {@link BulkCreateOptions}. */
export const bulkCreateOptionsSchema = z.strictObject({ ordered: z.boolean().optional() });

/**
 * A row `createMany` did not write: its index in the input, and why — `VALIDATION_FAILED`
 * with the schema's issues (paths relative to the row), or `CONFLICT` when the store already
 * holds (or the batch repeats) a row with the same unique key.
 */
export interface BulkRejection {
  readonly index: number;
  readonly code: Extract<NexfitErrorCode, 'VALIDATION_FAILED' | 'CONFLICT'>;
  readonly message: string;
  readonly issues: readonly ValidationIssue[];
}

/**
 * What a `createMany` did: the entities written, in input order, and the rows refused. In
 * ordered mode `rejected` holds at most one row, and `created` is every row before it.
 */
export interface BulkCreateResult<E> {
  readonly created: readonly E[];
  readonly rejected: readonly BulkRejection[];
}

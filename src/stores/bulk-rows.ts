import { z } from 'zod';
import { MAX_BULK_ROWS } from './bulk.js';

const bulkListSchema = z.array(z.unknown()).max(MAX_BULK_ROWS);

const isPlainList = (value: unknown): value is readonly unknown[] => Array.isArray(value) && Object.getPrototypeOf(value) === Array.prototype;

/**
 * The rows of a `createMany` call. Only the list itself is checked here — a plain array of at
 * most {@link MAX_BULK_ROWS} rows, else the `ValidationError` that `parse` (the repository's
 * parse, with its locale and entity name) throws — so that a bad row is reported as that row's
 * rejection, never as a refusal of the whole call.
 *
 * @example
 * ```ts
 * const rows = bulkRowsOf(inputs, (schema, value) => parseOrThrow(schema, value)) // throws for `{}` or 100 001 rows
 * ```
 */
export function bulkRowsOf(inputs: unknown, parse: (schema: z.ZodType, value: unknown) => unknown): readonly unknown[] {
  if (isPlainList(inputs) && inputs.length <= MAX_BULK_ROWS) return inputs;
  // The rows of a list that is too long are stood in for, so its refusal is about its length, never about a row.
  parse(bulkListSchema, isPlainList(inputs) ? Array.from({ length: inputs.length }, () => null) : inputs);
  throw new TypeError('a createMany list that is not a plain array of at most MAX_BULK_ROWS rows passed validation');
}

import { z } from 'zod';
import { ValidationError } from './errors.js';

/** One page of a list and the cursor of the next one (`null` on the last page). */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

/** Page size and position; pages are keyset-based (no skip), so deep pages stay index-backed. */
export interface PageRequest {
  /** 1..200, default 50. */
  readonly limit?: number;
  /** The `nextCursor` of the previous page. */
  readonly after?: string;
}

export const pageRequestSchema = z.strictObject({
  limit: z.number().int().min(1).max(200).optional(),
  after: z.string().max(2_000).optional(),
});

export const DEFAULT_PAGE_SIZE = 50;

type CursorValue = string | number | boolean | null | { readonly $date: string };

/**
 * Encodes the sort values of the last item of a page as an opaque cursor. Dates survive the
 * round trip; anything else in a cursor is refused when decoded.
 */
export function encodeCursor(values: readonly unknown[]): string {
  const plain = values.map((v): CursorValue => (v instanceof Date ? { $date: v.toISOString() } : (v as CursorValue)));
  return Buffer.from(JSON.stringify(plain), 'utf8').toString('base64url');
}

const cursorValueSchema = z.union([
  z.string().max(500),
  z.number().finite(),
  z.boolean(),
  z.null(),
  z.strictObject({ $date: z.iso.datetime() }),
]);

/** Decodes a cursor made by {@link encodeCursor}; a forged or stale cursor is a `ValidationError`. */
export function decodeCursor(cursor: string, expectedLength: number): unknown[] {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const parsed = z.array(cursorValueSchema).length(expectedLength).safeParse(raw);
  if (!parsed.success) {
    throw new ValidationError('Invalid page cursor', [{ path: ['after'], code: 'invalid_cursor', message: 'The cursor is not one this list produced' }]);
  }
  return parsed.data.map((v) => (v !== null && typeof v === 'object' ? new Date(v.$date) : v));
}

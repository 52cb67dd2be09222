import { TransientStoreError } from '../core/errors.js';
import { isRetryablePostgresError } from '../stores/postgres/error-mapping.js';

function hasLabel(error: unknown, label: string): boolean {
  const labels = (error as { errorLabels?: unknown })?.errorLabels;
  if (Array.isArray(labels) && labels.includes(label)) return true;
  const hasErrorLabel = (error as { hasErrorLabel?: (l: string) => boolean })?.hasErrorLabel;
  return typeof hasErrorLabel === 'function' ? hasErrorLabel.call(error, label) : false;
}

/**
 * Whether the whole unit may be re-run: MongoDB's `TransientTransactionError` label,
 * PostgreSQL serialization failures and deadlocks, or an SDK `TransientStoreError`
 * (what the repositories map those to).
 */
export function isTransientUnitError(error: unknown): boolean {
  if (error instanceof TransientStoreError) return true;
  if (hasLabel(error, 'TransientTransactionError')) return true;
  const cause = (error as { cause?: unknown })?.cause;
  if (cause && cause !== error && hasLabel(cause, 'TransientTransactionError')) return true;
  return isRetryablePostgresError(error) || (cause !== undefined && isRetryablePostgresError(cause));
}

/** Whether only the MongoDB commit should be retried (the driver's `UnknownTransactionCommitResult`). */
export function isUnknownCommitResult(error: unknown): boolean {
  return hasLabel(error, 'UnknownTransactionCommitResult');
}

/** Full-jitter exponential backoff for attempt `n` (1-based), capped. */
export function backoffMs(attempt: number): number {
  return Math.random() * Math.min(250, 5 * 2 ** attempt);
}

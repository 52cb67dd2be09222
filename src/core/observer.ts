import type { PoolEvent } from './pool-metrics.js';

/** One store operation as the SDK's repositories report it to the host's observer. */
export interface StoreOperationEvent {
  readonly store: 'mongo' | 'postgres';
  /** Collection or table. */
  readonly target: string;
  /** Repository operation (`create`, `getById`, `list`, `patch`, …). */
  readonly operation: string;
  readonly durationMs: number;
  readonly ok: boolean;
  /** The `code` of the SDK error, when the operation failed. */
  readonly errorCode?: string;
}

/**
 * Host-supplied hooks: metrics, tracing, slow-query logs. Injected through
 * `createNexfit({ observer })`; every hook is optional and must not throw.
 *
 * @example
 * ```ts
 * createNexfit({ observer: { onStoreOperation: (e) => e.durationMs > 100 && log.warn(e) } })
 * ```
 */
export interface NexfitObserver {
  /** Called after every store operation with its outcome and duration. */
  onStoreOperation?(event: StoreOperationEvent): void;
  /**
   * Called with an error the SDK handled away from any caller: an idle pooled PostgreSQL
   * connection dropped by the server (the pool replaces it), a unit of work's post-commit
   * step left to recovery, an event handler that threw. `where` names the place.
   */
  onBackgroundError?(error: unknown, where: string): void;
  /**
   * Called on every connection-pool event of either driver (a MongoDB connection checked out
   * or in, created, closed, a pool cleared; a PostgreSQL connection opened, acquired,
   * removed) with the pool's counters right after it: in use, idle, waiting.
   */
  onPoolEvent?(event: PoolEvent): void;
}

/** Runs `fn`, reporting it to the observer (if any) with its duration and outcome. */
export async function observed<T>(
  observer: NexfitObserver | undefined,
  base: Omit<StoreOperationEvent, 'durationMs' | 'ok' | 'errorCode'>,
  fn: () => Promise<T>,
): Promise<T> {
  if (!observer?.onStoreOperation) return fn();
  const started = performance.now();
  try {
    const result = await fn();
    report(observer, { ...base, durationMs: performance.now() - started, ok: true });
    return result;
  } catch (error) {
    const errorCode = error && typeof error === 'object' && 'code' in error ? String(error.code) : undefined;
    report(observer, { ...base, durationMs: performance.now() - started, ok: false, ...(errorCode ? { errorCode } : {}) });
    throw error;
  }
}

function report(observer: NexfitObserver, event: StoreOperationEvent): void {
  try {
    observer.onStoreOperation?.(event);
  } catch {
    // An observer must never break the operation it observes.
  }
}

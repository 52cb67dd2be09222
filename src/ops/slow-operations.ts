import type { NexfitObserver, StoreOperationEvent } from '../core/observer.js';
import { systemClock, type Clock } from '../core/clock.js';

/** A store operation that took at least the recorder's threshold. */
export interface SlowOperation extends StoreOperationEvent {
  readonly at: Date;
}

/** What a {@link SlowOperationRecorder} has seen since it started or was reset. */
export interface SlowOperationsSnapshot {
  readonly thresholdMs: number;
  /** How many operations met the threshold, kept or not. */
  readonly overThreshold: number;
  /** The slowest of them, slowest first, at most `capacity`. */
  readonly slowest: readonly SlowOperation[];
}

/** Anything that can report slow operations to the health report. */
export interface SlowOperationSource {
  /** The slowest operations seen so far. */
  snapshot(): SlowOperationsSnapshot;
}

/** Options of a {@link SlowOperationRecorder}. */
export interface SlowOperationRecorderOptions {
  /** Operations faster than this are ignored (default 100 ms; 0 keeps the slowest of all). */
  readonly thresholdMs?: number;
  /** How many of the slowest are kept (default 20). */
  readonly capacity?: number;
  readonly clock?: Clock;
}

/**
 * A `NexfitObserver` that keeps the N slowest store operations over a threshold in memory,
 * for the health report. Bounded: it never holds more than `capacity` events.
 *
 * @example
 * ```ts
 * const slow = new SlowOperationRecorder({ thresholdMs: 50 });
 * const nexfit = await createNexfit({ observer: slow });
 * const report = await healthReport({ db: nexfit.mongo.db, pg: nexfit.pg, observerStats: slow });
 * ```
 */
export class SlowOperationRecorder implements NexfitObserver, SlowOperationSource {
  readonly #thresholdMs: number;
  readonly #capacity: number;
  readonly #clock: Clock;
  #slowest: SlowOperation[] = [];
  #overThreshold = 0;

  constructor(options: SlowOperationRecorderOptions = {}) {
    this.#thresholdMs = options.thresholdMs ?? 100;
    this.#capacity = options.capacity ?? 20;
    this.#clock = options.clock ?? systemClock;
  }

  /** Records the operation if it took longer than the threshold. */
  onStoreOperation(event: StoreOperationEvent): void {
    if (event.durationMs < this.#thresholdMs) return;
    this.#overThreshold++;
    const full = this.#slowest.length >= this.#capacity;
    if (full && (this.#slowest.at(-1)?.durationMs ?? Infinity) >= event.durationMs) return;
    const index = this.#slowest.findIndex((kept) => kept.durationMs < event.durationMs);
    this.#slowest.splice(index === -1 ? this.#slowest.length : index, 0, { ...event, at: this.#clock.now() });
    if (this.#slowest.length > this.#capacity) this.#slowest.pop();
  }

  /** The slow operations recorded so far, for the health report. */
  snapshot(): SlowOperationsSnapshot {
    return { thresholdMs: this.#thresholdMs, overThreshold: this.#overThreshold, slowest: [...this.#slowest] };
  }

  /** Forgets everything seen so far (after a report has been sent, say). */
  reset(): void {
    this.#slowest = [];
    this.#overThreshold = 0;
  }
}

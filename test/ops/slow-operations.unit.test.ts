import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/core/clock.js';
import type { StoreOperationEvent } from '../../src/core/observer.js';
import { SlowOperationRecorder } from '../../src/ops/slow-operations.js';

const op = (durationMs: number, operation = `op${durationMs}`): StoreOperationEvent => ({ store: 'mongo', target: 'users', operation, durationMs, ok: true });

describe('SlowOperationRecorder', () => {
  it('keeps the slowest operations over the threshold, slowest first, within its capacity', () => {
    const clock = fixedClock('2026-03-01T00:00:00Z');
    const recorder = new SlowOperationRecorder({ thresholdMs: 10, capacity: 3, clock });
    for (const ms of [5, 12, 40, 9, 25, 11, 100, 10]) recorder.onStoreOperation(op(ms));
    const snapshot = recorder.snapshot();
    expect(snapshot.overThreshold).toBe(6);
    expect(snapshot.slowest.map((o) => o.durationMs)).toEqual([100, 40, 25]);
    expect(snapshot.slowest[0]).toMatchObject({ store: 'mongo', target: 'users', operation: 'op100', at: clock.now() });
  });

  it('starts over after a reset', () => {
    const recorder = new SlowOperationRecorder({ thresholdMs: 0 });
    recorder.onStoreOperation(op(1));
    recorder.reset();
    expect(recorder.snapshot()).toEqual({ thresholdMs: 0, overThreshold: 0, slowest: [] });
  });
});

/**
 * The points of the unit-of-work protocol at which a test can inject a crash. They are
 * named after what has already happened when the point is reached.
 */
export const UOW_PROTOCOL_STEPS = [
  /** The callback's writes are done in both open transactions; nothing is prepared. */
  'before-prepare',
  /** PostgreSQL is prepared (two-phase) or committed with its intent (ordered); MongoDB is open. */
  'after-prepare',
  /** The decision record is written in the MongoDB transaction, not yet committed. */
  'before-decision',
  /** MongoDB committed, with the decision record: the commit point has passed. */
  'after-decision',
  /** PostgreSQL's prepared transaction is committed (two-phase) or the intent is closed (ordered). */
  'after-postgres-commit',
] as const;

/** A step of the unit-of-work protocol where a test can inject a crash. */
export type UowProtocolStep = (typeof UOW_PROTOCOL_STEPS)[number];

/**
 * Thrown by a fault injector to simulate the process dying at a protocol step: the
 * coordinator then does nothing more (no rollback, no commit), exactly as a dead process
 * would, and leaves the stores to recovery.
 */
export class SimulatedCrash extends Error {
  readonly step: UowProtocolStep;
  constructor(step: UowProtocolStep) {
    super(`simulated crash at ${step}`);
    this.name = 'SimulatedCrash';
    this.step = step;
  }
}

/** Called at every protocol step; tests throw {@link SimulatedCrash} (or anything) from it. */
export type FaultInjector = (step: UowProtocolStep, unitId: string) => void | Promise<void>;

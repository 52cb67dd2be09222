import type { ClientSession, Collection, Db } from 'mongodb';

/** The decision of one unit of work, durable in MongoDB. */
export interface UowDecisionDocument {
  /** The unit's global transaction id (also the PostgreSQL prepared-transaction gid). */
  readonly _id: string;
  readonly decision: 'commit' | 'abort';
  readonly decidedAt: Date;
  /** When the TTL index may remove the record: after the recovery window. */
  readonly expiresAt: Date;
  /** Who decided: the unit's own coordinator, or recovery fencing an abandoned unit. */
  readonly by: 'coordinator' | 'recovery';
}

export const UOW_DECISIONS_COLLECTION = 'nexfit_uow_decisions';

/**
 * The decision records. The coordinator writes `commit` inside the unit's MongoDB
 * transaction, so the transaction's commit is the unit's commit point. Recovery writes
 * `abort` outside any transaction to fence an abandoned unit: the `_id` is unique, so at
 * most one of the two ever exists.
 */
export class DecisionLog {
  readonly #collection: Collection<UowDecisionDocument>;
  readonly #recoveryWindowMs: number;

  constructor(db: Db, recoveryWindowMs: number) {
    this.#collection = db.collection<UowDecisionDocument>(UOW_DECISIONS_COLLECTION);
    this.#recoveryWindowMs = recoveryWindowMs;
  }

  /** Records `commit` inside the unit's MongoDB transaction. */
  async recordCommit(unitId: string, now: Date, session: ClientSession): Promise<void> {
    await this.#collection.insertOne(this.#record(unitId, 'commit', now, 'coordinator'), { session });
  }

  /**
   * Fences an abandoned unit: writes `abort` unless a decision exists. Returns the decision
   * that stands (the existing one when the insert lost to it).
   */
  async fenceAbort(unitId: string, now: Date): Promise<'commit' | 'abort'> {
    try {
      await this.#collection.insertOne(this.#record(unitId, 'abort', now, 'recovery'), { writeConcern: { w: 'majority' } });
      return 'abort';
    } catch (error) {
      if ((error as { code?: unknown }).code !== 11000) throw error;
      const existing = await this.find(unitId);
      if (!existing) throw error;
      return existing.decision;
    }
  }

  async find(unitId: string): Promise<UowDecisionDocument | null> {
    return this.#collection.findOne({ _id: unitId }, { readConcern: { level: 'majority' } });
  }

  #record(unitId: string, decision: 'commit' | 'abort', now: Date, by: UowDecisionDocument['by']): UowDecisionDocument {
    return { _id: unitId, decision, decidedAt: now, expiresAt: new Date(now.getTime() + this.#recoveryWindowMs), by };
  }
}

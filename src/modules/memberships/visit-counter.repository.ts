import type { Db } from 'mongodb';
import type { MemberSubscriptionId } from '../../core/ids.js';
import { BoundedCounters } from '../../stores/mongo/bounded-counters.js';
import { MONGO_COLLECTIONS } from '../../stores/mongo/collections.js';
import type { RepositoryDeps } from '../../stores/mongo/mongo-repository.js';

/** The key of the visit counter of one member subscription in one ISO week (`2026-W10`). */
export function subscriptionWeekVisitsKey(memberSubscriptionId: MemberSubscriptionId, isoWeek: string): string {
  return `visits:${memberSubscriptionId}:${isoWeek}`;
}

/**
 * Facility visits per member subscription and ISO week (`membership_visit_counters`), the
 * count a plan's `maxVisitsPerWeek` is checked against ({@link BoundedCounters}: at most the
 * limit of concurrent check-ins succeed).
 *
 * @example
 * ```ts
 * const visits = new VisitCounterRepository(db, deps)
 * await visits.taken(subscriptionWeekVisitsKey(subscriptionId, '2026-W10'))
 * ```
 */
export class VisitCounterRepository extends BoundedCounters {
  constructor(db: Db, deps: RepositoryDeps) {
    super(db, MONGO_COLLECTIONS.membership_visit_counters.name, 'visit counter', deps);
  }
}

import type { Db } from 'mongodb';
import type { MemberSubscriptionId } from '../../core/ids.js';
import { BoundedCounters } from '../../stores/mongo/bounded-counters.js';
import type { RepositoryDeps } from '../../stores/mongo/mongo-repository.js';
import { MEMBERSHIP_VISIT_COUNTERS_COLLECTION } from './visit-counter.collection.js';

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
    super(db, MEMBERSHIP_VISIT_COUNTERS_COLLECTION.name, 'visit counter', deps);
  }
}

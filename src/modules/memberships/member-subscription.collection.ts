import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedMemberSubscriptionSchema } from './member-subscription.schema.js';

/**
 * The `member_subscriptions` collection: a member's subscription to a plan, with its payments.
 *
 * @example
 * ```ts
 * MEMBER_SUBSCRIPTIONS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const MEMBER_SUBSCRIPTIONS_COLLECTION = {
  name: 'member_subscriptions',
  storedSchema: storedMemberSubscriptionSchema,
  schemaVersion: 1,
  indexes: [
    { key: { userId: 1, status: 1 }, name: 'userId_status' },
    { key: { facilityId: 1, status: 1 }, name: 'facilityId_status' },
    // The nightly renewal/expiry job: active subscriptions ending before a date.
    { key: { endDate: 1, status: 1 }, name: 'endDate_status' },
    // Reconciliation finds the member subscription of a PostgreSQL payment.
    { key: { 'paymentHistory.transactionId': 1 }, name: 'paymentHistory_transactionId' },
    // The nightly credit-expiry job: class packs whose credits expired.
    { key: { 'credits.expiresAt': 1 }, name: 'credits_expiresAt' },
    // The nightly freeze job: subscriptions with a scheduled or running freeze.
    { key: { 'freezes.status': 1 }, name: 'freezes_status' },
    // The nightly dunning job: overdue renewals whose next retry is due.
    { key: { 'dunning.nextRetryAt': 1 }, name: 'dunning_nextRetryAt' },
  ],
} as const satisfies MongoCollectionDefinition;

import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedAccountLinkSchema } from './account-link.schema.js';

/**
 * The `account_links` collection: guardian and payer links, at most one active link per
 * account and dependant (a partial unique index), listed per account and per dependant.
 *
 * @example
 * ```ts
 * ACCOUNT_LINKS_COLLECTION.indexes.map((index) => index.name) // ['account_dependant_active_unique', 'accountUserId_status', 'dependantUserId_status', 'relation_status']
 * ```
 */
export const ACCOUNT_LINKS_COLLECTION = {
  name: 'account_links',
  storedSchema: storedAccountLinkSchema,
  schemaVersion: 1,
  indexes: [
    { key: { accountUserId: 1, dependantUserId: 1 }, name: 'account_dependant_active_unique', unique: true, partialFilterExpression: { status: { $eq: 'active' } } },
    { key: { accountUserId: 1, status: 1 }, name: 'accountUserId_status' },
    { key: { dependantUserId: 1, status: 1 }, name: 'dependantUserId_status' },
    // The nightly run over active guardian links.
    { key: { relation: 1, status: 1 }, name: 'relation_status' },
  ],
} as const satisfies MongoCollectionDefinition;

import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { coachClientDerivedFields, storedCoachClientSchema } from './coach-client.schema.js';

/**
 * The `coach_clients` collection: coaching relationships, their package and notes (the coach's private notes encrypted at rest).
 *
 * @example
 * ```ts
 * COACH_CLIENTS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const COACH_CLIENTS_COLLECTION = {
  name: 'coach_clients',
  storedSchema: storedCoachClientSchema,
  schemaVersion: 1,
  derive: coachClientDerivedFields,
  hiddenFields: ['isOpen'],
  // The coach's private notes; each note's date stays plain so the notes keep their order.
  encryptedFields: ['notes.private[].text'],
  indexes: [
    { key: { coachId: 1, 'relationship.status': 1 }, name: 'coachId_status' },
    { key: { clientId: 1, 'relationship.status': 1 }, name: 'clientId_status' },
    // At most one pending-or-active relationship per coach and client.
    { key: { coachId: 1, clientId: 1 }, name: 'coachId_clientId_open_unique', unique: true, partialFilterExpression: { isOpen: { $eq: true } } },
  ],
} as const satisfies MongoCollectionDefinition;

import { ascendingIndex as asc, type MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedPtSessionSchema } from './pt-session.schema.js';

/**
 * The `pt_sessions` collection: personal training sessions of a coach and a client.
 *
 * @example
 * ```ts
 * PT_SESSIONS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const PT_SESSIONS_COLLECTION = {
  name: 'pt_sessions',
  storedSchema: storedPtSessionSchema,
  schemaVersion: 1,
  indexes: [
    // Conflict detection and agendas: a coach's or a client's sessions by time.
    { key: { coachId: 1, startTime: 1 }, name: 'coachId_startTime' },
    { key: { clientId: 1, startTime: 1 }, name: 'clientId_startTime' },
    asc('coachClientId'),
  ],
} as const satisfies MongoCollectionDefinition;

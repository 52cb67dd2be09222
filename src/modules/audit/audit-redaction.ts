import type { JsonObject } from 'type-fest';
import type { MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { MONGO_COLLECTIONS } from '../mongo-collections.js';
import { mapEncryptedPath } from '../../stores/mongo/encrypted-fields.js';

/** What an audit snapshot holds in place of a value that is encrypted at rest. */
export const REDACTED = '[redacted]';

const collections = MONGO_COLLECTIONS as Readonly<Record<string, MongoCollectionDefinition>>;

/**
 * An audit snapshot with every field its entity encrypts at rest replaced by
 * {@link REDACTED}: `audit_logs` (and its archive) are append-only and outlive key
 * rotations, so they record that a health condition or a tax id changed, never its value.
 * Paths are the entity's own (`phoneNumber`, `roleSpecificData.client.medicalConditions`,
 * `notes.private[].text`), the same list that drives the encryption.
 *
 * @example
 * ```ts
 * redactEncryptedFields('users', { phoneNumber: '+905551234567', firstName: 'Ayşe' })
 * // { phoneNumber: '[redacted]', firstName: 'Ayşe' }
 * ```
 */
export function redactEncryptedFields(entityType: string, state: JsonObject | null): JsonObject | null {
  const paths = Object.hasOwn(collections, entityType) ? collections[entityType]?.encryptedFields : undefined;
  if (!state || !paths?.length) return state;
  return paths.reduce<JsonObject>((redacted, path) => mapEncryptedPath(redacted, path, () => REDACTED), state);
}

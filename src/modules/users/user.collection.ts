import { ascendingIndex as asc, type MongoCollectionDefinition } from '../../stores/mongo/collections.js';
import { storedUserSchema } from './user.schema.js';

/** A client's body data, stored in clear before layout 6 (see `plaintextUntilRotated`). */
const USER_BODY_FIELDS = ['roleSpecificData.client.dateOfBirth', 'roleSpecificData.client.height', 'roleSpecificData.client.weight'];

/**
 * The personal data of a user encrypted at rest: contact numbers, health data (medical
 * conditions, dietary restrictions, date of birth, height, weight), tax ids and emergency
 * contacts. The owner blocks are listed for both business roles.
 */
const USER_ENCRYPTED_FIELDS = [
  'phoneNumber',
  'roleSpecificData.client.dietaryRestrictions',
  'roleSpecificData.client.medicalConditions',
  ...USER_BODY_FIELDS,
  ...(['gym_owner', 'studio_owner'] as const).flatMap((role) => [`roleSpecificData.${role}.taxId`, `roleSpecificData.${role}.businessPhoneNumber`]),
  ...(['gym_member', 'studio_client'] as const).map((role) => `roleSpecificData.${role}.emergencyContact`),
];

/**
 * The `users` collection: accounts with their roles; contact numbers, health data, tax ids and emergency contacts encrypted at rest.
 *
 * @example
 * ```ts
 * USERS_COLLECTION.indexes.map((index) => index.name)
 * ```
 */
export const USERS_COLLECTION = {
  name: 'users',
  storedSchema: storedUserSchema,
  schemaVersion: 1,
  // Returned only when the auth service asks for it (SPEC decision 3); the blind index is stored-only.
  hiddenFields: ['passwordHash', 'phoneNumberBlindIndex'],
  encryptedFields: USER_ENCRYPTED_FIELDS,
  plaintextUntilRotated: USER_BODY_FIELDS,
  blindIndexes: [{ field: 'phoneNumber', storedAs: 'phoneNumberBlindIndex' }],
  indexes: [
    { key: { email: 1 }, name: 'email_unique', unique: true }, // seed
    asc('role'), // seed
    // Looking a user up by phone number: equality on the keyed hash of the normalised number.
    asc('phoneNumberBlindIndex'),
  ],
} as const satisfies MongoCollectionDefinition;

import type { Document } from 'mongodb';
import { FieldCipher } from '../../../../src/core/field-cipher.js';
import { createTestKeyring } from '../../../../src/core/keyring.js';
import { type MongoCollectionDefinition } from '../../../../src/stores/mongo/collections.js';
import { MONGO_COLLECTIONS } from '../../../../src/modules/mongo-collections.js';
import { createDocumentCodec } from '../../../../src/stores/mongo/document-codec.js';
import { encryptedFieldsOf } from '../../../../src/stores/mongo/key-rotation.js';
import { buildStored, entitySchemas, type EntityCollection } from '../../../modules/support/factories.js';

/**
 * The document the SDK stores for the factory entity of `collection`: encoded by the
 * collection's codec, and its encrypted fields sealed under the test keyring, as a
 * repository writes it.
 */
export function storedDocumentOf(collection: EntityCollection): Document {
  const encoded = createDocumentCodec(entitySchemas[collection].stored).toDocument(buildStored(collection));
  const definition: MongoCollectionDefinition = MONGO_COLLECTIONS[collection];
  if (!definition.encryptedFields?.length) return encoded;
  return encryptedFieldsOf(definition, new FieldCipher(createTestKeyring())).seal(encoded);
}

import { BSON, ObjectId, type Document } from 'mongodb';
import { DecryptionError } from '../../core/errors.js';
import type { FieldCipher } from '../../core/field-cipher.js';
import type { MongoJsonSchema } from './json-schema.js';

/**
 * The stored form of an encrypted value, a small versioned subdocument:
 * `{ v: 1, k: '<key id>', d: '<base64 of iv ‖ ciphertext ‖ tag>' }`. The key id is plain so
 * a rotation sees which values are still under an old key without decrypting anything. The
 * bytes are base64 text rather than BinData: they survive JSON exports and every store's
 * equality and change detection alike (the embedded server's query engine compares BinData
 * through a lossy text form, so a changed ciphertext could read as unchanged there).
 */
export interface EncryptedEnvelope {
  readonly v: typeof ENVELOPE_VERSION;
  readonly k: string;
  readonly d: string;
}

/** The envelope format written today; readers refuse any other. */
export const ENVELOPE_VERSION = 1;

/**
 * What the `$jsonSchema` validator accepts at an encrypted path: an envelope and nothing
 * else, so a plaintext value written around the SDK is refused by the database itself.
 */
export const ENCRYPTED_ENVELOPE_JSON_SCHEMA: MongoJsonSchema = {
  bsonType: 'object',
  required: ['v', 'k', 'd'],
  additionalProperties: false,
  properties: {
    v: { bsonType: 'int', enum: [ENVELOPE_VERSION] },
    k: { bsonType: 'string', minLength: 1, maxLength: 64 },
    // 12-byte IV + 16-byte tag at least, in base64.
    d: { bsonType: 'string', minLength: 40, pattern: '^[A-Za-z0-9+/]+={0,2}$' },
  },
};

/** What the validator accepts as a blind index: the 32 bytes of an HMAC-SHA256, in base64. */
export const BLIND_INDEX_JSON_SCHEMA: MongoJsonSchema = { bsonType: 'string', pattern: '^[A-Za-z0-9+/]{43}=$' };

/** An equality-searchable encrypted field: its keyed hash is stored in a field of its own. */
export interface BlindIndexDefinition {
  /** The encrypted top-level field it indexes (`phoneNumber`). */
  readonly field: string;
  /** The stored-only field holding the HMAC (`phoneNumberBlindIndex`), hidden from reads. */
  readonly storedAs: string;
}

/** The encryption set-up of one collection, as its definition declares it. */
export interface EncryptedFieldsDefinition {
  readonly collection: string;
  /**
   * Dotted paths of the encrypted values, `[]` marking array elements
   * (`'notes.private[].text'`). The value at a path — a string, a number, a date, a label
   * list, a small object — is encrypted as one relaxed Extended JSON value, so dates come
   * back as dates (plain JSON text, as values were sealed before, reads the same).
   */
  readonly paths: readonly string[];
  /**
   * Declared paths whose values earlier SDK versions stored in clear: reads accept their
   * plaintext (and the validator both forms) until `nexfit keys rotate` has sealed them.
   * Every write seals them.
   */
  readonly plaintextUntilRotated?: readonly string[];
  readonly blindIndexes?: readonly BlindIndexDefinition[];
}

/** True when `value` has the shape of an {@link EncryptedEnvelope}. */
export function isEncryptedEnvelope(value: unknown): value is EncryptedEnvelope {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return v['v'] === ENVELOPE_VERSION && typeof v['k'] === 'string' && typeof v['d'] === 'string' && Object.keys(v).length === 3;
}

/**
 * Encrypts and decrypts the declared fields of one collection's documents, one generic
 * mechanism for every collection: the repository seals a document after encoding it and
 * opens it before decoding it, so services only ever see plaintext and the store never does.
 * Each value's associated data is `nexfit:v1|<collection>|<path>|<document _id>`: a
 * ciphertext copied into another document or field fails to open.
 *
 * @example
 * ```ts
 * const fields = new EncryptedFields({ collection: 'users', paths: ['phoneNumber'] }, new FieldCipher(keyring))
 * const stored = fields.seal(codec.toDocument(user))   // phoneNumber: { v: 1, k, d }
 * codec.fromDocument(fields.open(stored)).phoneNumber  // '+905551234567'
 * ```
 */
export class EncryptedFields {
  readonly definition: EncryptedFieldsDefinition;
  readonly #cipher: FieldCipher;
  readonly #paths: readonly (readonly string[])[];

  constructor(definition: EncryptedFieldsDefinition, cipher: FieldCipher) {
    this.definition = definition;
    this.#cipher = cipher;
    this.#paths = definition.paths.map(segmentsOf);
  }

  /** The id of the key new values are sealed under. */
  get activeKeyId(): string {
    return this.#cipher.activeKeyId;
  }

  /**
   * The stored document with every declared value encrypted and every blind index computed
   * (from the plaintext, before it is encrypted). `doc` is not changed.
   */
  seal(doc: Document): Document {
    const documentId = documentIdOf(doc);
    let out: Document = doc;
    for (const index of this.definition.blindIndexes ?? []) {
      const value = doc[index.field];
      if (value === undefined || value === null) {
        if (index.storedAs in out) out = withoutKey(out, index.storedAs);
      } else {
        out = { ...out, [index.storedAs]: this.blindIndexOf(index.field, value) };
      }
    }
    for (let i = 0; i < this.#paths.length; i++) {
      const segments = this.#paths[i]!;
      // Most documents hold few of the declared fields: an absent root costs no walk.
      if (!(segments[0]! in out)) continue;
      const path = this.definition.paths[i]!;
      out = mapAt(out, segments, (value) => (isEncryptedEnvelope(value) ? value : this.sealValue(path, documentId, value)));
    }
    return out;
  }

  /**
   * The document with every declared value decrypted. `DecryptionError` when a value cannot
   * be opened — or is not encrypted at all, unless `allowPlaintext` (the rotation, which
   * encrypts values written before their field was declared).
   */
  open(doc: Document, options: { readonly allowPlaintext?: boolean } = {}): Document {
    const documentId = documentIdOf(doc);
    let out: Document = doc;
    for (let i = 0; i < this.#paths.length; i++) {
      const segments = this.#paths[i]!;
      if (!(segments[0]! in out)) continue;
      const path = this.definition.paths[i]!;
      out = mapAt(out, segments, (value) => {
        if (isEncryptedEnvelope(value)) return this.openValue(path, documentId, value);
        if (options.allowPlaintext || this.definition.plaintextUntilRotated?.includes(path)) return value;
        throw new DecryptionError(`${this.definition.collection}.${path} of ${documentId} is not encrypted`, {
          details: { collection: this.definition.collection, path, documentId, reason: 'not_encrypted' },
        });
      });
    }
    return out;
  }

  /** The envelope of one value at a declared `path` of the document `documentId` (for atomic updates). */
  sealValue(path: string, documentId: string, value: unknown): EncryptedEnvelope {
    const sealed = this.#cipher.seal(Buffer.from(BSON.EJSON.stringify(value, { relaxed: true }), 'utf8'), this.#associatedData(path, documentId));
    return { v: ENVELOPE_VERSION, k: sealed.keyId, d: sealed.data.toString('base64') };
  }

  /** The value of one envelope found at `path` of the document `documentId`. */
  openValue(path: string, documentId: string, envelope: EncryptedEnvelope): unknown {
    const plaintext = this.#cipher.open({ keyId: envelope.k, data: Buffer.from(envelope.d, 'base64') }, this.#associatedData(path, documentId));
    return BSON.EJSON.parse(plaintext.toString('utf8'), { relaxed: true }) as unknown;
  }

  /** The blind index of a (normalised) value of `field`, as it is stored and queried. */
  blindIndexOf(field: string, value: unknown): string {
    return this.#cipher.blindIndex(`${this.definition.collection}.${field}`, typeof value === 'string' ? value : JSON.stringify(value)).toString('base64');
  }

  /** True when a declared value of `doc` is not under the active key (an older key, or plaintext). */
  isStale(doc: Document): boolean {
    let stale = false;
    for (const segments of this.#paths) {
      mapAt(doc, segments, (value) => {
        if (!isEncryptedEnvelope(value) || value.k !== this.#cipher.activeKeyId) stale = true;
        return value;
      });
      if (stale) return true;
    }
    return false;
  }

  /**
   * True when a blind index of `doc` is not the one the keyring computes today: missing
   * (written before the field had one), left behind by a removed value, or made under an
   * earlier blind-index key. Opens the indexed values to recompute them.
   */
  hasStaleBlindIndex(doc: Document): boolean {
    const documentId = documentIdOf(doc);
    return (this.definition.blindIndexes ?? []).some((index) => {
      const value = doc[index.field];
      if (value === undefined || value === null) return doc[index.storedAs] !== undefined;
      const plaintext = isEncryptedEnvelope(value) ? this.openValue(index.field, documentId, value) : value;
      return doc[index.storedAs] !== this.blindIndexOf(index.field, plaintext);
    });
  }

  /**
   * The top-level fields a rewrite of `doc` must `$set`: the roots of the declared paths and
   * the blind indexes. Setting whole roots keeps array elements and their siblings in step.
   */
  get rootFields(): readonly string[] {
    const roots = new Set<string>();
    for (const segments of this.#paths) {
      const arrayAt = segments.indexOf('[]');
      roots.add((arrayAt < 0 ? segments : segments.slice(0, arrayAt)).join('.'));
    }
    for (const index of this.definition.blindIndexes ?? []) roots.add(index.storedAs);
    return [...roots];
  }

  #associatedData(path: string, documentId: string): string {
    return `nexfit:v1|${this.definition.collection}|${path}|${documentId}`;
  }
}

/**
 * The declared paths of `doc` holding a value that is not an envelope: what would reach the
 * store in clear. For writers that work on stored documents without a keyring (document
 * migrations), which must leave encrypted values as they found them.
 *
 * @example
 * ```ts
 * unencryptedPaths({ _id, phoneNumber: '+905551234567' }, ['phoneNumber']) // ['phoneNumber']
 * ```
 */
export function unencryptedPaths(doc: Document, paths: readonly string[]): string[] {
  return paths.filter((path) => {
    let clear = false;
    mapEncryptedPath(doc, path, (value) => {
      if (!isEncryptedEnvelope(value)) clear = true;
      return value;
    });
    return clear;
  });
}

/**
 * The validator of a collection with encrypted fields: the generated `$jsonSchema` with the
 * node at every encrypted path replaced by {@link ENCRYPTED_ENVELOPE_JSON_SCHEMA}, and the
 * blind-index fields added. A declared path the schema does not have is a programming error.
 */
export function withEncryptedFields(schema: MongoJsonSchema, definition: Omit<EncryptedFieldsDefinition, 'collection'>): MongoJsonSchema {
  let out = schema;
  for (const path of definition.paths) out = replaceNode(out, segmentsOf(path), path, definition.plaintextUntilRotated?.includes(path) ?? false);
  const indexes = definition.blindIndexes ?? [];
  if (indexes.length > 0) {
    const properties = { ...(out['properties'] as Record<string, unknown>) };
    for (const index of indexes) properties[index.storedAs] = BLIND_INDEX_JSON_SCHEMA;
    out = { ...out, properties };
  }
  return out;
}

function replaceNode(node: MongoJsonSchema, segments: readonly string[], path: string, plaintextToo = false): MongoJsonSchema {
  if (segments.length === 0) {
    // A value stored in clear by an earlier version stays valid until the rotation seals it.
    if (plaintextToo) return { anyOf: [ENCRYPTED_ENVELOPE_JSON_SCHEMA, node] };
    // An optional nullable field keeps accepting null; the value itself is only ever an envelope.
    const bsonType = node['bsonType'];
    const nullable = Array.isArray(bsonType) && bsonType.includes('null');
    return nullable ? { anyOf: [ENCRYPTED_ENVELOPE_JSON_SCHEMA, { bsonType: 'null' }] } : ENCRYPTED_ENVELOPE_JSON_SCHEMA;
  }
  const [head, ...rest] = segments as [string, ...string[]];
  if (head === '[]') {
    const items = node['items'];
    if (!items || typeof items !== 'object' || Array.isArray(items)) throw new TypeError(`No array items at ${path}`);
    return { ...node, items: replaceNode(items as MongoJsonSchema, rest, path, plaintextToo) };
  }
  const properties = node['properties'] as Record<string, MongoJsonSchema> | undefined;
  const child = properties?.[head];
  if (!child) throw new TypeError(`The encrypted path ${path} is not in the schema`);
  return { ...node, properties: { ...properties, [head]: replaceNode(child, rest, path, plaintextToo) } };
}

function segmentsOf(path: string): string[] {
  return path.split('.').flatMap((part) => (part.endsWith('[]') ? [part.slice(0, -2), '[]'] : [part]));
}

/**
 * A copy of `value` with `fn` applied to every value found at a declared encrypted `path`
 * (`'notes.private[].text'`); absent values are left alone, `value` is not changed. Serves
 * the sealing here and the redaction of the same paths in audit snapshots.
 *
 * @example
 * ```ts
 * mapEncryptedPath({ notes: { private: [{ text: 'x' }] } }, 'notes.private[].text', () => '[redacted]')
 * ```
 */
export function mapEncryptedPath<T>(value: T, path: string, fn: (value: unknown) => unknown): T {
  return mapAtSegments(value, segmentsOf(path), fn) as T;
}

/** A copy of `value` with `fn` applied to every value found at `segments` (absent values are left alone). */
function mapAt(value: unknown, segments: readonly string[], fn: (value: unknown) => unknown): Document {
  return mapAtSegments(value, segments, fn) as Document;
}

/** `segments` from index `at` on: walked by index, as every sealed or opened document walks every declared path. */
function mapAtSegments(value: unknown, segments: readonly string[], fn: (value: unknown) => unknown, at = 0): unknown {
  if (value === undefined || value === null) return value;
  if (at === segments.length) return fn(value);
  const head = segments[at]!;
  if (head === '[]') return Array.isArray(value) ? value.map((element) => mapAtSegments(element, segments, fn, at + 1)) : value;
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date || value instanceof ObjectId) return value;
  const record = value as Record<string, unknown>;
  if (!(head in record)) return value;
  const next = mapAtSegments(record[head], segments, fn, at + 1);
  return next === record[head] ? value : { ...record, [head]: next };
}

function withoutKey(doc: Document, key: string): Document {
  const { [key]: _dropped, ...rest } = doc;
  return rest;
}

function documentIdOf(doc: Document): string {
  const id = doc['_id'];
  if (id instanceof ObjectId) return id.toHexString();
  if (typeof id === 'string') return id;
  throw new TypeError('An encrypted document needs its _id: the ciphertexts are bound to it');
}

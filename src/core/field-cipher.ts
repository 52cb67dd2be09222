import { createCipheriv, createDecipheriv, createHmac, createSecretKey, randomFillSync, type KeyObject } from 'node:crypto';
import { DecryptionError } from './errors.js';
import type { Keyring } from './keyring.js';

/** AES-256-GCM's recommended nonce: 96 random bits, fresh for every value. */
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** IVs drawn from the CSPRNG at once: one call per 512 values instead of one per value. */
const IV_POOL_BYTES = IV_BYTES * 512;

/**
 * Fresh random IVs, taken in turn from a buffer of CSPRNG output that is refilled when
 * spent. Each IV is used once: the same 96 random bits per value as one `randomBytes(12)`
 * each, without a call into the CSPRNG for every value.
 */
class IvPool {
  #pool = Buffer.alloc(0);
  #offset = 0;

  /** Copies the next unused IV into `target` at `at`. */
  take(target: Buffer, at: number): void {
    if (this.#offset + IV_BYTES > this.#pool.length) {
      this.#pool = randomFillSync(Buffer.allocUnsafe(IV_POOL_BYTES));
      this.#offset = 0;
    }
    this.#pool.copy(target, at, this.#offset, this.#offset + IV_BYTES);
    // Spent bytes are overwritten, so no IV stays readable in the pool after its use.
    this.#pool.fill(0, this.#offset, this.#offset + IV_BYTES);
    this.#offset += IV_BYTES;
  }
}

/** One encrypted value: the id of its key and `iv ‖ ciphertext ‖ tag`. */
export interface SealedValue {
  readonly keyId: string;
  readonly data: Buffer;
}

/**
 * Authenticated encryption of single values under a {@link Keyring}: AES-256-GCM with a
 * fresh random 96-bit IV per value, the key id kept beside the ciphertext so keys can be
 * rotated, and associated data the caller chooses (the SDK binds each value to its
 * collection, field path and document id, so a ciphertext moved elsewhere fails to open).
 * Also computes keyed blind indexes (HMAC-SHA256) for equality lookups.
 *
 * @example
 * ```ts
 * const cipher = new FieldCipher(keyring)
 * const sealed = cipher.seal(Buffer.from('"+905551234567"'), 'users|phoneNumber|65f…')
 * cipher.open(sealed, 'users|phoneNumber|65f…').toString() // '"+905551234567"'
 * ```
 */
export class FieldCipher {
  readonly #keyring: Keyring;
  readonly #ivs = new IvPool();
  /** Each raw key imported once as a `KeyObject`, which the cipher takes without copying it again. */
  readonly #keyObjects = new WeakMap<Uint8Array, KeyObject>();

  constructor(keyring: Keyring) {
    this.#keyring = keyring;
  }

  /** The id of the key {@link seal} encrypts under. */
  get activeKeyId(): string {
    return this.#keyring.activeKeyId;
  }

  /** Encrypts `plaintext` under the active key, authenticating `associatedData` with it. */
  seal(plaintext: Uint8Array, associatedData: string): SealedValue {
    const keyId = this.#keyring.activeKeyId;
    // GCM's ciphertext is as long as the plaintext: iv ‖ ciphertext ‖ tag is written into one buffer.
    const data = Buffer.allocUnsafe(IV_BYTES + plaintext.length + TAG_BYTES);
    this.#ivs.take(data, 0);
    const cipher = createCipheriv('aes-256-gcm', this.#keyObject(this.#key(keyId)), data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    let at = IV_BYTES;
    at += cipher.update(plaintext).copy(data, at);
    at += cipher.final().copy(data, at);
    cipher.getAuthTag().copy(data, at);
    return { keyId, data };
  }

  /**
   * Decrypts a sealed value. `DecryptionError` when its key is not in the keyring, or when
   * it fails authentication: altered bytes, or other associated data than it was sealed
   * with (a value copied to another document or field).
   */
  open(sealed: SealedValue, associatedData: string): Buffer {
    const key = this.#keyring.keyById(sealed.keyId);
    if (!key) throw new DecryptionError(`No key ${JSON.stringify(sealed.keyId)} in the keyring`, { details: { keyId: sealed.keyId, reason: 'unknown_key' } });
    if (sealed.data.length < IV_BYTES + TAG_BYTES) throw new DecryptionError('An encrypted value is truncated', { details: { keyId: sealed.keyId, reason: 'malformed' } });
    const iv = sealed.data.subarray(0, IV_BYTES);
    const tag = sealed.data.subarray(sealed.data.length - TAG_BYTES);
    const body = sealed.data.subarray(IV_BYTES, sealed.data.length - TAG_BYTES);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#keyObject(key), iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(associatedData, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(body), decipher.final()]);
    } catch (cause) {
      // The raw crypto error says only "unable to authenticate data": name what it means here.
      throw new DecryptionError('An encrypted value failed authentication (altered, or moved from another document or field)', {
        cause,
        details: { keyId: sealed.keyId, reason: 'authentication_failed' },
      });
    }
  }

  /**
   * The blind index of a value: HMAC-SHA256 under the keyring's blind-index key, over a
   * `domain` (collection and field) and the value, so equal values of one field match and
   * nothing else does. Equal inputs give equal outputs: it reveals equality, nothing more.
   */
  blindIndex(domain: string, value: string): Buffer {
    return createHmac('sha256', this.#keyring.blindIndexKey).update(`${domain}\u0000${value}`, 'utf8').digest();
  }

  #keyObject(key: Uint8Array): KeyObject {
    let object = this.#keyObjects.get(key);
    if (!object) {
      object = createSecretKey(key);
      this.#keyObjects.set(key, object);
    }
    return object;
  }

  #key(keyId: string): Uint8Array {
    const key = this.#keyring.keyById(keyId);
    if (!key) throw new DecryptionError(`No key ${JSON.stringify(keyId)} in the keyring`, { details: { keyId, reason: 'unknown_key' } });
    return key;
  }
}

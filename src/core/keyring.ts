import { createHash, randomBytes } from 'node:crypto';
import { ConfigurationError } from './errors.js';

/** The length of every key of a keyring: AES-256 and HMAC-SHA256 both take 32 bytes. */
export const KEY_BYTES = 32;

/** A key id as stored next to each encrypted value: short, printable, no separators that need escaping. */
const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The host's encryption keys (a port, injected through `createNexfit({ keyring })`): the id
 * of the key new values are encrypted under, every key still needed to read older values,
 * and the separate key of the blind indexes. Keys are 32 random bytes; the SDK never
 * derives, stores or logs them.
 *
 * @example
 * ```ts
 * const keyring = createKeyring({ activeKeyId: '2026-03', keys: { '2026-03': key }, blindIndexKey })
 * keyring.keyById(keyring.activeKeyId) // key
 * ```
 */
export interface Keyring {
  /** The id of the key every new value is encrypted under. */
  readonly activeKeyId: string;
  /** Every key id this keyring can decrypt with, the active one included. */
  readonly keyIds: readonly string[];
  /** The key of `keyId`, or `undefined` when the keyring no longer (or never) had it. */
  keyById(keyId: string): Uint8Array | undefined;
  /** The HMAC key of the blind indexes (kept apart from the encryption keys). */
  readonly blindIndexKey: Uint8Array;
}

/** Key material as a host passes it: raw bytes or base64 text. */
export type KeyMaterial = Uint8Array | string;

/** What {@link createKeyring} takes. */
export interface KeyringInit {
  readonly activeKeyId: string;
  /** Keys by id, 32 bytes each; must include `activeKeyId`. */
  readonly keys: Readonly<Record<string, KeyMaterial>>;
  readonly blindIndexKey: KeyMaterial;
}

/**
 * A keyring from keys the host holds (a KMS, a secrets manager, the environment). Checks
 * every key is 32 bytes, the key ids are short printable names, and the active key is among
 * the keys; `ConfigurationError` otherwise. The bytes are copied, so the host can wipe its own.
 *
 * @example
 * ```ts
 * const keyring = createKeyring({
 *   activeKeyId: '2026-03',
 *   keys: { '2026-01': process.env.OLD_KEY!, '2026-03': process.env.NEW_KEY! }, // base64
 *   blindIndexKey: process.env.BLIND_INDEX_KEY!,
 * })
 * ```
 */
export function createKeyring(init: KeyringInit): Keyring {
  const keys = new Map<string, Uint8Array>();
  for (const [keyId, material] of Object.entries(init.keys)) {
    if (!KEY_ID_PATTERN.test(keyId)) throw new ConfigurationError(`Key id ${JSON.stringify(keyId)} must be 1–64 characters of A–Z, a–z, 0–9, '.', '_' or '-'`);
    keys.set(keyId, keyBytes(material, `key ${keyId}`));
  }
  if (!keys.has(init.activeKeyId)) throw new ConfigurationError(`The active key ${JSON.stringify(init.activeKeyId)} is not among the keyring's keys`);
  const blindIndexKey = keyBytes(init.blindIndexKey, 'the blind-index key');
  if ([...keys.values()].some((key) => Buffer.from(key).equals(Buffer.from(blindIndexKey)))) {
    // One key for two purposes would tie the blind indexes' security to the ciphertexts'.
    throw new ConfigurationError('The blind-index key must differ from every encryption key');
  }
  const keyIds = Object.freeze([...keys.keys()]);
  return Object.freeze({
    activeKeyId: init.activeKeyId,
    keyIds,
    keyById: (keyId: string) => keys.get(keyId),
    blindIndexKey,
  });
}

/** The environment variables {@link keyringFromEnv} reads. */
export const KEYRING_ENV = {
  /** Comma-separated `id:base64` pairs: `2026-01:AAAA…=,2026-03:BBBB…=`. */
  keys: 'NEXFIT_ENCRYPTION_KEYS',
  /** The id of the active key; defaults to the last pair of {@link KEYRING_ENV.keys}. */
  activeKeyId: 'NEXFIT_ENCRYPTION_ACTIVE_KEY',
  /** The base64 blind-index key. */
  blindIndexKey: 'NEXFIT_BLIND_INDEX_KEY',
} as const;

/**
 * A keyring from the environment: `NEXFIT_ENCRYPTION_KEYS` (`id:base64` pairs, comma
 * separated), `NEXFIT_ENCRYPTION_ACTIVE_KEY` (default: the last pair) and
 * `NEXFIT_BLIND_INDEX_KEY`. `undefined` when no key variable is set, so a caller can say what
 * is missing in its own words; `ConfigurationError` when they are set but malformed. Generate
 * a key with `openssl rand -base64 32`.
 *
 * @example
 * ```ts
 * const keyring = keyringFromEnv(process.env)
 * const nexfit = await createNexfit({ mongo, postgres, keyring })
 * ```
 */
export function keyringFromEnv(env: Readonly<Record<string, string | undefined>>): Keyring | undefined {
  const list = env[KEYRING_ENV.keys]?.trim();
  const blind = env[KEYRING_ENV.blindIndexKey]?.trim();
  if (!list && !blind) return undefined;
  if (!list || !blind) throw new ConfigurationError(`Set both ${KEYRING_ENV.keys} and ${KEYRING_ENV.blindIndexKey}`);
  const keys: Record<string, string> = {};
  let last: string | undefined;
  for (const pair of list.split(',').map((p) => p.trim()).filter(Boolean)) {
    const colon = pair.indexOf(':');
    if (colon < 1) throw new ConfigurationError(`${KEYRING_ENV.keys} holds id:base64 pairs separated by commas`);
    last = pair.slice(0, colon);
    keys[last] = pair.slice(colon + 1);
  }
  const activeKeyId = env[KEYRING_ENV.activeKeyId]?.trim() || last;
  if (!activeKeyId) throw new ConfigurationError(`${KEYRING_ENV.keys} holds no key`);
  return createKeyring({ activeKeyId, keys, blindIndexKey: blind });
}

/**
 * A keyring of fresh random keys that lives as long as the process: what the embedded
 * stores use by default (their data lives no longer), and what a host opts into with
 * `keyring: 'ephemeral'`. Data written under it cannot be read by any other process.
 *
 * @example
 * ```ts
 * const nexfit = await createNexfit({ mongo, postgres, keyring: createEphemeralKeyring() })
 * ```
 */
export function createEphemeralKeyring(): Keyring {
  const activeKeyId = `ephemeral-${randomBytes(4).toString('hex')}`;
  return createKeyring({ activeKeyId, keys: { [activeKeyId]: randomBytes(KEY_BYTES) }, blindIndexKey: randomBytes(KEY_BYTES) });
}

/**
 * A deterministic keyring for tests: each key is the SHA-256 of its id, so separate SDK
 * instances (and a test reading the raw stores) share keys without passing bytes around.
 * Never use it outside tests: anyone can compute its keys.
 *
 * @example
 * ```ts
 * const before = createTestKeyring({ keyIds: ['k1'] })
 * const after = createTestKeyring({ keyIds: ['k1', 'k2'] }) // k2 active, k1 still readable
 * ```
 */
export function createTestKeyring(options: { readonly keyIds?: readonly string[]; readonly activeKeyId?: string } = {}): Keyring {
  const keyIds = options.keyIds ?? ['test-key-1'];
  const derive = (label: string) => createHash('sha256').update(`nexfit-test-keyring:${label}`).digest();
  return createKeyring({
    activeKeyId: options.activeKeyId ?? keyIds.at(-1) ?? 'test-key-1',
    keys: Object.fromEntries(keyIds.map((id) => [id, derive(id)])),
    blindIndexKey: derive('blind-index'),
  });
}

function keyBytes(material: KeyMaterial, what: string): Uint8Array {
  let bytes: Buffer;
  if (typeof material === 'string') {
    const text = material.trim();
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) throw new ConfigurationError(`${capitalise(what)} is not base64`);
    bytes = Buffer.from(text, 'base64');
  } else {
    bytes = Buffer.from(material);
  }
  if (bytes.length !== KEY_BYTES) throw new ConfigurationError(`${capitalise(what)} must be ${KEY_BYTES} bytes, not ${bytes.length}`);
  return new Uint8Array(bytes);
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

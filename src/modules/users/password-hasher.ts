import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * The cost parameters of scrypt. Memory use is `128 * N * r * p` bytes (16 MiB for the
 * defaults), which is what makes the KDF expensive to run in bulk on GPUs.
 */
export interface ScryptParameters {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelisation. */
  readonly p: number;
  /** Bytes of derived key. */
  readonly keyLength: number;
  /** Bytes of random salt. */
  readonly saltLength: number;
}

/** OWASP's scrypt baseline (N=2^14, r=8, p=1): about 50 ms and 16 MiB per hash. */
export const DEFAULT_SCRYPT_PARAMETERS: ScryptParameters = { N: 16_384, r: 8, p: 1, keyLength: 32, saltLength: 16 };

/**
 * Upper bounds on parameters read back from a stored hash, so a tampered or corrupt document
 * can never make a login allocate gigabytes or spin for minutes.
 */
const LIMITS = { N: 1 << 20, r: 32, p: 16, keyLength: 128, saltLength: 64 } as const;

const HASH_FORMAT = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** A stored hash taken apart. */
interface ParsedHash {
  readonly parameters: ScryptParameters;
  readonly salt: Buffer;
  readonly key: Buffer;
}

/**
 * Hashes and verifies passwords with scrypt from `node:crypto` (SPEC decision 3: a
 * memory-hard KDF; passwords are never stored or logged in clear). A hash carries its own
 * parameters — `scrypt$N=16384,r=8,p=1$<salt base64>$<key base64>` — so the cost can be
 * raised later: old hashes still verify, and {@link needsRehash} tells the caller to store a
 * new one after the next successful login.
 *
 * Passwords are NFC-normalised before hashing, so `Şifre` typed on a keyboard that composes
 * characters and on one that sends combining marks is the same password.
 *
 * @example
 * ```ts
 * const hasher = new PasswordHasher()
 * const stored = await hasher.hash('gizli-şifre-1')
 * await hasher.verify('gizli-şifre-1', stored) // true
 * hasher.needsRehash(stored) // false
 * ```
 */
export class PasswordHasher {
  readonly parameters: ScryptParameters;
  #dummy: Promise<string> | undefined;

  constructor(parameters: Partial<ScryptParameters> = {}) {
    const merged = { ...DEFAULT_SCRYPT_PARAMETERS, ...parameters };
    assertParameters(merged);
    this.parameters = merged;
  }

  /** A new salted hash of `password` with the current parameters. */
  async hash(password: string): Promise<string> {
    const { N, r, p, keyLength, saltLength } = this.parameters;
    const salt = randomBytes(saltLength);
    const key = await derive(password, salt, this.parameters, keyLength);
    return `scrypt$N=${N},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
  }

  /**
   * True when `password` matches `stored`. The keys are compared with
   * `crypto.timingSafeEqual`; a malformed stored hash never matches (and still costs a hash,
   * so it cannot be told apart by timing).
   */
  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parseHash(stored);
    if (!parsed) {
      await this.spendVerificationTime(password);
      return false;
    }
    const key = await derive(password, parsed.salt, parsed.parameters, parsed.key.length);
    return timingSafeEqual(key, parsed.key);
  }

  /**
   * True when `stored` was made with weaker parameters than the current ones (or cannot be
   * read): the caller should store a fresh {@link hash} once the password has been verified.
   */
  needsRehash(stored: string): boolean {
    const parsed = parseHash(stored);
    if (!parsed) return true;
    const old = parsed.parameters;
    const now = this.parameters;
    return old.N < now.N || old.r < now.r || old.p < now.p || parsed.key.length < now.keyLength || parsed.salt.length < now.saltLength;
  }

  /**
   * Runs one verification against a hash of a random password, so a login for an e-mail that
   * has no account costs as long as one that has (the response time does not reveal which
   * e-mails are registered).
   */
  async spendVerificationTime(password: string): Promise<void> {
    this.#dummy ??= this.hash(randomBytes(16).toString('base64'));
    const dummy = parseHash(await this.#dummy);
    if (dummy) await derive(password, dummy.salt, dummy.parameters, dummy.key.length);
  }
}

function derive(password: string, salt: Buffer, parameters: Pick<ScryptParameters, 'N' | 'r' | 'p'>, keyLength: number): Promise<Buffer> {
  const { N, r, p } = parameters;
  // Node refuses to allocate more than `maxmem` (32 MiB by default): allow what N and r need.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r * p + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function parseHash(stored: string): ParsedHash | null {
  const match = HASH_FORMAT.exec(stored);
  if (!match) return null;
  const [, n, r, p, salt64, key64] = match;
  const salt = Buffer.from(salt64!, 'base64');
  const key = Buffer.from(key64!, 'base64');
  const parameters = { N: Number(n), r: Number(r), p: Number(p), keyLength: key.length, saltLength: salt.length };
  try {
    assertParameters(parameters);
  } catch {
    return null;
  }
  return { parameters, salt, key };
}

function assertParameters(parameters: ScryptParameters): void {
  const { N, r, p, keyLength, saltLength } = parameters;
  const isPowerOfTwo = Number.isSafeInteger(N) && N >= 2 && (N & (N - 1)) === 0;
  const within = (value: number, max: number, min = 1) => Number.isSafeInteger(value) && value >= min && value <= max;
  if (!isPowerOfTwo || N > LIMITS.N || !within(r, LIMITS.r) || !within(p, LIMITS.p) || !within(keyLength, LIMITS.keyLength, 16) || !within(saltLength, LIMITS.saltLength, 8)) {
    throw new RangeError(`Unsupported scrypt parameters: N=${N}, r=${r}, p=${p}, keyLength=${keyLength}, saltLength=${saltLength}`);
  }
}

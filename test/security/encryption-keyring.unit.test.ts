import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, DecryptionError } from '../../src/core/errors.js';
import { FieldCipher } from '../../src/core/field-cipher.js';
import { createEphemeralKeyring, createKeyring, createTestKeyring, keyringFromEnv } from '../../src/core/keyring.js';

const key = () => randomBytes(32);

describe('createKeyring', () => {
  it('takes 32-byte keys as bytes or base64, with the active one among them', () => {
    const old = key();
    const keyring = createKeyring({ activeKeyId: '2026-04', keys: { '2026-01': old, '2026-04': key().toString('base64') }, blindIndexKey: key() });
    expect(keyring.activeKeyId).toBe('2026-04');
    expect(keyring.keyIds).toEqual(['2026-01', '2026-04']);
    expect(Buffer.from(keyring.keyById('2026-01')!)).toEqual(old);
    expect(keyring.keyById('2025-12')).toBeUndefined();
  });

  it('refuses short keys, keys that are not base64, odd key ids, a missing active key and a blind-index key reused for encryption', () => {
    const blindIndexKey = key();
    expect(() => createKeyring({ activeKeyId: 'a', keys: { a: randomBytes(16) }, blindIndexKey })).toThrow(/32 bytes/);
    expect(() => createKeyring({ activeKeyId: 'a', keys: { a: 'not base64!' }, blindIndexKey })).toThrow(/base64/);
    expect(() => createKeyring({ activeKeyId: 'a b', keys: { 'a b': key() }, blindIndexKey })).toThrow(ConfigurationError);
    expect(() => createKeyring({ activeKeyId: 'b', keys: { a: key() }, blindIndexKey })).toThrow(/active key/);
    expect(() => createKeyring({ activeKeyId: 'a', keys: { a: blindIndexKey }, blindIndexKey })).toThrow(/must differ/);
  });

  it('gives every ephemeral keyring keys of its own, and every test keyring the same keys', () => {
    expect(createEphemeralKeyring().activeKeyId).not.toBe(createEphemeralKeyring().activeKeyId);
    expect(Buffer.from(createTestKeyring({ keyIds: ['k1', 'k2'] }).keyById('k1')!)).toEqual(Buffer.from(createTestKeyring({ keyIds: ['k1'] }).keyById('k1')!));
  });
});

describe('keyringFromEnv', () => {
  it('reads id:base64 pairs, the last one active unless named', () => {
    const [a, b, blind] = [key(), key(), key()].map((k) => k.toString('base64'));
    const env = { NEXFIT_ENCRYPTION_KEYS: ` 2026-01:${a}, 2026-04:${b} `, NEXFIT_BLIND_INDEX_KEY: blind };
    expect(keyringFromEnv(env)?.activeKeyId).toBe('2026-04');
    expect(keyringFromEnv({ ...env, NEXFIT_ENCRYPTION_ACTIVE_KEY: '2026-01' })?.activeKeyId).toBe('2026-01');
  });

  it('is undefined when no key is set, and refuses half a keyring or a malformed list', () => {
    expect(keyringFromEnv({})).toBeUndefined();
    expect(() => keyringFromEnv({ NEXFIT_ENCRYPTION_KEYS: `a:${key().toString('base64')}` })).toThrow(/NEXFIT_BLIND_INDEX_KEY/);
    expect(() => keyringFromEnv({ NEXFIT_ENCRYPTION_KEYS: key().toString('base64'), NEXFIT_BLIND_INDEX_KEY: key().toString('base64') })).toThrow(ConfigurationError);
  });
});

describe('FieldCipher', () => {
  const cipher = new FieldCipher(createTestKeyring());
  const plaintext = Buffer.from('"+905551234567"');

  it('seals the same value differently every time (a fresh IV), and opens it with the same associated data', () => {
    const first = cipher.seal(plaintext, 'users|phoneNumber|1');
    const second = cipher.seal(plaintext, 'users|phoneNumber|1');
    expect(first.data.subarray(0, 12)).not.toEqual(second.data.subarray(0, 12));
    expect(first.data.length).toBe(12 + plaintext.length + 16);
    expect(first.keyId).toBe('test-key-1');
    expect(cipher.open(first, 'users|phoneNumber|1')).toEqual(plaintext);
    expect(cipher.open(second, 'users|phoneNumber|1')).toEqual(plaintext);
  });

  it('refuses other associated data, an altered tag and a truncated value with DecryptionError', () => {
    const sealed = cipher.seal(plaintext, 'users|phoneNumber|1');
    expect(() => cipher.open(sealed, 'users|phoneNumber|2')).toThrow(DecryptionError);
    const altered = Buffer.from(sealed.data);
    altered[altered.length - 1]! ^= 0x80;
    expect(() => cipher.open({ ...sealed, data: altered }, 'users|phoneNumber|1')).toThrow(DecryptionError);
    expect(() => cipher.open({ ...sealed, data: sealed.data.subarray(0, 20) }, 'users|phoneNumber|1')).toThrow(/truncated/);
  });

  it('gives equal blind indexes for equal values of one field only', () => {
    expect(cipher.blindIndex('users.phoneNumber', '+905551234567')).toEqual(cipher.blindIndex('users.phoneNumber', '+905551234567'));
    expect(cipher.blindIndex('users.phoneNumber', '+905551234567')).not.toEqual(cipher.blindIndex('users.phoneNumber', '+905551234568'));
    expect(cipher.blindIndex('users.phoneNumber', '+905551234567')).not.toEqual(cipher.blindIndex('facilities.phoneNumber', '+905551234567'));
    expect(cipher.blindIndex('users.phoneNumber', 'x')).toHaveLength(32);
  });
});

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhookPayload, verifyWebhookSignature } from '../../../src/modules/webhooks/webhook-signature.js';
import { isPrivateAddress, webhookUrlIssue } from '../../../src/modules/webhooks/webhook-url.js';
import { webhookRetryAt } from '../../../src/modules/webhooks/webhook-delivery.js';

const secret = 'whsec_test-secret';
const body = '{"id":"e1","type":"custom","occurredAt":"2026-01-01T00:00:00.000Z","data":{}}';
const t = 1_767_225_600; // 2026-01-01T00:00:00Z
const now = new Date('2026-01-01T00:00:00Z');
const hmac = (key: string, text: string) => createHmac('sha256', key).update(text).digest('hex');

describe('webhook signatures', () => {
  it('signs <timestamp>.<body> with HMAC-SHA256 as t=…,v1=…', () => {
    expect(signWebhookPayload(secret, t, body)).toBe(`t=${t},v1=${hmac(secret, `${t}.${body}`)}`);
  });

  it('accepts a signature made with the secret within the tolerance', () => {
    const header = `t=${t},v1=${hmac(secret, `${t}.${body}`)}`;
    expect(verifyWebhookSignature({ body, header, secret, now: new Date('2026-01-01T00:04:59Z') })).toEqual({ valid: true, timestamp: t });
    expect(verifyWebhookSignature({ body: Buffer.from(body), header, secret, now })).toEqual({ valid: true, timestamp: t });
  });

  it('refuses an altered body, another secret, a replay outside the tolerance and a malformed header', () => {
    const header = `t=${t},v1=${hmac(secret, `${t}.${body}`)}`;
    expect(verifyWebhookSignature({ body: body.replace('e1', 'e2'), header, secret, now })).toEqual({ valid: false, reason: 'signature_mismatch' });
    expect(verifyWebhookSignature({ body, header, secret: 'whsec_other', now })).toEqual({ valid: false, reason: 'signature_mismatch' });
    expect(verifyWebhookSignature({ body, header, secret, now: new Date('2026-01-01T00:05:01Z') })).toEqual({ valid: false, reason: 'timestamp_outside_tolerance' });
    expect(verifyWebhookSignature({ body, header, secret, now: new Date('2026-01-01T00:00:50Z'), toleranceSeconds: 30 })).toEqual({ valid: false, reason: 'timestamp_outside_tolerance' });
    for (const bad of [undefined, '', `v1=${hmac(secret, `${t}.${body}`)}`, `t=${t}`, `t=abc,v1=${hmac(secret, `${t}.${body}`)}`, `t=${t},v1=zz`]) {
      expect(verifyWebhookSignature({ body, header: bad, secret, now })).toEqual({ valid: false, reason: 'malformed_header' });
    }
  });

  it('accepts either secret while a rotation settles', () => {
    const header = `t=${t},v1=${hmac('whsec_new', `${t}.${body}`)}`;
    expect(verifyWebhookSignature({ body, header, secret: ['whsec_old', 'whsec_new'], now }).valid).toBe(true);
  });
});

describe('webhook URL rules', () => {
  it.each([
    ['ftp://example.com/hook', 'webhook_url_syntax'],
    ['not a url', 'webhook_url_syntax'],
    ['https://user:pw@example.com/hook', 'webhook_url_credentials'],
    ['https://example.com/' + 'a'.repeat(2048), 'webhook_url_too_long'],
    ['http://localhost:8080/hook', 'webhook_private_host'],
    ['http://127.0.0.1/hook', 'webhook_private_host'],
    ['http://127.8.9.10/hook', 'webhook_private_host'],
    ['http://[::1]/hook', 'webhook_private_host'],
    ['http://169.254.169.254/latest/meta-data', 'webhook_private_host'],
    ['http://10.1.2.3/hook', 'webhook_private_host'],
    ['http://172.16.0.1/hook', 'webhook_private_host'],
    ['http://172.31.255.255/hook', 'webhook_private_host'],
    ['http://192.168.1.1/hook', 'webhook_private_host'],
    ['http://0.0.0.0/hook', 'webhook_private_host'],
  ])('refuses %s (%s)', (url, code) => {
    expect(webhookUrlIssue(url, {}, 'en')?.code).toBe(code);
  });

  it('accepts public http(s) URLs, and private ones only when allowed', () => {
    expect(webhookUrlIssue('https://crm.example.com/hooks/nexfit', {}, 'en')).toBeUndefined();
    expect(webhookUrlIssue('http://172.32.0.1/hook', {}, 'en')).toBeUndefined();
    expect(webhookUrlIssue('http://127.0.0.1:3000/hook', { allowPrivateHosts: true }, 'en')).toBeUndefined();
    expect(webhookUrlIssue('http://127.0.0.1:3000/hook', {}, 'tr')?.message).toBe('Bu sunucuyu veya özel, geri döngü ya da yerel bağlantı adresini göstermemeli');
  });

  it('classifies addresses', () => {
    expect(['127.0.0.1', '10.0.0.1', '::1', 'fe80::1', 'fd00::1', '::ffff:192.168.0.1'].map(isPrivateAddress)).toEqual([true, true, true, true, true, true]);
    expect(['203.0.113.7', '8.8.8.8', '2001:db8::1', '172.15.0.1'].map(isPrivateAddress)).toEqual([false, false, false, false]);
  });
});

describe('webhook retry schedule', () => {
  const at = new Date('2026-01-01T00:00:00Z');
  it('waits 1 min, 4 min, 16 min, 1 h, 2 h, 6 h, 12 h, then dead-letters after the eighth attempt', () => {
    const waits = [1, 2, 3, 4, 5, 6, 7].map((n) => webhookRetryAt(at, n, () => 0)!.getTime() - at.getTime());
    expect(waits).toEqual([60_000, 240_000, 960_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000]);
    expect(webhookRetryAt(at, 8, () => 0)).toBeNull();
  });

  it('adds up to 20 % jitter', () => {
    // 60 s + floor(60 s × 0.2 × 0.5) = 66 s; 12 h + floor(12 h × 0.2 × 0.999) = 43 200 000 + 8 631 360 ms.
    expect(webhookRetryAt(at, 1, () => 0.5)!.toISOString()).toBe('2026-01-01T00:01:06.000Z');
    expect(webhookRetryAt(at, 7, () => 0.999)!.getTime() - at.getTime()).toBe(51_831_360);
  });
});

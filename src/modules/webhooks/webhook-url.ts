import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import type { ValidationIssue } from '../../core/errors.js';
import type { ValidationLocale } from '../../core/validation.js';

/** The longest endpoint URL accepted, in characters. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** How endpoint URLs are checked. */
export interface WebhookUrlPolicy {
  /**
   * Allows URLs that point at this host, loopback, private, link-local or unspecified
   * addresses (`localhost`, `127.0.0.0/8`, `::1`, `10/8`, `172.16/12`, `192.168/16`,
   * `169.254/16`, `0.0.0.0`, `fc00::/7`, `fe80::/10`). Off by default: a webhook URL is chosen
   * by facility staff and must not reach the platform's own network. Turn it on for tests and
   * intranet deployments only.
   */
  readonly allowPrivateHosts?: boolean;
}

const MESSAGES = {
  syntax: { en: 'Must be an absolute http or https URL', tr: 'Mutlak bir http veya https adresi olmalı' },
  length: { en: `Must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`, tr: `En fazla ${MAX_WEBHOOK_URL_LENGTH} karakter olmalı` },
  credentials: { en: 'Must not contain a user name or password', tr: 'Kullanıcı adı veya parola içermemeli' },
  privateHost: {
    en: 'Must not point at this host or a private, loopback or link-local address',
    tr: 'Bu sunucuyu veya özel, geri döngü ya da yerel bağlantı adresini göstermemeli',
  },
} as const;

/**
 * Why `url` cannot be a webhook endpoint, or `undefined` when it can: not an absolute
 * `http(s)` URL, longer than {@link MAX_WEBHOOK_URL_LENGTH}, with credentials, or (unless
 * `policy.allowPrivateHosts`) naming this host or a private address literally. Names that
 * resolve to a private address are refused again at delivery, see {@link isPrivateAddress}.
 *
 * @example
 * ```ts
 * webhookUrlIssue('http://10.0.0.5/hook', {}, 'en')?.code // 'webhook_private_host'
 * ```
 */
export function webhookUrlIssue(url: unknown, policy: WebhookUrlPolicy, locale: ValidationLocale, path: readonly (string | number)[] = ['url']): ValidationIssue | undefined {
  const issue = (code: string, key: keyof typeof MESSAGES): ValidationIssue => ({ path, code, message: MESSAGES[key][locale] });
  if (typeof url !== 'string') return issue('webhook_url_syntax', 'syntax');
  if (url.length > MAX_WEBHOOK_URL_LENGTH) return issue('webhook_url_too_long', 'length');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return issue('webhook_url_syntax', 'syntax');
  }
  if ((parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || parsed.hostname === '') return issue('webhook_url_syntax', 'syntax');
  if (parsed.username !== '' || parsed.password !== '') return issue('webhook_url_credentials', 'credentials');
  if (!policy.allowPrivateHosts && isPrivateHostName(parsed.hostname)) return issue('webhook_private_host', 'privateHost');
  return undefined;
}

/** Whether a URL's host name is this host, `localhost` or a private address literal. */
function isPrivateHostName(host: string): boolean {
  const name = host.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost') || name === hostname().toLowerCase()) return true;
  if (isIP(name)) return isPrivateAddress(name) || ownAddresses().has(name);
  return false;
}

/** The addresses of this host's network interfaces. */
function ownAddresses(): Set<string> {
  const own = new Set<string>();
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) own.add(a.address.toLowerCase());
  return own;
}

/**
 * Whether an IP address is loopback, private, link-local, unique-local or unspecified (IPv4,
 * IPv6, and IPv4-mapped IPv6).
 *
 * @example
 * ```ts
 * isPrivateAddress('172.20.1.1') // true
 * isPrivateAddress('203.0.113.7') // false
 * ```
 */
export function isPrivateAddress(address: string): boolean {
  const a = address.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return isPrivateAddress(mapped[1]!);
  if (isIP(a) === 4) {
    const [p, q] = a.split('.').map(Number) as [number, number];
    return p === 0 || p === 10 || p === 127 || (p === 169 && q === 254) || (p === 172 && q >= 16 && q <= 31) || (p === 192 && q === 168) || (p === 100 && q >= 64 && q <= 127);
  }
  if (isIP(a) === 6) return a === '::' || a === '::1' || /^f[cd][0-9a-f]{0,2}:/.test(a) || /^fe[89ab][0-9a-f]?:/.test(a);
  return false;
}

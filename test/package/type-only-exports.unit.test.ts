import { describe, expect, it } from 'vitest';
import { sourceEntryExports } from '../../scripts/list-exports.js';
import { markTypeOnlyExports } from '../../scripts/mark-type-only-exports.js';

const root = new URL('../../', import.meta.url).pathname;

describe('the declaration files of the build (npm run build, then scripts/mark-type-only-exports.ts)', () => {
  it('mark a class the entry point exports as a type type-only, and leave its values alone', () => {
    const bundled = [
      'declare class UserService$1 {}',
      'declare class MemoryLruCache {}',
      "export { a as ChargeLookup, g as PaymentFailedError } from './payment-provider-x.js';",
      'export { MemoryLruCache, type Page, UserService$1 as UserService, createNexfit };',
      'export type { Already };',
    ].join('\n');
    const { text, marked } = markTypeOnlyExports(bundled, new Set(['UserService', 'ChargeLookup', 'Page', 'Already']));
    expect(marked).toEqual(['ChargeLookup', 'UserService']);
    expect(text).toContain("export { type a as ChargeLookup, g as PaymentFailedError } from './payment-provider-x.js';");
    expect(text).toContain('export { MemoryLruCache, type Page, type UserService$1 as UserService, createNexfit };');
    expect(text).toContain('export type { Already };');
  });

  it('reads the services and repositories of the package root as types, not values', () => {
    const index = sourceEntryExports(root).find((e) => e.specifier === '@nexfit/sdk')!;
    for (const name of ['UserService', 'BillingService', 'UserRepository', 'Outbox', 'AccessLookups']) {
      expect(index.types).toContain(name);
      expect(index.values).not.toContain(name);
    }
  }, 60_000);
});

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const typedoc = join(dirname(createRequire(import.meta.url).resolve('typedoc/package.json')), 'bin', 'typedoc');

describe('the API reference (npm run docs:api)', () => {
  it('builds from the TSDoc of the three entry points with every public export documented', () => {
    // typedoc.json treats warnings as errors: an undocumented export, or a link to something
    // the reference leaves out, fails the build. `--emit none` validates without writing docs/api.
    const run = spawnSync(process.execPath, [typedoc, '--emit', 'none', '--logLevel', 'Warn'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
    const output = `${run.stdout}${run.stderr}`.replace(/\x1b\[[0-9;]*m/g, '');
    expect(output).toBe('');
    expect(run.status).toBe(0);
  }, 200_000);

  it('refuses a public signature that names a type no entry point exports', () => {
    // With notExported on, a type a public signature uses must be importable by name; the
    // exceptions are listed, and kept few.
    const config = JSON.parse(readFileSync(join(root, 'typedoc.json'), 'utf8')) as { validation: { notExported: boolean }; intentionallyNotExported?: string[] };
    expect(config.validation.notExported).toBe(true);
    expect(config.intentionallyNotExported ?? []).toEqual(['BOOKING_STEPS', 'MEMBERSHIP_STEPS', 'COACHING_STEPS', 'BILLING_STEPS', 'ACCOUNT_LINK_STEPS', 'PROMO_CODE_STEPS', 'eraseOptionsSchema', 'exportOptionsSchema']);
  });
});

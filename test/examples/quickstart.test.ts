import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the quick-start example (npm run demo)', () => {
  it('runs a day at a gym on the embedded stores and prints its summary', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'examples/quickstart.ts'], { cwd: root, encoding: 'utf8', timeout: 180_000, env: { ...process.env, MONGODB_URI: '', DATABASE_URL: '' } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('stores: MongoDB embedded, PostgreSQL embedded; unit of work: two-phase');
    expect(run.stdout).toContain('873 exercises imported');
    expect(run.stdout).toMatch(/Membership bought: invoice \d{4}-\d{6}-\d{6}, total 1\.500,00 TL incl\. VAT 250,00 TL; a retried purchase replayed: true, charges at the provider: 1/);
    expect(run.stdout).toContain('checked in: attended');
    expect(run.stdout).toMatch(/Nightly roll-up for 2026-03-02: new members 1, active 1, revenue 1\.500,00 TL, class attendance 1/);
  }, 200_000);
});

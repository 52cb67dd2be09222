import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFLICT_REASONS } from '../../src/core/conflict-reasons.js';
import { HTTP_STATUS_BY_ERROR_CODE } from '../../src/core/errors.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every `new ConflictError(...)` in src/, with its first argument as written. */
function conflictConstructions(): { file: string; reason: string }[] {
  return sourceFiles(path.join(root, 'src')).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/new ConflictError\(\s*([^,)]*)/g)].map((m) => ({ file: path.relative(root, file), reason: m[1]!.trim() })),
  );
}

describe('conflict reasons', () => {
  it('are written as literals where they are thrown, so the list below can be checked', () => {
    const computed = conflictConstructions().filter((c) => !/^'[a-z_]+'$/.test(c.reason));
    expect(computed).toEqual([]);
  });

  it('are exactly the reasons the source throws: a new one must be added to CONFLICT_REASONS', () => {
    const thrown = [...new Set(conflictConstructions().map((c) => c.reason.slice(1, -1)))].sort();
    expect(thrown).toEqual(Object.keys(CONFLICT_REASONS).sort());
  });

  it('are each listed in docs/errors.md', () => {
    const doc = readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
    const listed = [...doc.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]).sort();
    expect(listed).toEqual(Object.keys(CONFLICT_REASONS).sort());
  });
});

describe('error codes', () => {
  it('each have an HTTP status, and every code the source throws is one of them', () => {
    const codes = new Set<string>();
    for (const file of sourceFiles(path.join(root, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/super\(\s*'([A-Z_]+)'/g)) codes.add(m[1]!);
    }
    expect(codes.size).toBeGreaterThan(5);
    for (const code of codes) expect(HTTP_STATUS_BY_ERROR_CODE, code).toHaveProperty(code);
    expect(HTTP_STATUS_BY_ERROR_CODE.WORKFLOW_COMPENSATION_FAILED).toBe(500);
  });
});

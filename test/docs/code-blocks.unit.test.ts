import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDocSnippets, extractDocSnippets } from '../../scripts/check-doc-snippets.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('the code blocks of README.md and docs/', () => {
  it('finds the blocks of the getting-started page, where a newcomer starts', () => {
    const blocks = extractDocSnippets(root).filter((s) => s.file === 'docs/getting-started.md' && !s.fragment);
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    expect(blocks.some((s) => s.code.includes("from 'express'") && s.code.includes('createNexfit'))).toBe(true);
  });

  it('compile against the source, except the few fragments marked ```ts fragment', () => {
    const report = checkDocSnippets(root);
    // Any error reads `docs/page.md:line:column - error TS…`; fix the block (or the API).
    expect(report.errors).toEqual([]);
    expect(report.compiled.length).toBeGreaterThan(30);
    // Fragments are signature lists; keep them rare.
    expect(report.fragments.length).toBeLessThanOrEqual(report.compiled.length / 4);
  }, 120_000);
});

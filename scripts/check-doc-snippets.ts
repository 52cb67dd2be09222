/**
 * Type-checks the TypeScript code blocks of README.md and docs/**\/*.md against the package's
 * source, so the docs cannot drift from the API.
 *
 * Every ```ts / ```typescript block becomes one module in `.tmp/doc-snippets/`, compiled with
 * the project's compiler options and these resolutions:
 * - `@nexfit/sdk`, `@nexfit/sdk/schemas`, `@nexfit/sdk/testing` map to `src/index.ts`,
 *   `src/schemas.ts`, `src/testing.ts` — what a host app imports, and the only paths of the
 *   package a block may import (test/docs/doc-imports.unit.test.ts);
 * - the names a block uses without defining them (`nexfit`, `db`, `pg`, `deps`, ids like
 *   `userId`, a progress `bar`, …) are declared once in `docs/snippet-context.d.ts`.
 * A block that is deliberately not compilable (a list of signatures) is fenced ```ts fragment;
 * fragments are counted and reported, not compiled.
 *
 *   npx tsx scripts/check-doc-snippets.ts   # prints file:line for every error; exit 1 on any
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** One fenced TypeScript block of a Markdown file. */
export interface DocSnippet {
  /** The Markdown file, relative to the project root. */
  readonly file: string;
  /** The 1-based line of the block's first code line in that file. */
  readonly line: number;
  readonly code: string;
  /** Fenced ```ts fragment: shown to readers, not compiled. */
  readonly fragment: boolean;
}

/** What a check found. */
export interface DocSnippetReport {
  readonly compiled: readonly DocSnippet[];
  readonly fragments: readonly DocSnippet[];
  /** `docs/x.md:12:5 - error TS2304: …`, one per compiler error, in file order. */
  readonly errors: readonly string[];
}

const SNIPPET_DIR = '.tmp/doc-snippets';
const CONTEXT_FILE = 'docs/snippet-context.d.ts';

/** README.md and every page of docs/ except the generated docs/api, relative to `root`. */
export function markdownFiles(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return path === 'docs/api' ? [] : walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return ['README.md', ...walk('docs').sort()];
}

/** Every ```ts / ```typescript block of README.md and docs/**\/*.md (not the generated docs/api). */
export function extractDocSnippets(root: string): DocSnippet[] {
  const snippets: DocSnippet[] = [];
  for (const file of markdownFiles(root)) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    for (let i = 0; i < lines.length; i++) {
      const open = /^(\s*)(`{3,})(ts|typescript)(?:\s+(.*))?$/.exec(lines[i]!);
      if (!open) continue;
      const [, indent = '', fence = '```', , info = ''] = open;
      const body: string[] = [];
      let j = i + 1;
      for (; j < lines.length && !lines[j]!.trimStart().startsWith(fence); j++) body.push(lines[j]!.slice(indent.length));
      snippets.push({ file, line: i + 2, code: body.join('\n'), fragment: /\bfragment\b/.test(info) });
      i = j;
    }
  }
  return snippets;
}

const moduleName = (snippet: DocSnippet): string => `${snippet.file.replace(/[/.]/g, '_')}_L${snippet.line}.ts`;

/** Compiles every non-fragment block; see the file comment for the resolution rules. */
export function checkDocSnippets(root: string): DocSnippetReport {
  const snippets = extractDocSnippets(root);
  const compiled = snippets.filter((s) => !s.fragment);
  const outDir = join(root, SNIPPET_DIR);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const byPath = new Map<string, DocSnippet>();
  for (const snippet of compiled) {
    const path = join(outDir, moduleName(snippet));
    // `export {}` makes every block a module, so top-level await works and blocks do not share names.
    writeFileSync(path, `${snippet.code}\nexport {};\n`);
    byPath.set(path, snippet);
  }

  const config = ts.readConfigFile(join(root, 'tsconfig.json'), (p) => ts.sys.readFile(p));
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  const program = ts.createProgram({
    rootNames: [...byPath.keys(), join(root, CONTEXT_FILE)],
    options: {
      ...options,
      noEmit: true,
      paths: {
        '@nexfit/sdk': [join(root, 'src/index.ts')],
        '@nexfit/sdk/schemas': [join(root, 'src/schemas.ts')],
        '@nexfit/sdk/testing': [join(root, 'src/testing.ts')],
      },
    },
  });

  const errors: { file: string; line: number; text: string }[] = [];
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSemanticDiagnostics(), ...program.getSyntacticDiagnostics()];
  for (const d of diagnostics) {
    if (d.category !== ts.DiagnosticCategory.Error) continue;
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const snippet = d.file ? byPath.get(d.file.fileName) : undefined;
    const fileName = d.file ? relative(root, d.file.fileName) : undefined;
    // Only the blocks and their context file are judged here; src/ has its own type-check.
    if (d.file && !snippet && fileName !== CONTEXT_FILE) continue;
    if (d.file && d.start !== undefined) {
      const at = d.file.getLineAndCharacterOfPosition(d.start);
      const file = snippet?.file ?? fileName!;
      const line = snippet ? snippet.line + at.line : at.line + 1;
      errors.push({ file, line, text: `${file}:${line}:${at.character + 1} - error TS${d.code}: ${message}` });
    } else {
      errors.push({ file: '', line: 0, text: `error TS${d.code}: ${message}` });
    }
  }
  errors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { compiled, fragments: snippets.filter((s) => s.fragment), errors: [...new Set(errors.map((e) => e.text))] };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const report = checkDocSnippets(root);
  for (const error of report.errors) console.error(error);
  console.log(`${report.compiled.length} code blocks compiled, ${report.errors.length} errors; ${report.fragments.length} fragments not compiled:`);
  for (const f of report.fragments) console.log(`  ${f.file}:${f.line}`);
  process.exitCode = report.errors.length > 0 ? 1 : 0;
}

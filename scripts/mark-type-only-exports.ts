/**
 * Runs after `tsup` (`npm run build`): the bundled declaration files must say "type-only" of
 * every name an entry point exports with `export type`. The declaration bundler writes a class
 * exported as a type (a service or repository, which host apps receive from `createNexfit` and
 * never construct) as a plain export, which would let a host import it as a value that does not
 * exist at run time. This marks those names `type` in `dist/<entry>.d.ts` and `.d.cts`, reading
 * which names are types from the source entry points with the TypeScript compiler.
 *
 *   npx tsx scripts/mark-type-only-exports.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sourceEntryExports } from './list-exports.js';

/** `X`, `X$1 as X`, `type X`: the name a consumer imports, and whether it is already type-only. */
function exportedName(specifier: string): { readonly name: string; readonly typeOnly: boolean } {
  const typeOnly = specifier.startsWith('type ');
  const bare = typeOnly ? specifier.slice(5) : specifier;
  const as = bare.split(' as ');
  return { name: as[as.length - 1]!.trim(), typeOnly };
}

/** Adds `type` to the specifiers of `types` in every `export { … }` statement of `source`. */
export function markTypeOnlyExports(source: string, types: ReadonlySet<string>): { readonly text: string; readonly marked: readonly string[] } {
  const marked: string[] = [];
  const text = source.replace(/^export (type )?\{([^}]*)\}/gm, (statement: string, wholeTypeOnly: string | undefined, list: string) => {
    if (wholeTypeOnly) return statement;
    const specifiers = list.split(',').map((s) => s.trim()).filter(Boolean);
    const rewritten = specifiers.map((specifier) => {
      const { name, typeOnly } = exportedName(specifier);
      if (typeOnly || !types.has(name)) return specifier;
      marked.push(name);
      return `type ${specifier}`;
    });
    return `export { ${rewritten.join(', ')} }`;
  });
  return { text, marked };
}

function main(): void {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  for (const entry of sourceEntryExports(root)) {
    const name = path.basename(entry.file, '.ts');
    const types = new Set(entry.types);
    for (const extension of ['.d.ts', '.d.cts']) {
      const file = path.join(root, 'dist', name + extension);
      const { text, marked } = markTypeOnlyExports(readFileSync(file, 'utf8'), types);
      writeFileSync(file, text);
      if (marked.length > 0) console.log(`dist/${name}${extension}: ${marked.length} type-only exports marked (${marked.join(', ')})`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();

/**
 * Prints the names each entry point of the package exports, read with the TypeScript
 * compiler from declaration or source files (never from a hand-written list).
 *
 *   npx tsx scripts/list-exports.ts                 # src/ entry points: counts, then names
 *   npx tsx scripts/list-exports.ts --built [dir]   # the built .d.ts/.d.cts of a package folder
 *   npx tsx scripts/list-exports.ts --built [dir] --json
 *
 * With `--built`, the entry points and their declaration files come from the package's
 * `exports` map (`import` and `require` conditions), so the consumer smoke test can import
 * every value name a declaration file promises, from ESM and from CommonJS.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/** The exported names of one entry point as one condition's declaration file declares them. */
export interface EntryExports {
  /** The specifier a consumer imports, e.g. `@nexfit/sdk/schemas`. */
  readonly specifier: string;
  readonly condition: 'import' | 'require' | 'source';
  readonly file: string;
  /** Names that exist at run time (functions, classes, constants, enums). */
  readonly values: readonly string[];
  /** Names that are types only. */
  readonly types: readonly string[];
}

interface PackageJson {
  readonly name: string;
  readonly exports: Record<string, string | Record<string, string | Record<string, string>>>;
}

/** The exported names of `files`, classified as values or types by the type checker. */
export function exportsOf(files: readonly string[]): Map<string, { values: string[]; types: string[] }> {
  const program = ts.createProgram([...files], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const result = new Map<string, { values: string[]; types: string[] }>();
  for (const file of files) {
    const source = program.getSourceFile(file);
    const moduleSymbol = source && checker.getSymbolAtLocation(source);
    if (!moduleSymbol) throw new Error(`Not a module: ${file}`);
    const values: string[] = [];
    const types: string[] = [];
    for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      // `export type { X }` of a value is still type-only for a consumer.
      const typeOnly = symbol.declarations?.some((d) => ts.isTypeOnlyImportOrExportDeclaration(d as never)) ?? false;
      if (!typeOnly && target.flags & ts.SymbolFlags.Value) values.push(symbol.name);
      else types.push(symbol.name);
    }
    result.set(file, { values: values.sort(), types: types.sort() });
  }
  return result;
}

/** The entry points of the built package in `dir`, from its `exports` map. */
export function builtEntryExports(dir: string): EntryExports[] {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
  const entries: { specifier: string; condition: 'import' | 'require'; file: string }[] = [];
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    if (typeof target !== 'object') continue;
    for (const condition of ['import', 'require'] as const) {
      const branch = target[condition];
      const types = typeof branch === 'object' ? branch['types'] : undefined;
      if (!types) continue;
      entries.push({ specifier: pkg.name + subpath.slice(1), condition, file: path.resolve(dir, types) });
    }
  }
  const names = exportsOf(entries.map((e) => e.file));
  return entries.map((e) => ({ ...e, ...names.get(e.file)! }));
}

/** The package's entry points as their source files declare them. */
export function sourceEntryExports(root: string): EntryExports[] {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
  const entries = Object.keys(pkg.exports)
    .filter((subpath) => subpath !== './package.json')
    .map((subpath) => {
      const name = subpath === '.' ? 'index' : subpath.slice(2);
      return { specifier: pkg.name + subpath.slice(1), condition: 'source' as const, file: path.join(root, 'src', `${name}.ts`) };
    });
  const names = exportsOf(entries.map((e) => e.file));
  return entries.map((e) => ({ ...e, ...names.get(e.file)! }));
}

function main(argv: readonly string[]): void {
  const builtAt = argv.indexOf('--built');
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
  const entries = builtAt >= 0 ? builtEntryExports(path.resolve(argv[builtAt + 1] && !argv[builtAt + 1]!.startsWith('--') ? argv[builtAt + 1]! : root)) : sourceEntryExports(root);
  if (argv.includes('--json')) {
    process.stdout.write(JSON.stringify(entries, null, 2) + '\n');
    return;
  }
  for (const e of entries) {
    console.log(`${e.specifier} (${e.condition}): ${e.values.length + e.types.length} names, ${e.values.length} values, ${e.types.length} types`);
  }
  if (argv.includes('--counts')) return;
  for (const e of entries) {
    console.log(`\n# ${e.specifier} (${e.condition})`);
    console.log(`values: ${e.values.join(', ')}`);
    console.log(`types: ${e.types.join(', ')}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));

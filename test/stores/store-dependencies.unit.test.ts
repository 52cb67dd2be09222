import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const src = path.join(root, 'src');

/** What `src/stores` may import from the SDK's own code: itself and `core`. Packages are not checked. */
const ALLOWED = ['stores', 'core'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every relative module specifier of a source text: static imports and re-exports (type-only too), and dynamic imports. */
function relativeSpecifiers(text: string): string[] {
  const patterns = [/\bfrom\s+'(\.[^']*)'/g, /\bimport\s+'(\.[^']*)'/g, /\bimport\(\s*'(\.[^']*)'\s*\)/g];
  return patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((m) => m[1]!));
}

/** The imports of `file` (its text given) that leave the folders stores may depend on, as `file -> target`. */
function forbiddenImports(file: string, text: string): string[] {
  return relativeSpecifiers(text).flatMap((specifier) => {
    const target = path.relative(src, path.resolve(path.dirname(file), specifier));
    const top = target.split(path.sep)[0]!;
    return ALLOWED.includes(top) ? [] : [`${path.relative(root, file)} -> src/${target.split(path.sep).join('/')}`];
  });
}

describe('src/stores dependencies', () => {
  it('imports nothing from the modules, workflows or the composition root: they hand their definitions to the stores', () => {
    const offending = sourceFiles(path.join(src, 'stores')).flatMap((file) => forbiddenImports(file, readFileSync(file, 'utf8')));
    expect(offending).toEqual([]);
  });

  it('catches a store file that imports a module, by type or by value, statically or dynamically', () => {
    const file = path.join(src, 'stores', 'mongo', 'example.ts');
    const text = [
      "import { storedUserSchema } from '../../modules/users/user.schema.js';",
      "import type { Measurement } from '../../modules/measurements/measurement.schema.js';",
      "export { MONGO_COLLECTIONS } from '../../modules/mongo-collections.js';",
      "const late = await import('../../create-nexfit.js');",
      "import { toNexfitError } from './error-mapping.js';",
      "import { ConflictError } from '../../core/errors.js';",
    ].join('\n');
    expect(forbiddenImports(file, text)).toEqual([
      'src/stores/mongo/example.ts -> src/modules/users/user.schema.js',
      'src/stores/mongo/example.ts -> src/modules/measurements/measurement.schema.js',
      'src/stores/mongo/example.ts -> src/modules/mongo-collections.js',
      'src/stores/mongo/example.ts -> src/create-nexfit.js',
    ]);
  });
});

/** The imports of a workflow file that reach into a module past its door (`src/modules/<module>/index.ts`). */
function pastModuleDoors(file: string, text: string): string[] {
  return relativeSpecifiers(text).flatMap((specifier) => {
    const parts = path.relative(src, path.resolve(path.dirname(file), specifier)).split(path.sep);
    const intoModule = parts[0] === 'modules' && parts.length > 2;
    return intoModule && parts.slice(2).join('/') !== 'index.js' ? [`${path.relative(root, file)} -> src/${parts.join('/')}`] : [];
  });
}

describe('src/workflows dependencies', () => {
  it('reach each module only through its door, its index', () => {
    const offending = sourceFiles(path.join(src, 'workflows')).flatMap((file) => pastModuleDoors(file, readFileSync(file, 'utf8')));
    expect(offending).toEqual([]);
  });

  it('catches a workflow file that imports a module file other than its index', () => {
    const file = path.join(src, 'workflows', 'book-class', 'example.ts');
    const text = [
      "import type { BookingService } from '../../modules/classes/booking.service.js';",
      "import { ClassRepository } from '../../modules/classes/index.js';",
      "import type { ServiceDeps } from '../../modules/service-deps.js';",
      "import { runWorkflow } from '../workflow.js';",
    ].join('\n');
    expect(pastModuleDoors(file, text)).toEqual(['src/workflows/book-class/example.ts -> src/modules/classes/booking.service.js']);
  });
});

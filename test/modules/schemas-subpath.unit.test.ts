import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as schemas from '../../src/schemas.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Every bare module the file graph below `entry` imports (type-only imports included). */
function externalImports(entry: string, seen = new Set<string>(), out = new Set<string>()): Set<string> {
  if (seen.has(entry)) return out;
  seen.add(entry);
  const text = readFileSync(entry, 'utf8');
  for (const { fileName: spec } of ts.preProcessFile(text, true, true).importedFiles) {
    if (spec.startsWith('.')) externalImports(resolve(dirname(entry), spec.replace(/\.js$/, '.ts')), seen, out);
    else out.add(spec);
  }
  return out;
}

describe('the ./schemas subpath', () => {
  it('imports no driver and no Node built-in', () => {
    const external = [...externalImports(resolve(SRC, 'schemas.ts'))].sort();
    expect(external).toEqual(['type-fest', 'zod']);
  });

  it('exports the schemas of all 15 collections and 5 tables', () => {
    const names = [
      'user', 'measurement', 'exercise', 'workoutTemplate', 'workoutProgram', 'workoutLog', 'nutritionPlan', 'food',
      'facility', 'membership', 'memberSubscription', 'class', 'classBooking', 'coachClient', 'ptSession',
      'transaction', 'subscription', 'invoice', 'analyticsDaily', 'auditLog',
    ];
    // The SDK alone writes the audit log and the analytics roll-up: their input schemas stay inside.
    const writtenByTheSdk = new Set(['analyticsDaily', 'auditLog']);
    for (const name of names) {
      expect(schemas, name).toHaveProperty(`${name}Schema`);
      const pascal = name[0]!.toUpperCase() + name.slice(1);
      if (writtenByTheSdk.has(name)) expect(schemas, name).not.toHaveProperty(`create${pascal}InputSchema`);
      else expect(schemas, name).toHaveProperty(`create${pascal}InputSchema`);
    }
  });

  it('exports nothing storage-internal: no stored shapes, codecs, derived fields or schema builders', () => {
    const internal = Object.keys(schemas).filter((name) =>
      /^stored[A-Z]|FromStored$|ToStored$|DerivedFields$|DocumentFields$|ErasureFields$|^(patchSchemaOf|pickFields|requiredText|optionalText|boundedArray|uniqueArray|toValidationIssues|setDefaultValidationLocale)$/.test(name),
    );
    expect(internal).toEqual([]);
  });
});

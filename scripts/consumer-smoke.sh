#!/usr/bin/env bash
# Packs the library, installs the tarball into an empty project with its peer dependencies,
# imports every value name the built declaration files of each entry point export (the list
# read from the .d.ts/.d.cts with the TypeScript compiler) from ESM and CommonJS, and runs
# the embedded stores.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tarball="$(cd "$root" && npm pack --silent --pack-destination "$work" | tail -n 1)"
peers="$(node -p "Object.entries(require('$root/package.json').peerDependencies).map(([n]) => n + '@' + require('$root/node_modules/' + n + '/package.json').version).join(' ')")"
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --prefer-offline "./$tarball" $peers >/dev/null
cat > esm.mjs <<'JS'
import { createNexfit, NexfitError, ValidationError } from '@nexfit/sdk';
import * as schemas from '@nexfit/sdk/schemas';
import { startEmbeddedMongo, startEmbeddedPostgres } from '@nexfit/sdk/testing';
import pkg from '@nexfit/sdk/package.json' with { type: 'json' };
if (typeof createNexfit !== 'function' || typeof startEmbeddedMongo !== 'function' || typeof startEmbeddedPostgres !== 'function') throw new Error('missing exports');
if (!(new ValidationError('x', []) instanceof NexfitError)) throw new Error('error hierarchy broken');
if (Object.keys(schemas).length < 20) throw new Error('schemas subpath looks empty');
const mongo = await startEmbeddedMongo();
const { MongoClient } = await import('mongodb');
const client = new MongoClient(mongo.uri);
await client.db('smoke').collection('c').insertOne({ a: 1 });
if ((await client.db('smoke').collection('c').countDocuments()) !== 1) throw new Error('embedded mongo round trip failed');
await client.close();
await mongo.stop();
console.log(`ESM ok: ${pkg.name}@${pkg.version}, ${Object.keys(schemas).length} schema exports`);
JS
cat > cjs.cjs <<'JS'
const { createNexfit, NexfitError } = require('@nexfit/sdk');
const schemas = require('@nexfit/sdk/schemas');
const testing = require('@nexfit/sdk/testing');
if (typeof createNexfit !== 'function' || typeof testing.startEmbeddedMongo !== 'function') throw new Error('missing exports');
if (typeof NexfitError !== 'function' || Object.keys(schemas).length < 20) throw new Error('schemas subpath looks empty');
console.log('CJS ok');
JS
cat > no-drivers.mjs <<'JS'
// Refuses to resolve any driver: the ./schemas subpath must load none.
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(`export async function resolve(s, c, next) {
  const r = await next(s, c);
  if (/node_modules\\/(mongodb|pg|kysely|bson)\\//.test(r.url)) throw new Error('driver loaded by the schemas subpath: ' + r.url);
  return r;
}`));
JS
cat > schemas-only.mjs <<'JS'
const schemas = await import('@nexfit/sdk/schemas');
console.log(`schemas subpath ok: ${Object.keys(schemas).length} exports, no driver loaded`);
JS
# Every value a declaration file promises must exist at run time, in both module systems.
node "$root/node_modules/tsx/dist/cli.mjs" "$root/scripts/list-exports.ts" --built node_modules/@nexfit/sdk --json > exports.json
node - <<'JS'
const { writeFileSync } = require('node:fs');
const entries = require('./exports.json');
const esm = [], cjs = ['const missing = [];'];
let n = 0;
for (const e of entries) {
  if (e.values.length === 0) throw new Error(`${e.specifier} (${e.condition}) declares no values`);
  const checks = e.values.map((name) => `[${JSON.stringify(name)}, v${n++}]`);
  const bindings = e.values.map((name, i) => `${name} as v${n - e.values.length + i}`);
  if (e.condition === 'import') {
    esm.push(`import { ${bindings.join(', ')} } from ${JSON.stringify(e.specifier)};`);
    esm.push(`for (const [name, value] of [${checks.join(', ')}]) if (value === undefined) throw new Error(${JSON.stringify(e.specifier)} + ' exports ' + name + ' as undefined');`);
  } else {
    cjs.push(`{ const m = require(${JSON.stringify(e.specifier)}); for (const name of ${JSON.stringify(e.values)}) if (!(name in m) || m[name] === undefined) missing.push(${JSON.stringify(e.specifier)} + ': ' + name); }`);
  }
}
esm.push(`console.log('ESM: every declared value exists (${entries.filter((e) => e.condition === 'import').map((e) => e.specifier + ' ' + e.values.length).join(', ')})');`);
cjs.push(`if (missing.length) throw new Error('declared but missing at run time: ' + missing.join(', '));`);
cjs.push(`console.log('CJS: every declared value exists (${entries.filter((e) => e.condition === 'require').map((e) => e.specifier + ' ' + e.values.length).join(', ')})');`);
writeFileSync('declared-values.mjs', esm.join('\n') + '\n');
writeFileSync('declared-values.cjs', cjs.join('\n') + '\n');
JS
node declared-values.mjs
node declared-values.cjs
node esm.mjs
node cjs.cjs
node --import ./no-drivers.mjs schemas-only.mjs

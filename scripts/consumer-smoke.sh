#!/usr/bin/env bash
# Packs the library, installs the tarball into an empty project with its peer dependencies,
# and imports every entry point from ESM and CommonJS.
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
node esm.mjs
node cjs.cjs
node --import ./no-drivers.mjs schemas-only.mjs

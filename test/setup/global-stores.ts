import type { TestProject } from 'vitest/node';
import { resolveTestMongo, resolveTestPostgres } from '../../src/embedded/test-stores.js';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
    mongoKind: 'external' | 'memory-server' | 'embedded';
    pgUrl: string;
    pgKind: 'external' | 'embedded';
  }
}

/** Starts (or finds) one MongoDB and one PostgreSQL for the whole run and prints which. */
export default async function setup(project: TestProject) {
  const [mongo, pg] = await Promise.all([resolveTestMongo(), resolveTestPostgres()]);
  console.log(`\n[nexfit] stores for this run:\n  MongoDB:    ${mongo.description}\n  PostgreSQL: ${pg.description}\n`);
  project.provide('mongoUri', mongo.uri);
  project.provide('mongoKind', mongo.kind);
  project.provide('pgUrl', pg.uri);
  project.provide('pgKind', pg.kind);
  return async () => {
    await Promise.allSettled([mongo.stop(), pg.stop()]);
  };
}

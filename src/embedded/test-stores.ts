import { startEmbeddedPostgres } from './embedded-postgres.js';

/** Which MongoDB a run uses, in order of preference. */
export type MongoStoreKind = 'external' | 'memory-server' | 'embedded';
/** Which PostgreSQL a run uses, in order of preference. */
export type PostgresStoreKind = 'external' | 'embedded';

/** A store chosen for a test run: a real server from the environment, or an embedded one. */
export interface ResolvedStore<Kind extends string> {
  readonly kind: Kind;
  /** Connection string the official driver accepts. */
  readonly uri: string;
  /** One line for the run's header: what it is and why it was chosen. */
  readonly description: string;
  /** Stops the store if the resolution started it; a server from the environment is left running. */
  stop(): Promise<void>;
}

/**
 * The MongoDB a test run uses: `MONGODB_URI` when set; otherwise a real `mongod` from
 * `mongodb-memory-server` (`MongoMemoryReplSet`) when a binary is available without a
 * download (`MONGOMS_RUNTIME_DOWNLOAD=false` unless set, so offline runs fail fast);
 * otherwise the SDK's embedded MongoDB-wire-compatible server.
 */
export async function resolveTestMongo(env: NodeJS.ProcessEnv = process.env): Promise<ResolvedStore<MongoStoreKind>> {
  const external = env['MONGODB_URI'];
  if (external) {
    return { kind: 'external', uri: external, description: `MongoDB from MONGODB_URI (${redact(external)})`, stop: async () => {} };
  }
  let memoryServerReason: string;
  try {
    env['MONGOMS_RUNTIME_DOWNLOAD'] ??= 'false';
    const { MongoBinary, MongoMemoryReplSet } = await import('mongodb-memory-server');
    // Finding the binary first fails quietly and fast when there is none to use.
    await MongoBinary.getPath();
    const replSet = await MongoMemoryReplSet.create({ replSet: { count: 1, storageEngine: 'wiredTiger' } });
    return {
      kind: 'memory-server',
      uri: replSet.getUri(),
      description: 'real mongod from mongodb-memory-server (one-member replica set)',
      stop: async () => { await replSet.stop(); },
    };
  } catch (error) {
    memoryServerReason = error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error);
  }
  const { startEmbeddedMongo } = await import('./embedded-mongo.js');
  const server = await startEmbeddedMongo();
  return {
    kind: 'embedded',
    uri: server.uri,
    description: `embedded MongoDB-wire-compatible server at ${server.uri} (no mongod: ${memoryServerReason})`,
    stop: () => server.stop(),
  };
}

/**
 * The PostgreSQL a test run uses: `DATABASE_URL` when set, otherwise `embedded-postgres`
 * with prepared transactions enabled.
 */
export async function resolveTestPostgres(env: NodeJS.ProcessEnv = process.env): Promise<ResolvedStore<PostgresStoreKind>> {
  const external = env['DATABASE_URL'];
  if (external) {
    return { kind: 'external', uri: external, description: `PostgreSQL from DATABASE_URL (${redact(external)})`, stop: async () => {} };
  }
  const server = await startEmbeddedPostgres();
  return {
    kind: 'embedded',
    uri: server.url,
    description: `embedded-postgres on 127.0.0.1:${server.port} (DATABASE_URL not set)`,
    stop: () => server.stop(),
  };
}

function redact(uri: string): string {
  return uri.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

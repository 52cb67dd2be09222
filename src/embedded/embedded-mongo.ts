import { ConfigurationError } from '../core/errors.js';
import type { EmbeddedMongo, EmbeddedMongoOptions } from './mongo/server.js';

export type { EmbeddedMongo, EmbeddedMongoOptions };

/**
 * Starts the SDK's embedded MongoDB-wire-compatible server (see docs/embedded-mongo.md), loading
 * it only now: its query engine, the `mingo` package, is an optional peer dependency that
 * production installs leave out. Without it, a `ConfigurationError` names the package.
 *
 * @example
 * ```ts
 * const mongo = await startEmbeddedMongo(); // stock MongoClient connects to mongo.uri
 * await mongo.stop();
 * ```
 */
export async function startEmbeddedMongo(options: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  let server: typeof import('./mongo/server.js');
  try {
    server = await import('./mongo/server.js');
  } catch (cause) {
    if (isMissingPackage(cause, 'mingo')) {
      throw new ConfigurationError('The embedded MongoDB server needs the "mingo" package: npm install --save-dev mingo (or set MONGODB_URI to a MongoDB server)', { cause });
    }
    throw cause;
  }
  return server.startEmbeddedMongo(options);
}

/** Whether `error` is Node's "cannot find package `name`" from `import` or `require`. */
export function isMissingPackage(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && typeof message === 'string' && message.includes(`'${name}'`);
}

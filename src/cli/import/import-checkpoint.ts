import { createHash, randomUUID } from 'node:crypto';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';

/** How much of the file's head its identity hashes. */
const HEAD_BYTES = 64 * 1024;

/** What identifies an import file: a checkpoint of another file (or of this one changed) is not resumed. */
export interface FileIdentity {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** sha256 of the first 64 KiB. */
  readonly headSha256: string;
}

/** The file's identity now. */
export async function fileIdentityOf(file: string): Promise<FileIdentity> {
  const path = resolve(file);
  const info = await stat(path);
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(HEAD_BYTES, info.size));
    await handle.read(head, 0, head.length, 0);
    return { path, size: info.size, mtimeMs: info.mtimeMs, headSha256: createHash('sha256').update(head).digest('hex') };
  } finally {
    await handle.close();
  }
}

/** Whether `a` and `b` are the same file with the same content as far as the identity tells (path, size, head). */
export function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.path === b.path && a.size === b.size && a.headSha256 === b.headSha256;
}

/**
 * The state of an import, written after every committed batch (and once before the first): the
 * file, the import's settings, where the next batch starts, and the run's key from which each
 * batch's idempotency key (`import:<runKey>:<batch>`) is made.
 */
export interface ImportCheckpoint {
  readonly version: 1;
  readonly file: FileIdentity;
  /** Made once per run (file identity and a random id): `--restart` starts a new run with new keys. */
  readonly runKey: string;
  readonly entity: string;
  readonly format: 'ndjson' | 'csv';
  readonly batchSize: number;
  readonly ordered: boolean;
  /** The line and byte offset where the next batch starts. */
  readonly nextLine: number;
  readonly nextByte: number;
  /** The number of the next batch (1-based): its idempotency key. */
  readonly batch: number;
  /** How long the rejected-rows file was when this checkpoint was written: a resumed run cuts it back to that. */
  readonly rejectedBytes: number;
  readonly rows: number;
  readonly created: number;
  readonly rejected: number;
}

/** A new run's key: 32 hex characters from the file identity and a random id. */
export function newRunKey(file: FileIdentity): string {
  return createHash('sha256').update(`${file.path}\n${file.size}\n${file.headSha256}\n${randomUUID()}`).digest('hex').slice(0, 32);
}

/** The checkpoint at `path`, or `null` when there is none; throws a message for a file that is not one. */
export async function readCheckpoint(path: string): Promise<ImportCheckpoint | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const checkpoint = JSON.parse(text) as Partial<ImportCheckpoint>;
  if (checkpoint.version !== 1 || typeof checkpoint.runKey !== 'string' || typeof checkpoint.nextByte !== 'number' || typeof checkpoint.batch !== 'number' || !checkpoint.file) {
    throw new Error(`${path} is not a checkpoint of nexfit import`);
  }
  return checkpoint as ImportCheckpoint;
}

/** Writes the checkpoint atomically: a temporary file beside it, then a rename over it. */
export async function writeCheckpoint(path: string, checkpoint: ImportCheckpoint): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(checkpoint, null, 2)}\n`);
  await rename(temporary, path);
}

/** Removes the checkpoint of a finished import. */
export async function removeCheckpoint(path: string): Promise<void> {
  await rm(path, { force: true });
}

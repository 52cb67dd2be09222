import { createReadStream } from 'node:fs';
import { open, truncate, writeFile, type FileHandle } from 'node:fs/promises';
import type { ValidationIssue } from '../../core/errors.js';
import { ValidationError } from '../../core/errors.js';
import { BULK_CREATE_ENTITIES, type BulkEntityName } from '../../workflows/bulk-create/bulk-create-entities.js';
import type { BulkCreateInput, BulkCreateOutcome } from '../../workflows/bulk-create/bulk-create.workflow.js';
import { UsageError } from '../cli-errors.js';
import { csvCellsOf, csvColumnsOf, csvRowOf, type CsvColumns } from './csv-cells.js';
import { fileIdentityOf, newRunKey, readCheckpoint, removeCheckpoint, sameFile, writeCheckpoint, type ImportCheckpoint } from './import-checkpoint.js';
import { MAX_RECORD_BYTES, splitRecords, type SourceRecord } from './record-splitter.js';

/** The formats `nexfit import` reads. */
export type ImportFormat = 'ndjson' | 'csv';

/** What one `nexfit import` does. */
export interface ImportOptions {
  readonly entity: BulkEntityName;
  readonly file: string;
  readonly format: ImportFormat;
  readonly batchSize: number;
  readonly ordered: boolean;
  readonly dryRun: boolean;
  readonly rejectedFile: string;
  readonly checkpointFile: string;
  readonly restart: boolean;
  /** Settings the operator gave explicitly: a checkpoint with other settings is then refused rather than followed. */
  readonly given: { readonly format: boolean; readonly batchSize: boolean; readonly ordered: boolean };
  readonly onProgress?: (bytesRead: number, fileBytes: number, rows: number) => void;
}

/** The summary `nexfit import` prints (`--json` prints it as is). */
export interface ImportSummary {
  readonly entity: BulkEntityName;
  readonly file: string;
  /** Rows read by this run (blank lines are not rows). */
  readonly rows: number;
  readonly created: number;
  readonly rejected: number;
  readonly dryRun: boolean;
  /** The line this run resumed from, after an interrupted run; `null` for a run from the start. */
  readonly resumedFromLine: number | null;
  /** Ordered: the line of the rejected row the import stopped at; `null` when it read the whole file. */
  readonly stoppedAtLine: number | null;
  readonly rejectedFile: string | null;
  readonly elapsedMs: number;
  readonly rowsPerSecond: number;
  readonly peakRssMb: number;
}

/** One line of the rejected-rows file. */
export interface RejectedRow {
  readonly line: number;
  readonly reason: string;
  readonly issues: readonly ValidationIssue[];
  /** The row as read from the file, when it could be read. */
  readonly row?: unknown;
}

/** A row read for the current batch, with where it came from. */
interface PendingRow {
  readonly row: unknown;
  readonly line: number;
  readonly startByte: number;
}

/** Where a batch (or the file) starts. */
interface Position {
  readonly line: number;
  readonly byte: number;
}

/**
 * Imports one file through `bulkCreate`, streaming: records are read one at a time (at most
 * 1 MiB each), batched, and each batch is one `bulkCreate` (one unit of work) under the
 * idempotency key `import:<runKey>:<batch>`. After every committed batch the checkpoint moves
 * on; a run interrupted anywhere resumes from it, and a batch that committed before its
 * checkpoint was written replays instead of writing twice. See docs/bulk-import.md.
 *
 * @example
 * ```ts
 * const summary = await importFile((input) => nexfit.workflows.bulkCreate(input), { entity: 'transactions', file: 'tx.ndjson', format: 'ndjson', batchSize: 1000, ordered: true, dryRun: false, rejectedFile: 'tx.ndjson.rejected.ndjson', checkpointFile: 'tx.ndjson.checkpoint.json', restart: false, given: { format: false, batchSize: false, ordered: false } });
 * ```
 */
export async function importFile(bulkCreate: (input: BulkCreateInput) => Promise<BulkCreateOutcome>, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const identity = await fileIdentityOf(options.file);
  const found = options.dryRun ? null : await readCheckpoint(options.checkpointFile);
  const resumed = found && !options.restart ? found : null;
  if (resumed) assertResumable(resumed, identity, options);
  const settings = resumed ? { format: resumed.format, batchSize: resumed.batchSize, ordered: resumed.ordered } : { format: options.format, batchSize: options.batchSize, ordered: options.ordered };
  const runKey = resumed?.runKey ?? newRunKey(identity);
  const schema = BULK_CREATE_ENTITIES[options.entity].createSchema;

  let rejectedBytes = resumed?.rejectedBytes ?? 0;
  // A resumed run drops what the interrupted one wrote after its last checkpoint: those batches replay.
  if (resumed) await truncate(options.rejectedFile, rejectedBytes).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? writeFile(options.rejectedFile, '') : Promise.reject(error)));
  else await writeFile(options.rejectedFile, '');
  const rejectedOut: FileHandle = await open(options.rejectedFile, 'a');

  let position: Position = resumed ? { line: resumed.nextLine, byte: resumed.nextByte } : { line: 1, byte: 0 };
  let batch = resumed?.batch ?? 1;
  let rows = 0;
  /** Rows read before the position of the last checkpoint (the next batch may already be being read). */
  let rowsThrough = 0;
  let created = 0;
  let rejected = 0;
  let stoppedAtLine: number | null = null;
  const totals = () => ({ rows: (resumed?.rows ?? 0) + rowsThrough, created: (resumed?.created ?? 0) + created, rejected: (resumed?.rejected ?? 0) + rejected });
  const checkpoint = async (next: Position, nextBatch: number, bytes: number) => {
    if (options.dryRun) return;
    const t = totals();
    const state: ImportCheckpoint = {
      version: 1,
      file: identity,
      runKey,
      entity: options.entity,
      ...settings,
      nextLine: next.line,
      nextByte: next.byte,
      batch: nextBatch,
      rejectedBytes: bytes,
      ...t,
    };
    await writeCheckpoint(options.checkpointFile, state);
  };

  // One batch is written while the next is read and parsed; batches are written one after another, in order.
  let inflight: Promise<boolean> | null = null;
  try {
    const columns = settings.format === 'csv' ? await csvHeader(options.file, schema) : null;
    if (!resumed) await checkpoint(position, batch, 0);
    if (columns && position.byte < columns.endByte) position = { line: columns.nextLine, byte: columns.endByte };

    let pending: PendingRow[] = [];
    let unreadable: RejectedRow[] = [];
    /** Writes the pending rows as one batch; returns false when an ordered import must stop. */
    const flush = async (next: Position, stopAt?: RejectedRow): Promise<boolean> => {
      const sent = pending;
      const refusedBefore = unreadable;
      pending = [];
      unreadable = [];
      const outcome = sent.length > 0
        ? await bulkCreate({ entity: options.entity, rows: sent.map((p) => p.row), ordered: settings.ordered, ...(options.dryRun ? { dryRun: true } : { idempotencyKey: `import:${runKey}:${batch}` }) })
        : null;
      const refused: RejectedRow[] = [
        ...refusedBefore,
        ...(outcome?.rejected ?? []).map((r) => ({ line: sent[r.index]!.line, reason: r.message, issues: r.issues, row: sent[r.index]!.row })),
        ...(stopAt ? [stopAt] : []),
      ].sort((a, b) => a.line - b.line);
      created += outcome?.createdIds.length ?? 0;
      rejected += refused.length;
      const bytesBefore = rejectedBytes;
      if (refused.length > 0) {
        const text = refused.map((r) => JSON.stringify(r)).join('\n') + '\n';
        await rejectedOut.write(text);
        rejectedBytes += Buffer.byteLength(text);
      }
      const stop = settings.ordered ? (refused[0] ?? null) : null;
      if (outcome || refusedBefore.length > 0) batch += 1;
      if (stop) {
        stoppedAtLine = stop.line;
        rowsThrough += sent.filter((p) => p.line < stop.line).length + refusedBefore.filter((r) => r.line < stop.line).length;
        // The next run starts at the refused row again (fixed in place, it is imported then).
        const at = sent.find((p) => p.line === stop.line);
        await checkpoint(at ? { line: at.line, byte: at.startByte } : stopAt ? next : position, batch, bytesBefore);
        return false;
      }
      rowsThrough += sent.length + refusedBefore.length + (stopAt ? 1 : 0);
      position = next;
      await checkpoint(position, batch, rejectedBytes);
      return true;
    };

    let resumeFrom = position;
    const records = splitRecords(createReadStream(options.file, { start: position.byte, highWaterMark: 1024 * 1024 }), { quoted: settings.format === 'csv', startByte: position.byte, startLine: position.line });
    const settled = async (): Promise<boolean> => {
      const previous = inflight;
      inflight = null;
      return previous ? previous : true;
    };
    let stopped = false;
    for await (const record of records) {
      const read = readRow(record, settings.format, columns);
      options.onProgress?.(record.endByte, identity.size, (resumed?.rows ?? 0) + rows + (read ? 1 : 0));
      resumeFrom = { line: record.nextLine, byte: record.endByte };
      if (!read) continue;
      rows += 1;
      if ('reason' in read) {
        if (settings.ordered) {
          stopped = !(await settled()) || !(await flush({ line: record.line, byte: record.startByte }, read));
          break;
        }
        unreadable.push(read);
      } else {
        pending.push({ row: read.row, line: record.line, startByte: record.startByte });
      }
      if (pending.length >= settings.batchSize) {
        if (!(await settled())) {
          stopped = true;
          break;
        }
        inflight = flush(resumeFrom);
        // Awaited before the next batch; until then its failure must not count as unhandled.
        inflight.catch(() => {});
      }
    }
    if (!stopped) stopped = !(await settled());
    if (!stopped && (pending.length > 0 || unreadable.length > 0)) stopped = !(await flush(resumeFrom));
    if (!resumed && rows === 0) {
      await removeCheckpoint(options.checkpointFile);
      throw new ValidationError(`${options.file}: the file has no rows`, [{ path: [], code: 'empty_file', message: 'the file has no rows' }]);
    }
    if (!stopped && !options.dryRun) await removeCheckpoint(options.checkpointFile);
  } finally {
    await (inflight as Promise<boolean> | null)?.catch(() => {});
    await rejectedOut.close();
  }
  const elapsedMs = Math.round(performance.now() - started);
  return {
    entity: options.entity,
    file: options.file,
    rows,
    created,
    rejected,
    dryRun: options.dryRun,
    resumedFromLine: resumed ? resumed.nextLine : null,
    stoppedAtLine,
    rejectedFile: rejected > 0 || (resumed?.rejected ?? 0) > 0 ? options.rejectedFile : null,
    elapsedMs,
    rowsPerSecond: elapsedMs > 0 ? Math.round((rows * 1000) / elapsedMs) : rows,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/** A checkpoint is followed only for the same file (path, size, head) and the same settings. */
function assertResumable(checkpoint: ImportCheckpoint, identity: Awaited<ReturnType<typeof fileIdentityOf>>, options: ImportOptions): void {
  const restart = `; run with --restart to import the file from its first line, or remove ${options.checkpointFile}`;
  if (!sameFile(checkpoint.file, identity)) {
    throw new UsageError(`${options.checkpointFile} is the checkpoint of another file, or of this file before it changed (size or first 64 KiB differ)${restart}`);
  }
  const differs = [
    checkpoint.entity !== options.entity ? `entity ${checkpoint.entity}` : null,
    options.given.format && checkpoint.format !== options.format ? `--format ${checkpoint.format}` : null,
    options.given.batchSize && checkpoint.batchSize !== options.batchSize ? `--batch-size ${checkpoint.batchSize}` : null,
    options.given.ordered && checkpoint.ordered !== options.ordered ? (checkpoint.ordered ? 'ordered' : '--unordered') : null,
  ].filter(Boolean);
  if (differs.length > 0) throw new UsageError(`${options.checkpointFile} is the checkpoint of an import with ${differs.join(', ')}${restart}`);
}

/** The row of one record, a refusal with its line, or `null` for a blank line. */
function readRow(record: SourceRecord, format: ImportFormat, columns: CsvHeader | null): { readonly row: unknown } | RejectedRow | null {
  const refuse = (reason: string): RejectedRow => ({ line: record.line, reason, issues: [] });
  if (record.text === null) return refuse(`${format === 'csv' ? 'record' : 'line'} longer than ${MAX_RECORD_BYTES / 1024 / 1024} MiB`);
  if (record.text.trim() === '') return null;
  if (format === 'ndjson') {
    let value: unknown;
    try {
      value = JSON.parse(record.text);
    } catch (error) {
      return refuse(`broken JSON: ${(error as Error).message}`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return refuse(`not a JSON object: ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
    return { row: value };
  }
  try {
    return { row: csvRowOf(csvCellsOf(record.text), columns!) };
  } catch (error) {
    return refuse(`malformed CSV record: ${(error as Error).message}`);
  }
}

/** A CSV file's header: its columns, and where the first record after it starts. */
interface CsvHeader extends CsvColumns {
  readonly endByte: number;
  readonly nextLine: number;
}

/** Reads the first non-blank record of a CSV file as its header. */
async function csvHeader(file: string, schema: Parameters<typeof csvColumnsOf>[1]): Promise<CsvHeader> {
  const stream = createReadStream(file, { highWaterMark: 64 * 1024 });
  try {
    for await (const record of splitRecords(stream, { quoted: true, startByte: 0, startLine: 1 })) {
      if (record.text === null) throw new UsageError(`${file}: the header record is longer than 1 MiB`);
      if (record.text.trim() === '') continue;
      try {
        return { ...csvColumnsOf(csvCellsOf(record.text), schema), endByte: record.endByte, nextLine: record.nextLine };
      } catch (error) {
        throw new UsageError(`${file}: ${(error as Error).message}`);
      }
    }
  } finally {
    stream.destroy();
  }
  return { paths: [], kinds: [], endByte: 0, nextLine: 1 };
}

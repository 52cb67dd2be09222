import type { ArchiveTarget } from './archive-targets.js';

/** The points between which an archiving batch can be interrupted, for crash tests. */
export interface ArchiveFaults {
  /**
   * Called after a MongoDB batch is in the archive and before it leaves the hot collection:
   * throwing here is a process dying between the two writes.
   */
  readonly afterCopy?: (ids: readonly unknown[]) => void | Promise<void>;
}

/** What {@link archiveOlderThan} moves and how. */
export interface ArchiveOptions {
  readonly target: ArchiveTarget;
  /** Documents or rows dated strictly before this instant move; later ones stay. */
  readonly before: Date;
  /** Documents or rows per batch (default 500). */
  readonly batchSize?: number;
  /** Stops at the next batch boundary; every finished batch stays done. */
  readonly signal?: AbortSignal;
  /** After each batch: moved so far, and how many were older than `before` at the start. */
  readonly onProgress?: (moved: number, total: number) => void;
  readonly faults?: ArchiveFaults;
}

/** What one archiving run did. */
export interface ArchiveResult {
  readonly target: ArchiveTarget;
  /** Moved by this run. */
  readonly moved: number;
  /** Older than the cutoff when the run started. */
  readonly total: number;
  readonly batches: number;
  /** `false` when the signal stopped the run early; run it again to finish. */
  readonly complete: boolean;
}

export const DEFAULT_ARCHIVE_BATCH_SIZE = 500;

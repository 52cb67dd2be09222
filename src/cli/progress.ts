import { SingleBar } from 'cli-progress';

/** Reports progress of long work: a bar on an interactive terminal, nothing otherwise (and never with `--json`). */
export interface ProgressReporter {
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

/** A progress bar on `stream` when it is a TTY and the output is for people; a silent reporter otherwise. */
export function progressReporter(stream: NodeJS.WritableStream, enabled: boolean): ProgressReporter {
  if (!enabled || !(stream as { isTTY?: boolean }).isTTY) return { update() {}, stop() {} };
  const bar = new SingleBar({ stream: stream as NodeJS.WriteStream, format: '{bar} {value}/{total} {label}', hideCursor: true, clearOnComplete: true });
  let started = false;
  return {
    update(done, total, label = '') {
      if (!started) {
        bar.start(total, 0, { label });
        started = true;
      }
      bar.update(done, { label });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

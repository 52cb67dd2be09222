import { Writable } from 'node:stream';
import { Command, Option } from 'commander';
import { runCli } from '../../src/cli/program.js';

function sink() {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } });
  return { stream, text: () => chunks.join('') };
}

/** What one run of the command printed and returned. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `nexfit <args>` in-process with exactly the environment `env` (nothing from this process's). */
export async function runNexfit(args: readonly string[], env: Record<string, string | undefined>): Promise<CliRun> {
  const out = sink();
  const err = sink();
  const code = await runCli(['node', 'nexfit', ...args], { stdout: out.stream, stderr: err.stream, env, Command, Option });
  return { code, stdout: out.text(), stderr: err.text() };
}

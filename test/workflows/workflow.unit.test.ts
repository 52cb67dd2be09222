import { describe, expect, it } from 'vitest';
import { createStep, runWorkflow, stepResponse, WorkflowCompensationError } from '../../src/workflows/workflow.js';

function recordingStep(name: string, log: string[], options: { failInvoke?: boolean; failCompensate?: boolean; skipCompensation?: boolean } = {}) {
  return createStep(
    name,
    async (input: number) => {
      if (options.failInvoke) throw new Error(`${name} failed`);
      log.push(`invoke ${name} ${input}`);
      return stepResponse(input + 1, `${name}:${input}`, { compensate: !options.skipCompensation });
    },
    async (compensationInput: string) => {
      if (options.failCompensate) throw new Error(`undo ${name} failed`);
      log.push(`undo ${compensationInput}`);
    },
  );
}

describe('runWorkflow', () => {
  it('runs steps in order and returns the body result without compensating', async () => {
    const log: string[] = [];
    const a = recordingStep('a', log);
    const b = recordingStep('b', log);
    const result = await runWorkflow('ok', async (run) => run(b, await run(a, 1)));
    expect(result).toBe(3);
    expect(log).toEqual(['invoke a 1', 'invoke b 2']);
  });

  it('compensates completed steps newest first and rethrows the original error', async () => {
    const log: string[] = [];
    const a = recordingStep('a', log);
    const b = recordingStep('b', log);
    const c = recordingStep('c', log, { failInvoke: true });
    const failure = runWorkflow('fails', async (run) => run(c, await run(b, await run(a, 1))));
    await expect(failure).rejects.toThrow('c failed');
    expect(log).toEqual(['invoke a 1', 'invoke b 2', 'undo b:2', 'undo a:1']);
  });

  it('skips the compensation of a step that reported nothing to undo', async () => {
    const log: string[] = [];
    const a = recordingStep('a', log, { skipCompensation: true });
    await expect(runWorkflow('fails', async (run) => { await run(a, 1); throw new Error('later'); })).rejects.toThrow('later');
    expect(log).toEqual(['invoke a 1']);
  });

  it('runs every compensation even when one fails and reports the failed ones with the cause', async () => {
    const log: string[] = [];
    const a = recordingStep('a', log);
    const b = recordingStep('b', log, { failCompensate: true });
    const error = await runWorkflow('fails', async (run) => { await run(b, await run(a, 1)); throw new Error('boom'); }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowCompensationError);
    const wce = error as WorkflowCompensationError;
    expect((wce.cause as Error).message).toBe('boom');
    expect(wce.compensationErrors.map((c) => c.step)).toEqual(['b']);
    expect(log).toEqual(['invoke a 1', 'invoke b 2', 'undo a:1']);
  });
});

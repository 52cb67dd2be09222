import { NexfitError } from '../core/errors.js';

/**
 * Steps with compensations, after Medusa v2's `createStep(invoke, compensate)`: a workflow
 * runs steps in order; when a later step (or the workflow's own code) throws, the
 * compensations of the steps that already completed run in reverse order, then the original
 * error is rethrown. A step whose effect a database transaction can undo (everything inside
 * one unit of work) needs no compensation; a step with an outside effect (a payment charge,
 * an e-mail, another unit of work that already committed) declares one.
 *
 * @example
 * ```ts
 * const chargeStep = createStep(
 *   'charge',
 *   async (input: ChargeInput) => { const r = await provider.charge(input); return stepResponse(r, r.providerRef); },
 *   async (providerRef) => { await provider.refund({ idempotencyKey: `refund:${providerRef}`, providerRef, amount }); },
 * );
 * const result = await runWorkflow('purchase-membership', async (run) => {
 *   const charge = await run(chargeStep, { ... });
 *   return run(persistStep, { charge });
 * });
 * ```
 */
export interface WorkflowStep<I, O, C = O> {
  readonly name: string;
  invoke(input: I): Promise<StepResponse<O, C>>;
  /** Undoes the step's effect; receives what `invoke` returned as compensation input. */
  readonly compensate?: ((compensationInput: C) => Promise<void>) | undefined;
}

/** What a step returns: its output and (optionally different) input for its compensation. */
export interface StepResponse<O, C = O> {
  readonly output: O;
  readonly compensationInput: C;
  /** When false, there is nothing to undo (e.g. the step found the work already done). */
  readonly compensate: boolean;
}

/**
 * Builds a {@link StepResponse}. Pass `compensationInput` when the compensation needs
 * something other than the output; pass `{ compensate: false }` when this run did nothing
 * that needs undoing.
 */
export function stepResponse<O>(output: O): StepResponse<O, O>;
export function stepResponse<O, C>(output: O, compensationInput: C, options?: { readonly compensate?: boolean }): StepResponse<O, C>;
export function stepResponse<O, C>(output: O, ...rest: [C?, { readonly compensate?: boolean }?]): StepResponse<O, C> {
  const compensationInput = (rest.length > 0 ? rest[0] : output) as C;
  return { output, compensationInput, compensate: rest[1]?.compensate ?? true };
}

/** Declares a workflow step; `invoke` returns a {@link stepResponse}. */
export function createStep<I, O, C = O>(
  name: string,
  invoke: (input: I) => Promise<StepResponse<O, C>>,
  compensate?: (compensationInput: C) => Promise<void>,
): WorkflowStep<I, O, C> {
  return { name, invoke, compensate };
}

/** Runs one step inside a workflow and returns its output. */
export type StepRunner = <I, O, C>(step: WorkflowStep<I, O, C>, input: I) => Promise<O>;

/**
 * A workflow failed and at least one compensation failed too: the outside world may be
 * inconsistent (e.g. a charge that could not be refunded) and needs an operator. `cause`
 * is the error that stopped the workflow; `compensationErrors` lists the failed undos.
 * Code `WORKFLOW_COMPENSATION_FAILED` (HTTP 500): not something to retry blindly.
 *
 * @example
 * ```ts
 * catch (e) { if (e instanceof WorkflowCompensationError) alertOperator(e.workflow, e.details) }
 * ```
 */
export class WorkflowCompensationError extends NexfitError {
  readonly workflow: string;
  readonly compensationErrors: readonly { readonly step: string; readonly error: unknown }[];
  constructor(workflow: string, cause: unknown, compensationErrors: readonly { readonly step: string; readonly error: unknown }[]) {
    super('WORKFLOW_COMPENSATION_FAILED', `workflow ${workflow} failed and ${compensationErrors.length} compensation(s) failed: ${compensationErrors.map((c) => c.step).join(', ')}`, {
      cause,
      details: { workflow, failedCompensations: compensationErrors.map((c) => c.step) },
    });
    this.workflow = workflow;
    this.compensationErrors = compensationErrors;
  }
}

/**
 * Runs `body`, which calls steps through `run`. On failure the completed steps'
 * compensations run newest first (each one even if an earlier one failed); the original
 * error is rethrown, or a {@link WorkflowCompensationError} carrying it when an undo failed.
 */
export async function runWorkflow<T>(name: string, body: (run: StepRunner) => Promise<T>): Promise<T> {
  const undo: { readonly step: string; readonly compensate: () => Promise<void> }[] = [];
  const run: StepRunner = async (step, input) => {
    const response = await step.invoke(input);
    const compensate = step.compensate;
    if (compensate && response.compensate) undo.push({ step: step.name, compensate: () => compensate(response.compensationInput) });
    return response.output;
  };
  try {
    return await body(run);
  } catch (error) {
    const failures: { step: string; error: unknown }[] = [];
    for (const entry of undo.reverse()) {
      try {
        await entry.compensate();
      } catch (compensationError) {
        failures.push({ step: entry.step, error: compensationError });
      }
    }
    if (failures.length > 0) throw new WorkflowCompensationError(name, error, failures);
    throw error;
  }
}

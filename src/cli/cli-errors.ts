import { isNexfitError } from '../core/errors.js';
import { redactCredentials, StoreUnreachableError } from './store-connections.js';

/** Exit codes of the `nexfit` command (docs/operations.md, "Exit codes"). */
export const EXIT = {
  /** Done; for `migrate status`, every migration of both stores is applied. */
  ok: 0,
  /** The command ran and found a problem, or failed. */
  failure: 1,
  /** Bad arguments or environment: unknown command or option, malformed value, missing setting. */
  usage: 2,
  /** A store could not be reached (refused, timed out, unknown host, rejected credentials). */
  unreachable: 3,
  /** `migrate status`: migrations are pending (run `nexfit migrate up`). */
  pending: 4,
  /** `import --unordered`: the file was read to its end and the good rows written, but rows were rejected (see the rejected-rows file). */
  rejected: 5,
} as const;

/** Bad arguments or environment, found by the command itself. */
export class UsageError extends Error {
  readonly code = 'USAGE';
}

/** The `error` member of the command's JSON output when it fails. */
export interface CliErrorBody {
  /** `USAGE`, `STORE_UNREACHABLE`, an SDK error code (`VALIDATION_FAILED`, `CONFIGURATION`, …) or `FAILURE`. */
  readonly code: string;
  readonly message: string;
  /** The driver's reason, for a store that could not be reached (`ECONNREFUSED`, `TIMEOUT`, `28P01`, …). */
  readonly cause?: string;
  /** The `host:port` tried, without credentials. */
  readonly address?: string;
}

/** The exit code and the JSON error body of a failure. */
export function describeFailure(error: unknown): { readonly exit: number; readonly body: CliErrorBody } {
  if (error instanceof StoreUnreachableError) {
    return { exit: EXIT.unreachable, body: { code: 'STORE_UNREACHABLE', message: redactCredentials(error.message), cause: error.reason, address: error.address } };
  }
  if (error instanceof UsageError) return { exit: EXIT.usage, body: { code: error.code, message: redactCredentials(error.message) } };
  if (isNexfitError(error)) {
    return { exit: error.code === 'VALIDATION_FAILED' ? EXIT.usage : EXIT.failure, body: { code: error.code, message: redactCredentials(error.message) } };
  }
  return { exit: EXIT.failure, body: { code: 'FAILURE', message: redactCredentials(error instanceof Error ? error.message : String(error)) } };
}

import type { Document } from 'mongodb';

/** MongoDB server error codes the embedded server answers with, by codeName. */
export const ErrorCode = {
  InternalError: 1,
  BadValue: 2,
  NoSuchKey: 4,
  FailedToParse: 9,
  Unauthorized: 13,
  TypeMismatch: 14,
  InvalidLength: 16,
  IllegalOperation: 20,
  NamespaceNotFound: 26,
  IndexNotFound: 27,
  CursorNotFound: 43,
  NamespaceExists: 48,
  CommandNotFound: 59,
  ImmutableField: 66,
  CannotCreateIndex: 67,
  IndexAlreadyExists: 68,
  InvalidOptions: 72,
  InvalidNamespace: 73,
  IndexOptionsConflict: 85,
  IndexKeySpecsConflict: 86,
  WriteConflict: 112,
  DocumentValidationFailure: 121,
  NotImplemented: 238,
  NoSuchTransaction: 251,
  TransactionCommitted: 256,
  TransactionTooLarge: 257,
  OperationNotSupportedInTransaction: 263,
  TransactionTooOld: 225,
  ConflictingOperationInProgress: 117,
  ConflictingUpdateOperators: 40,
  DollarPrefixedFieldName: 52,
  CommandNotSupported: 115,
  CommandNotSupportedOnView: 166,
  OptionNotSupportedOnView: 167,
  ViewDepthLimitExceeded: 165,
  NoQueryExecutionPlans: 291,
  Location16755: 16755,
  DuplicateKey: 11000,
  Location17287: 17287,
  InvalidPipelineOperator: 168,
  Location40324: 40324,
  Location2: 2,
  Location51024: 51024,
  Location16870: 16870,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

const codeNames = new Map<number, string>(
  Object.entries(ErrorCode)
    .filter(([name]) => !name.startsWith('Location'))
    .map(([name, code]) => [code, name]),
);

/** The codeName MongoDB reports for `code` (`Location<code>` for numbered assertions). */
export function codeNameOf(code: number): string {
  return codeNames.get(code) ?? `Location${code}`;
}

/**
 * A command failure as MongoDB reports it: `{ ok: 0, errmsg, code, codeName }` plus
 * optional `errorLabels` and extra fields (`keyPattern`, `errInfo`, ...).
 */
export class CommandError extends Error {
  readonly code: number;
  readonly codeName: string;
  readonly errorLabels: readonly string[];
  readonly extra: Readonly<Document>;

  constructor(code: number, message: string, options: { labels?: readonly string[]; extra?: Document } = {}) {
    super(message);
    this.name = 'CommandError';
    this.code = code;
    this.codeName = codeNameOf(code);
    this.errorLabels = options.labels ?? [];
    this.extra = options.extra ?? {};
  }

  /** The reply document for a command that failed with this error. */
  toReply(): Document {
    return {
      ok: 0,
      errmsg: this.message,
      code: this.code,
      codeName: this.codeName,
      ...(this.errorLabels.length > 0 ? { errorLabels: [...this.errorLabels] } : {}),
      ...this.extra,
    };
  }

  /** The entry of a `writeErrors` array for the statement at `index`. */
  toWriteError(index: number): Document {
    return { index, code: this.code, errmsg: this.message, ...this.extra };
  }
}

/** Shorthand constructors for the errors raised in many places. */
export const errors = {
  badValue: (message: string) => new CommandError(ErrorCode.BadValue, message),
  failedToParse: (message: string) => new CommandError(ErrorCode.FailedToParse, message),
  typeMismatch: (message: string) => new CommandError(ErrorCode.TypeMismatch, message),
  namespaceNotFound: (message: string) => new CommandError(ErrorCode.NamespaceNotFound, message),
  writeConflict: (inTransaction: boolean) =>
    new CommandError(
      ErrorCode.WriteConflict,
      'Write conflict during plan execution and yielding is disabled. :: Please retry your operation or multi-document transaction.',
      inTransaction ? { labels: ['TransientTransactionError'] } : {},
    ),
  noSuchTransaction: (txnNumber: number | bigint) =>
    new CommandError(ErrorCode.NoSuchTransaction, `Transaction with { txnNumber: ${txnNumber} } has been aborted.`, {
      labels: ['TransientTransactionError'],
    }),
};

/** Converts anything thrown while executing a command into a CommandError. */
export function toCommandError(error: unknown): CommandError {
  if (error instanceof CommandError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/immutable field '_id'/.test(message)) return new CommandError(ErrorCode.ImmutableField, message);
  // mingo reports unknown operators and bad arguments as plain errors: they are the
  // client's fault, which MongoDB reports as BadValue-class failures.
  if (error instanceof Error && (error.constructor.name === 'MingoError' || /operator|invalid|unknown|expected|must/i.test(message))) {
    return new CommandError(ErrorCode.BadValue, message);
  }
  return new CommandError(ErrorCode.InternalError, message);
}

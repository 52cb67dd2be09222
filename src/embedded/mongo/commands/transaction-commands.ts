import type { CommandHandler } from '../command-context.js';
import { CommandError, ErrorCode, errors } from '../errors.js';

function requireSession(context: Parameters<CommandHandler>[1]) {
  if (!context.session) throw new CommandError(ErrorCode.IllegalOperation, 'Transaction commands require a session (lsid)');
  return context.session;
}

/**
 * `commitTransaction`: applies the transaction atomically. Retrying the commit of a
 * committed transaction succeeds again; an aborted or unknown one is NoSuchTransaction.
 */
export const commitTransactionCommand: CommandHandler = (command, context) => {
  const session = requireSession(context);
  const txnNumber = command['txnNumber'];
  const txn = session.txn;
  if (!txn || txn.txnNumber !== txnNumber) {
    throw new CommandError(ErrorCode.NoSuchTransaction, `Transaction with { txnNumber: ${String(txnNumber)} } has been aborted.`);
  }
  if (txn.state === 'aborted') throw errors.noSuchTransaction(txn.txnNumber);
  context.transactions.commit(txn);
  return { ok: 1 };
};

/** `abortTransaction`: discards the transaction's writes; 256 when it already committed. */
export const abortTransactionCommand: CommandHandler = (command, context) => {
  const session = requireSession(context);
  const txnNumber = command['txnNumber'];
  const txn = session.txn;
  if (!txn || txn.txnNumber !== txnNumber || txn.state === 'aborted') {
    throw new CommandError(ErrorCode.NoSuchTransaction, `Transaction with { txnNumber: ${String(txnNumber)} } has been aborted.`);
  }
  if (txn.state === 'committed') {
    throw new CommandError(ErrorCode.TransactionCommitted, `Transaction with { txnNumber: ${String(txnNumber)} } has been committed.`);
  }
  context.transactions.abort(txn);
  return { ok: 1 };
};

import type { CancellationToken } from 'vscode-jsonrpc';
import { EngineError } from '../shared/engineError';
import { EngineErrorCode } from '../shared/protocol';

/**
 * Cancellation at the extension's edges. A cancelled operation is an outcome, never an error for the user:
 * callers check `isCancellation` before turning an error into UI. VS Code's tokens fit vscode-jsonrpc's type, so
 * this file stays free of the VS Code API.
 */

/** Thrown when the user cancelled: the caller ends quietly. */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled.');
    this.name = 'CancelledError';
  }
}

/**
 * True when `error` is a cancellation: the extension's own, the engine's Cancelled answer (a cancelled request,
 * or a load the user declined), or anything that ends an operation whose `token` was cancelled.
 */
export function isCancellation(error: unknown, token?: CancellationToken): boolean {
  return (
    error instanceof CancelledError ||
    (error instanceof EngineError && error.code === EngineErrorCode.Cancelled) ||
    token?.isCancellationRequested === true
  );
}

export function throwIfCancelled(token: CancellationToken | undefined): void {
  if (token?.isCancellationRequested) throw new CancelledError();
}

/**
 * Waits for a shared operation (a model load, an index) without owning it: cancelling stops the wait, not
 * the work, which other callers may still need.
 */
export function raceCancellation<T>(work: Promise<T>, token: CancellationToken | undefined): Promise<T> {
  if (!token) return work;
  if (token.isCancellationRequested) return Promise.reject(new CancelledError());
  return new Promise<T>((resolve, reject) => {
    const subscription = token.onCancellationRequested(() => {
      subscription.dispose();
      reject(new CancelledError());
    });
    work.then(
      (value) => {
        subscription.dispose();
        resolve(value);
      },
      (error: unknown) => {
        subscription.dispose();
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

import type { CancellationToken } from 'vscode-jsonrpc';

/**
 * Cancellation at the extension's edges. A cancelled operation is an outcome, never an error for the user:
 * callers check `isCancelled` before turning an error into UI. VS Code's tokens fit vscode-jsonrpc's type, so
 * this file stays free of the VS Code API.
 */

/** Thrown when the user cancelled: the caller ends quietly. */
export class CancelledError extends Error {
  constructor() {
    super('Cancelled.');
    this.name = 'CancelledError';
  }
}

/** True when `error` is the outcome of cancelling `token` (whatever the engine made of the cancellation). */
export function isCancelled(error: unknown, token?: CancellationToken): boolean {
  return error instanceof CancelledError || token?.isCancellationRequested === true;
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

import { setTimeout as sleep } from 'node:timers/promises';
import { DownloadError } from './downloadError';

export interface RetryOptions {
  /** Tries in a row without progress before giving up. */
  attempts: number;
  /** First wait; doubled on each failure in a row, up to maxDelayMs (with ±20% jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 6, baseDelayMs: 1000, maxDelayMs: 30_000 };

export function isTransient(error: unknown): boolean {
  return error instanceof DownloadError && error.transient;
}

/**
 * Waits before retry number `failures` (1-based) after a transient error, honouring the server's
 * Retry-After when it gave one. Rejects with the abort reason when cancelled.
 */
export async function backoff(
  failures: number,
  error: unknown,
  options: RetryOptions,
  signal?: AbortSignal,
): Promise<void> {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (failures - 1));
  const jittered = exponential * (0.8 + 0.4 * Math.random());
  const requested = error instanceof DownloadError ? error.retryAfterMs : undefined;
  await sleep(Math.min(options.maxDelayMs, Math.max(jittered, requested ?? 0)), undefined, { signal });
}

/** Runs `operation`, retrying transient failures with backoff (for small requests: a listing, a revision). */
export async function withRetries<T>(
  operation: () => Promise<T>,
  options: RetryOptions,
  signal?: AbortSignal,
): Promise<T> {
  for (let failures = 1; ; failures++) {
    try {
      return await operation();
    } catch (error) {
      if (signal?.aborted || !isTransient(error) || failures >= options.attempts) throw error;
      await backoff(failures, error, options, signal);
    }
  }
}

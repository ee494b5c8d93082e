/**
 * When to restart an engine that died: exponential backoff, capped retries within a window.
 * Pure and clock-injected so that it is unit-tested with exact numbers.
 */
export interface RestartPolicyOptions {
  /** Delay before the first restart. */
  initialDelayMs: number;
  /** Upper bound of a single delay. */
  maxDelayMs: number;
  /** Restarts allowed within `windowMs`; one more crash and the engine stays down. */
  maxRestarts: number;
  /** Crashes older than this no longer count (an engine that ran for a while earned a fresh start). */
  windowMs: number;
}

export const defaultRestartPolicy: RestartPolicyOptions = {
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRestarts: 5,
  windowMs: 3 * 60_000,
};

export class RestartPolicy {
  private crashes: number[] = [];

  constructor(private readonly options: RestartPolicyOptions = defaultRestartPolicy) {}

  /** Records a crash at `now`; returns the delay before restarting, or undefined to give up. */
  onCrash(now: number): number | undefined {
    this.crashes = this.crashes.filter((t) => now - t < this.options.windowMs);
    this.crashes.push(now);
    const attempt = this.crashes.length;
    if (attempt > this.options.maxRestarts) return undefined;
    return Math.min(this.options.initialDelayMs * 2 ** (attempt - 1), this.options.maxDelayMs);
  }

  /** A manual restart by the user starts counting afresh. */
  reset(): void {
    this.crashes = [];
  }
}

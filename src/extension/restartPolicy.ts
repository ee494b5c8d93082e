/**
 * When to restart an engine that died: exponential backoff, and a budget of restarts that only a successful
 * request refills, so an engine that crashes on every request is given up on however slowly it crashes.
 */
export interface RestartPolicyOptions {
  /** Delay before the first restart. */
  initialDelayMs: number;
  /** Upper bound of a single delay. */
  maxDelayMs: number;
  /** Restarts allowed without a successful request in between; one more crash and the engine stays down. */
  maxRestarts: number;
}

export const defaultRestartPolicy: RestartPolicyOptions = {
  initialDelayMs: 500,
  maxDelayMs: 8_000,
  maxRestarts: 5,
};

export class RestartPolicy {
  /** Crashes since the last successful request. */
  private crashes = 0;

  constructor(private readonly options: RestartPolicyOptions = defaultRestartPolicy) {}

  /** Records a crash; returns the delay before restarting, or undefined to give up. */
  onCrash(): number | undefined {
    this.crashes++;
    if (this.crashes > this.options.maxRestarts) return undefined;
    return Math.min(this.options.initialDelayMs * 2 ** (this.crashes - 1), this.options.maxDelayMs);
  }

  /** A request the engine answered: it earned a fresh budget. */
  onSuccess(): void {
    this.crashes = 0;
  }

  /** A manual restart by the user starts counting afresh. */
  reset(): void {
    this.crashes = 0;
  }
}

import type { GenerationUsage } from '../../shared/protocol';
import type { Evaluation } from './cachedDecoder';

/**
 * Counts what one request cost: prompt tokens reused and computed, prefill and decode time on the model
 * (other requests' turns excluded), and the wait for the first token as the user saw it (queueing included).
 */
export class UsageMeter {
  private cachedTokens = 0;
  private diskTokens = 0;
  private prefilledTokens = 0;
  private prefillMs = 0;
  private decodeSteps = 0;
  private decodeMs = 0;
  private completionTokens = 0;
  private firstTokenMs: number | null = null;

  constructor(
    private readonly promptTokens: number,
    /** performance.now() when the request arrived. */
    private readonly startedAt: number,
  ) {}

  prompt(evaluation: Evaluation): void {
    this.cachedTokens = evaluation.cachedTokens;
    this.diskTokens = evaluation.diskTokens;
    this.prefilledTokens = evaluation.computedTokens;
    this.prefillMs = evaluation.busyMs;
  }

  step(evaluation: Evaluation): void {
    this.decodeSteps++;
    this.decodeMs += evaluation.busyMs;
  }

  token(): void {
    this.completionTokens++;
    this.firstTokenMs ??= performance.now() - this.startedAt;
  }

  usage(): GenerationUsage {
    return {
      promptTokens: this.promptTokens,
      cachedTokens: this.cachedTokens,
      diskTokens: this.diskTokens,
      completionTokens: this.completionTokens,
      prefillTokensPerSecond: perSecond(this.prefilledTokens, this.prefillMs),
      decodeTokensPerSecond: perSecond(this.decodeSteps, this.decodeMs),
      timeToFirstTokenMs: this.firstTokenMs === null ? null : round(this.firstTokenMs),
    };
  }
}

function perSecond(count: number, ms: number): number {
  return count === 0 || ms <= 0 ? 0 : round((count / ms) * 1000);
}

/** One decimal: enough for a UI, and keeps the JSON short. */
function round(value: number): number {
  return Math.round(value * 10) / 10;
}

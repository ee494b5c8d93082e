import { formatTimeLeft } from '../context/indexProgress';

/**
 * A guess at prompt processing speed (tokens per second) before any was measured: a 4B model at INT8 on a
 * laptop CPU. The first long request measures the real one (ChatStream.prefillRate).
 */
export const ASSUMED_PREFILL_RATE = 100;

export interface PrefillView {
  /** 0–0.99: the estimate never claims to be done before the first token says so. */
  fraction: number;
  secondsLeft: number;
  message: string;
}

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** How far the model has read a prompt of `promptTokens` after `elapsedMs`, at `tokensPerSecond`. */
export function prefillProgress(promptTokens: number, tokensPerSecond: number, elapsedMs: number): PrefillView {
  const total = Math.max(1, promptTokens);
  const rate = tokensPerSecond > 0 ? tokensPerSecond : ASSUMED_PREFILL_RATE;
  const read = (rate * elapsedMs) / 1000;
  const fraction = Math.min(0.99, read / total);
  const secondsLeft = Math.max(0, (total - read) / rate);
  return {
    fraction,
    secondsLeft,
    message: `Reading ${count.format(promptTokens)} tokens of the repository (${Math.floor(fraction * 100)}%), ${formatTimeLeft(secondsLeft)}`,
  };
}

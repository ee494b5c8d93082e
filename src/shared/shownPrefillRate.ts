/**
 * The prefill speed worth showing: over the prompt tokens actually computed (the cached ones cost nothing), and
 * only when there were enough of them to time; a one-token prefill says nothing about speed.
 */

/** Fewer computed prompt tokens than this show no prefill speed. */
export const MIN_TIMED_PREFILL_TOKENS = 16;

export function shownPrefillRate(usage: {
  promptTokens: number;
  cachedTokens: number;
  prefillTokensPerSecond: number;
}): number | undefined {
  const computed = usage.promptTokens - Math.min(usage.cachedTokens, usage.promptTokens);
  return computed >= MIN_TIMED_PREFILL_TOKENS && usage.prefillTokensPerSecond > 0
    ? usage.prefillTokensPerSecond
    : undefined;
}

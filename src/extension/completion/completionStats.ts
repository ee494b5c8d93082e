import type { GenerationUsage } from '../../shared/protocol';
import type { DropReason } from './completionDrops';
import type { CompletionShape } from './completionShape';
import type { PromptStyle } from './promptStyle';

/** The last engine generation, for diagnostics and the benchmark. */
export interface LastGeneration {
  readonly line: number;
  readonly character: number;
  readonly style: PromptStyle;
  readonly shape: CompletionShape;
  readonly finishReason: string;
  readonly usage: GenerationUsage;
  /** The suggestion it gave at its own position, '' for none. */
  readonly text: string;
  /** Round trip of the `complete` request, as the extension saw it. */
  readonly requestMs: number;
}

/**
 * Counters of what the inline-completion provider did. Diagnostic: "Hearth: Show Completion Statistics" shows
 * them, and the real-VS Code tests count engine generations with them.
 */
export interface CompletionStats {
  /** Calls of the provider. */
  provided: number;
  /** Answered from the cache, typed-ahead hits included. */
  cacheHits: number;
  /** Answered from the cache by taking typed characters off an earlier answer. */
  typedAheadHits: number;
  /** Answered by a generation that was already running for an earlier position on the line. */
  reusedPending: number;
  /** Calls that ended (cancelled by a newer keystroke) while waiting out the debounce. */
  debounced: number;
  /** `complete` requests sent to the engine. */
  engineRequests: number;
  /** Requests sent and not answered yet (0 or 1). */
  engineInFlight: number;
  /** Of those, the ones cancelled because the user moved on. */
  engineCancelled: number;
  /** Of those, the ones cut off by the time budget (their partial output is used). */
  budgetExpired: number;
  engineErrors: number;
  /** Warm-ups sent: the prompt at the cursor, ahead of typing (completionWarmUp.ts). */
  warmUpsSent: number;
  /** Of those, the ones that ran to their end (not cancelled by an edit, a move or another file; not failed). */
  warmUpsFinished: number;
  /** Suggestions shown (non-empty answers). */
  suggestions: number;
  /** Engine requests that showed nothing, by reason (completionDrops.ts). */
  dropped: Record<DropReason, number>;
  /** The provider's own work per answer (prompt building, cache, post-processing), engine and waits excluded. */
  lastOverheadMs: number;
  last?: LastGeneration;
}

export function emptyStats(): CompletionStats {
  return {
    provided: 0,
    cacheHits: 0,
    typedAheadHits: 0,
    reusedPending: 0,
    debounced: 0,
    engineRequests: 0,
    engineInFlight: 0,
    engineCancelled: 0,
    budgetExpired: 0,
    engineErrors: 0,
    warmUpsSent: 0,
    warmUpsFinished: 0,
    suggestions: 0,
    dropped: { overBudget: 0, cancelled: 0, modelBusy: 0 },
    lastOverheadMs: 0,
  };
}

/** One line for the user. */
export function describeStats(stats: CompletionStats): string {
  const { dropped } = stats;
  const last = stats.last
    ? `; last: ${stats.last.usage.cachedTokens}/${stats.last.usage.promptTokens} prompt tokens cached, first token in ${stats.last.usage.timeToFirstTokenMs ?? '–'} ms`
    : '';
  return (
    `${stats.engineRequests} engine requests (${stats.engineCancelled} cancelled, ${stats.budgetExpired} over the time budget, ${stats.engineErrors} failed), ` +
    `${stats.provided} provider calls, ${stats.cacheHits} cache hits, ${stats.reusedPending} reused, ${stats.warmUpsSent} warm-ups (${stats.warmUpsFinished} finished), ${stats.suggestions} suggestions, ` +
    `${dropped.overBudget + dropped.cancelled + dropped.modelBusy} requests that showed nothing (${dropped.overBudget} over the time budget, ${dropped.cancelled} cancelled, ${dropped.modelBusy} model busy)${last}`
  );
}

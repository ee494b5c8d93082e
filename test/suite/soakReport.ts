/**
 * What a soak measured, as the extension-host suite writes it (JSON) and `npm run soak` prints it. Free of the
 * VS Code API, so that the runners outside the extension host read it too.
 */

/** How the requests of one kind ended. */
export interface OutcomeCounts {
  /** Chat: an answer that ran to its end or its token limit; completion: a suggestion shown. */
  answered: number;
  /** Completion: nothing to suggest (the model wrote nothing usable). */
  empty: number;
  /** Cancelled by the soak's Stop or token, and ended as cancelled. */
  cancelled: number;
  /** Ended with an error, by the error's message. */
  failed: Record<string, number>;
  /** Not ended within the bound: a stuck request. */
  stuck: number;
  /** The longest a request of this kind took to end. */
  maxMs: number;
}

export interface SoakKill {
  /** Requests started when it was killed. */
  atRequest: number;
  pid: number;
  /** The pid of the engine that answered next. */
  restartedPid: number;
  /** From the kill to the first ping the restarted engine answered. */
  restartMs: number;
  /** Requests in flight when the engine died. */
  inFlight: number;
  /** The engine's resident memory shortly before it was killed (0: not sampled since its start). */
  rssBytes: number;
}

export interface SoakReport {
  seed: number;
  requests: number;
  /** Requests started: all of them, unless a stuck chat question stopped the soak. */
  ran: number;
  durationMs: number;
  /** Every request ended within this bound, or counts as stuck. */
  boundMs: number;
  chat: OutcomeCounts;
  completion: OutcomeCounts;
  kills: SoakKill[];
  conversations: { count: number; turns: number; lostTurns: number; changedTurns: number };
  /** Failed requests that no kill explains (not in flight between a kill and the restarted engine's answer). */
  unexplainedFailures: string[];
  /** Every failed request, with when it started and ended relative to the nearest kill. */
  failures: string[];
  /** The five slowest requests, described the same way. */
  slowest: string[];
  /** The longest a running engine took to answer a ping (the watchdog's question) while the soak ran. */
  maxPingMs: number;
  /**
   * The engine's resident memory after warming up, the most seen while the soak ran, and after it settled; idle and
   * after read once the engine has collected its garbage, as its heap is.
   */
  engineRssBytes: { idle: number; peak: number; after: number };
  engineHeapBytes: { idle: number; after: number };
  /** The extension host's heap before and after, for leaks on the extension's side (not asserted: no forced GC). */
  extensionHeapBytes: { idle: number; after: number };
  /** The completion service's counters over the soak (engine requests, cancellations, errors). */
  completionEngine: { requests: number; cancelled: number; errors: number; budgetExpired: number; cacheHits: number };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function outcomeLine(kind: string, counts: OutcomeCounts): string {
  const failed = Object.entries(counts.failed)
    .map(([reason, count]) => `${count}× "${reason}"`)
    .join(', ');
  const total = Object.values(counts.failed).reduce((sum, count) => sum + count, 0);
  return (
    `${kind}: ${counts.answered} answered, ${counts.empty} empty, ${counts.cancelled} cancelled, ` +
    `${total} failed${failed ? ` (${failed})` : ''}, ${counts.stuck} stuck; longest ${counts.maxMs} ms`
  );
}

/** The report as lines for a terminal or a test's diagnostics. */
export function formatSoakReport(report: SoakReport): string[] {
  const { engineRssBytes: rss, extensionHeapBytes: heap, conversations, completionEngine: engine } = report;
  const kills = report.kills
    .map(
      (kill) =>
        `at request ${kill.atRequest} (${mib(kill.rssBytes)}, ${kill.inFlight} in flight, back in ${kill.restartMs} ms)`,
    )
    .join('; ');
  return [
    `soak: ${report.ran} of ${report.requests} requests run, seed ${report.seed}, ${(report.durationMs / 1000).toFixed(1)} s, bound ${report.boundMs} ms`,
    outcomeLine('chat', report.chat),
    outcomeLine('completion', report.completion),
    `completion engine requests: ${engine.requests} (${engine.cancelled} cancelled, ${engine.errors} errors, ${engine.budgetExpired} over budget), ${engine.cacheHits} cache hits`,
    `engine kills survived: ${report.kills.length}${kills ? ` — ${kills}` : ''}`,
    `conversations: ${conversations.count}, ${conversations.turns} turns, ${conversations.lostTurns} lost, ${conversations.changedTurns} changed`,
    `unexplained failures: ${report.unexplainedFailures.length}`,
    ...report.failures.map((failure) => `  failed ${failure}`),
    ...report.slowest.map((request) => `  slow ${request}`),
    `longest ping answer: ${report.maxPingMs} ms`,
    `engine RSS: idle ${mib(rss.idle)}, peak ${mib(rss.peak)}, after ${mib(rss.after)} (${((100 * rss.after) / rss.idle).toFixed(0)}% of idle)`,
    `engine heap: idle ${mib(report.engineHeapBytes.idle)}, after ${mib(report.engineHeapBytes.after)}`,
    `extension host heap: idle ${mib(heap.idle)}, after ${mib(heap.after)}`,
  ];
}

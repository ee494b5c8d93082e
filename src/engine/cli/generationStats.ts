import type { ChatResult, ContextPackStats, GenerationUsage } from '../../shared/protocol';

/** What `hearth explain` reports when it is done. */
export interface ExplainStats {
  /** Files in the index. */
  indexedFiles: number;
  pack: ContextPackStats;
  result: ChatResult;
  indexMs: number;
  loadMs: number;
  totalMs: number;
  /** The demo's second question on the same block: how much of its prompt the prefix cache held. */
  followUp?: GenerationUsage;
}

/** One line for `hearth chat`: tokens, speeds, time to first token and why it ended. */
export function formatUsageLine({ usage, finishReason }: ChatResult): string {
  return (
    `${count(usage.promptTokens)} prompt tokens (${cached(usage)}), ${count(usage.completionTokens)} generated (${finishReason}); ` +
    `prefill ${rate(usage.prefillTokensPerSecond)}, decode ${rate(usage.decodeTokensPerSecond)}; first token ${firstToken(usage)}`
  );
}

/** The closing block of `hearth explain`, one labelled line per fact. */
export function formatExplainStats(stats: ExplainStats): string {
  const { pack, result } = stats;
  const { usage } = result;
  const rows: [string, string][] = [
    [
      'files',
      `${count(pack.filesWhole)} whole, ${count(pack.filesOutlined)} outlined, ${count(pack.filesListed)} listed, ${count(pack.filesOmitted)} omitted (of ${count(stats.indexedFiles)} indexed)`,
    ],
    ['context', `${count(pack.tokens)} tokens (budget ${count(pack.budget)})`],
    ['prompt', `${count(usage.promptTokens)} tokens, ${cached(usage)}`],
    ['prefill', rate(usage.prefillTokensPerSecond)],
    [
      'decode',
      `${rate(usage.decodeTokensPerSecond)}, ${count(usage.completionTokens)} tokens (${result.finishReason})`,
    ],
    ['first token', firstToken(usage)],
    ['total', `${seconds(stats.totalMs)} (indexing ${seconds(stats.indexMs)}, loading ${seconds(stats.loadMs)})`],
  ];
  if (stats.followUp !== undefined) {
    const { cachedTokens, promptTokens } = stats.followUp;
    rows.push([
      'follow-up',
      `${count(cachedTokens)} of ${count(promptTokens)} prompt tokens cached; prefill ${rate(stats.followUp.prefillTokensPerSecond)}, first token ${firstToken(stats.followUp)}`,
    ]);
  }
  const width = Math.max(...rows.map(([label]) => label.length)) + 1;
  return rows.map(([label, value]) => `${`${label}:`.padEnd(width)} ${value}\n`).join('');
}

/** Cached prompt tokens, and how many of them a KV snapshot on disk gave. */
function cached({ cachedTokens, diskTokens = 0 }: GenerationUsage): string {
  return diskTokens > 0
    ? `${count(cachedTokens)} cached, ${count(diskTokens)} of them from disk`
    : `${count(cachedTokens)} cached`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function rate(tokensPerSecond: number): string {
  return `${tokensPerSecond.toFixed(1)} tokens/s`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function firstToken(usage: GenerationUsage): string {
  return usage.timeToFirstTokenMs === null ? 'none' : seconds(usage.timeToFirstTokenMs);
}

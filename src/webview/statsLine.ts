import { shownPrefillRate } from '../shared/shownPrefillRate';
import type { FinishReason, TurnStats } from '../shared/webviewProtocol';

// Fixed to en-US so the line reads the same everywhere (and tests can assert it exactly).
const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

function count(value: number): string {
  return integer.format(value);
}

/** Tokens per second: whole numbers from 100 up, one decimal below ("412", "9.8"). */
function rate(tokensPerSecond: number): string {
  return tokensPerSecond >= 100 ? count(tokensPerSecond) : tokensPerSecond.toFixed(1);
}

function duration(ms: number): string {
  return ms < 1000 ? `${count(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function files(stats: TurnStats): string | undefined {
  if (stats.filesWhole + stats.filesOutlined + stats.filesListed === 0) return undefined;
  const parts = [`${count(stats.filesWhole)} ${stats.filesWhole === 1 ? 'file' : 'files'} whole`];
  const excerpts = stats.filesExcerpted ?? 0;
  if (excerpts > 0) parts.push(`${count(excerpts)} ${excerpts === 1 ? 'excerpt' : 'excerpts'}`);
  parts.push(`${count(stats.filesOutlined)} outlined`);
  if (stats.filesListed > 0) parts.push(`${count(stats.filesListed)} listed`);
  return parts.join(', ');
}

function leftOut(turns: number): string | undefined {
  if (turns <= 0) return undefined;
  return `${count(turns)} earlier ${turns === 1 ? 'turn' : 'turns'} left out to fit the context`;
}

/** Prompt tokens served from the prefix cache: part of the prompt, never more. */
function cached(stats: TurnStats): number {
  return Math.min(stats.cachedTokens, stats.promptTokens);
}

/**
 * Where the prompt's tokens came from: "(47,100 cached)", or with an engine that keeps KV snapshots on disk
 * "(45,000 from memory, 2,100 from disk, 1,920 computed)".
 */
function promptSources(stats: TurnStats): string {
  const reused = cached(stats);
  if (stats.diskTokens === undefined) return reused > 0 ? ` (${count(reused)} cached)` : '';
  const disk = Math.min(stats.diskTokens, reused);
  return ` (${count(reused - disk)} from memory, ${count(disk)} from disk, ${count(stats.promptTokens - reused)} computed)`;
}

/** What the model saw and how fast it went, e.g. "12 files whole, 30 outlined · 48,210 context tokens · prompt 49,020 tokens (47,100 cached) · prefill 412 tok/s · decode 9.8 tok/s · first token 1.2 s". */
export function formatTurnStats(stats: TurnStats): string {
  const prefill = shownPrefillRate(stats);
  const parts = [
    files(stats),
    `${count(stats.contextTokens)} context tokens${stats.overviewTokens ? ` (${count(stats.overviewTokens)} overview)` : ''}`,
    stats.historyTokens ? `history ${count(stats.historyTokens)} tokens` : undefined,
    leftOut(stats.turnsLeftOut ?? 0),
    `prompt ${count(stats.promptTokens)} tokens${promptSources(stats)}`,
    prefill !== undefined ? `prefill ${rate(prefill)} tok/s` : undefined,
    stats.decodeTokensPerSecond > 0 ? `decode ${rate(stats.decodeTokensPerSecond)} tok/s` : undefined,
    stats.timeToFirstTokenMs > 0 ? `first token ${duration(stats.timeToFirstTokenMs)}` : undefined,
  ];
  return parts.filter((part) => part !== undefined).join(' · ');
}

/** The tooltip of the stats line: the whole prompt, not only the repository context. */
export function describeTurnStats(stats: TurnStats): string {
  const overview = stats.overviewTokens
    ? `Repository context: ${count(stats.overviewTokens)} tokens of overview, the same for every question (the map, README, manifests, central code), then ${count(stats.contextTokens - stats.overviewTokens)} tokens chosen for this question. `
    : '';
  return `${overview}Prompt ${count(stats.promptTokens)} tokens, ${count(cached(stats))} from the prefix cache; answer ${count(stats.completionTokens)} tokens`;
}

/** How a turn ended, when that is worth saying: the token limit or Stop. Errors get their own line. */
export function finishNote(reason: FinishReason): string | undefined {
  switch (reason) {
    case 'length':
      return 'stopped at the token limit';
    case 'cancelled':
      return 'stopped';
    case 'stop':
    case 'error':
      return undefined;
    default:
      return reason satisfies never;
  }
}

/** The context line under a finished answer: its stats, then how it ended. */
export function contextLine(reason: FinishReason, stats: TurnStats | undefined): string {
  return [stats && formatTurnStats(stats), finishNote(reason)].filter((part) => part).join(' · ');
}

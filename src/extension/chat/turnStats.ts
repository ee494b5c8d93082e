import type { ContextPackStats, GenerationUsage } from '../../shared/protocol';
import { shownPrefillRate } from '../../shared/shownPrefillRate';
import type { TurnStats } from '../../shared/webviewProtocol';
import type { ConversationFit } from './conversationFit';

/** The context line under an answer: what was packed, the conversation's share, and the engine's usage. */
export function turnStats(
  pack: ContextPackStats | undefined,
  usage: GenerationUsage,
  history?: Pick<ConversationFit, 'historyTokens' | 'turnsLeftOut'>,
): TurnStats {
  return {
    filesWhole: pack?.filesWhole ?? 0,
    ...(pack?.filesExcerpted !== undefined && { filesExcerpted: pack.filesExcerpted }),
    filesOutlined: pack?.filesOutlined ?? 0,
    filesListed: pack?.filesListed ?? 0,
    contextTokens: pack?.tokens ?? 0,
    ...(pack?.overviewTokens !== undefined && { overviewTokens: pack.overviewTokens }),
    promptTokens: usage.promptTokens,
    cachedTokens: usage.cachedTokens,
    ...(usage.diskTokens !== undefined && { diskTokens: usage.diskTokens }),
    completionTokens: usage.completionTokens,
    prefillTokensPerSecond: usage.prefillTokensPerSecond,
    decodeTokensPerSecond: usage.decodeTokensPerSecond,
    timeToFirstTokenMs: usage.timeToFirstTokenMs ?? 0,
    ...(history && { historyTokens: history.historyTokens, turnsLeftOut: history.turnsLeftOut }),
  };
}

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * "12 files whole, 3 excerpts, 30 outlined, 5 more named in the map, 3 only counted in it · 20,114 of 20,480
 * context tokens (6,100 overview)".
 */
export function describePack(stats: ContextPackStats): string {
  const excerpts = stats.filesExcerpted ?? 0;
  const files = [
    `${count.format(stats.filesWhole)} ${stats.filesWhole === 1 ? 'file' : 'files'} whole`,
    ...(excerpts > 0 ? [`${count.format(excerpts)} ${excerpts === 1 ? 'excerpt' : 'excerpts'}`] : []),
    `${count.format(stats.filesOutlined)} outlined`,
    `${count.format(stats.filesListed)} more named in the map`,
    ...(stats.filesOmitted > 0 ? [`${count.format(stats.filesOmitted)} only counted in it`] : []),
  ].join(', ');
  const overview = stats.overviewTokens ? ` (${count.format(stats.overviewTokens)} overview)` : '';
  const tokens = stats.estimated ? 'context tokens, estimated' : 'context tokens';
  return `${files} · ${count.format(stats.tokens)} of ${count.format(stats.budget)} ${tokens}${overview}`;
}

/** "prompt 20,400 tokens (20,100 cached) · prefill 410 tok/s · decode 9.8 tok/s · 812 tokens written". */
export function describeUsage(usage: GenerationUsage): string {
  const rate = (value: number) => (value >= 100 ? count.format(value) : value.toFixed(1));
  const prefill = shownPrefillRate(usage);
  return [
    `prompt ${count.format(usage.promptTokens)} tokens (${count.format(Math.min(usage.cachedTokens, usage.promptTokens))} cached)`,
    prefill !== undefined ? `prefill ${rate(prefill)} tok/s` : undefined,
    `decode ${rate(usage.decodeTokensPerSecond)} tok/s`,
    `${count.format(usage.completionTokens)} tokens written`,
  ]
    .filter((part) => part !== undefined)
    .join(' · ');
}

/** Where the repository prefix stands: being computed in the background, or cached (in memory, some on disk). */
export type RepositoryPrefixState =
  { phase: 'preparing'; done: number; total: number } | { phase: 'ready'; tokens: number; diskTokens: number };

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** "repository 15,872 tokens · ready" or "preparing repository 42%": the status bar's and chat header's words. */
export function repositoryPrefixText(state: RepositoryPrefixState): string {
  if (state.phase === 'ready') return `repository ${count.format(state.tokens)} tokens · ready`;
  const percent = state.total > 0 ? Math.floor((100 * state.done) / state.total) : 0;
  return `preparing repository ${percent}%`;
}

/** The longer form for a tooltip: what the prefix is and what it saves. */
export function repositoryPrefixTooltip(state: RepositoryPrefixState): string {
  if (state.phase === 'preparing')
    return `Hearth is computing the repository overview every question starts with: ${count.format(state.done)} of ${count.format(state.total)} tokens, in the background (questions and completions go first).`;
  const disk = state.diskTokens > 0 ? ` (${count.format(state.diskTokens)} of them restored from disk)` : '';
  return `The repository overview every question starts with is computed: ${count.format(state.tokens)} tokens${disk}.`;
}

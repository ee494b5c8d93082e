/** Why each file of a packed block is where it is: its placement with the ranking signals behind it. */
import type { ContextRankingEntry } from '../../shared/protocol';
import type { Placement } from './contextPacker';
import type { ContextFocus } from './rankFocus';
import type { RepositoryIndex } from './repositoryIndex';
import type { RankingSignals } from './retrieval/fusedRanking';

export function explainRanking(
  index: RepositoryIndex,
  request: { readonly focus?: ContextFocus },
  placements: readonly Placement[],
): ContextRankingEntry[] {
  const signals = (focus: ContextFocus | undefined): Map<string, RankingSignals> =>
    new Map(index.rank(focus).map((ranked) => [ranked.file.path, ranked.signals]));
  const overview = signals(undefined);
  const focused = request.focus === undefined ? overview : signals(request.focus);
  return placements.map((placement) => {
    const { role, lexical, graph, definition, score } = (placement.part === 'overview' ? overview : focused).get(
      placement.path,
    )!;
    return { ...placement, role, lexical, graph, definition, score };
  });
}

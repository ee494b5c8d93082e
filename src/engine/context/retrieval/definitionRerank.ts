/**
 * Reorders the head of a focused ranking by each file's best-matching definition: a file whose one function
 * is about the question beats a file that mentions its words everywhere (BM25 over whole files favours those).
 */
import type { RankedFile } from './fusedRanking';

/** How many of the best files are reordered, and the weight of the normalised best definition score. */
export const RERANK_DEPTH = 30;
export const DEFINITION_WEIGHT = 0.5;

/** `bestDefinition(file)`: the file's highest definition score for the question, 0 without one. */
export function rerankByDefinitions<F>(
  ranked: readonly RankedFile<F>[],
  bestDefinition: (file: F) => number,
): RankedFile<F>[] {
  const head = ranked.slice(0, RERANK_DEPTH).map((entry) => ({ entry, best: bestDefinition(entry.file) }));
  const top = Math.max(Number.MIN_VALUE, ...head.map(({ best }) => best));
  const reranked = head
    .map(({ entry, best }) => {
      const definition = best / top;
      return {
        ...entry,
        signals: { ...entry.signals, definition, score: entry.signals.score + DEFINITION_WEIGHT * definition },
      };
    })
    .sort((a, b) => b.signals.score - a.signals.score);
  return [...reranked, ...ranked.slice(RERANK_DEPTH)];
}

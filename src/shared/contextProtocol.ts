/**
 * The repository-context payloads of the engine protocol (`context/index`, `context/update`, `context/pack`):
 * protocol.ts's type map names these methods; the shapes live here because there are many of them.
 */

export interface ContextIndexStats {
  files: number;
  /** Parsed with a tree-sitter grammar; the rest is plain text. */
  structured: number;
  plainText: number;
  parseFailures: number;
  /** Files whose unsaved editor contents take the place of the disk's. */
  unsaved: number;
  /** Entries left out, by reason (binary, huge, generated, ignored…). */
  skipped: Partial<Record<string, number>>;
  lastScan: { reused: number; parsed: number; elapsedMs: number };
  cacheError?: string;
}

export type ContextProgressParams =
  { phase: 'scanning'; filesFound: number } | { phase: 'parsing'; filesDone: number; filesTotal: number };

export interface ContextUpdateResult {
  parsed: readonly string[];
  removed: readonly string[];
  unchanged: readonly string[];
  /** An ignore file changed, so the whole workspace was walked again. */
  rescanned: boolean;
  elapsedMs: number;
}

export interface ContextPackStats {
  filesWhole: number;
  /** The definitions that match the question shown whole inside an outline, or a long document's first lines. */
  filesExcerpted?: number;
  filesOutlined: number;
  /** Named in the repository map only. */
  filesListed: number;
  /** Counted in the map, not named. */
  filesOmitted: number;
  tokens: number;
  /** The overview's tokens: the prefix of the block that is the same for every request at this budget. */
  overviewTokens?: number;
  budget: number;
  elapsedMs: number;
  /** Counted with the UTF-8 estimate, not a tokenizer: a remote model whose tokenizer Hearth lacks. */
  estimated?: true;
}

/** One file shown in a block: its part, its place in that part's ranking, and the signals behind it. */
export interface ContextRankingEntry {
  path: string;
  part: 'overview' | 'request';
  rank: number;
  rendering: 'whole' | 'excerpt' | 'outlined';
  role: string;
  /**
   * BM25 over the best match, personalised (or global) PageRank over the best, the best-matching definition
   * over the best among the top files, all 0…1, and the fused score.
   */
  lexical: number;
  graph: number;
  definition: number;
  score: number;
}

export interface ContextPackResult {
  text: string;
  stats: ContextPackStats;
  ranking?: ContextRankingEntry[];
}

/** How far a `context/prefill` is: positions of the prefix the model holds, of all of them. */
export interface ContextPrefillProgressParams {
  done: number;
  total: number;
}

export interface ContextPrefillResult {
  /** The prefix's tokens. */
  tokens: number;
  /** Of them, those found in memory or on disk rather than computed; the disk's share of those. */
  cachedTokens: number;
  diskTokens: number;
  /** Stopped by $/cancelRequest (or a model change) before the end: what was computed stays cached. */
  cancelled: boolean;
}

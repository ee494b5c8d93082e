/**
 * The repository-context payloads of the engine protocol (`context/index`, `context/update`, `context/pack`):
 * protocol.ts's type map names these methods; the shapes live here because there are many of them.
 */

export interface ContextIndexParams {
  /** Absolute folders: the workspace roots. */
  roots: string[];
  /** Globs to leave out, beside .gitignore (VS Code's files.exclude and Hearth's own setting). */
  excludes?: string[];
  /** Larger files are listed by path only. */
  maxFileBytes?: number;
}

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

export interface ContextFileChange {
  /** Absolute, inside a root. */
  path: string;
  kind: 'changed' | 'created' | 'deleted';
  /** Unsaved editor contents; without it the engine reads the disk. */
  content?: string;
}

export interface ContextUpdateResult {
  parsed: readonly string[];
  removed: readonly string[];
  unchanged: readonly string[];
  /** An ignore file changed, so the whole workspace was walked again. */
  rescanned: boolean;
  elapsedMs: number;
}

export interface ContextPackParams {
  /** Tokens, 256…262,144, counted with the served model's tokenizer. */
  budget: number;
  /** The Qwen repository format (default) or fenced Markdown. */
  format?: 'qwen' | 'markdown';
  focus?: { activeFile?: string; openFiles?: string[]; query?: string };
  /** Return `ranking`: why each file shown is where it is. */
  explainRanking?: boolean;
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

/**
 * One order of the files from three signals: what the question's words match (BM25), where the reference
 * graph leads from the focus and those matches (personalised PageRank), and what each file is for (its role).
 * Without a question or focus, roles come first and global PageRank orders each tier.
 */
import { fileRoles, pathDepth, type FileRole } from './fileRoles';

/** Weights of the normalised lexical and graph scores (each 0…1) in a focused ranking. */
export const LEXICAL_WEIGHT = 1;
export const GRAPH_WEIGHT = 0.5;
/** Added to a focused score: files that support the code give way to the code. */
const ROLE_ADJUSTMENT: Readonly<Record<FileRole, number>> = {
  readme: 0,
  manifest: 0,
  docs: -0.05,
  entryPoint: 0,
  buildConfig: -0.1,
  source: 0,
  test: -0.15,
  example: -0.15,
  fixture: -0.3,
  generated: -0.3,
  vendored: -0.3,
  data: -0.3,
};

export interface RankingSignals {
  readonly role: FileRole;
  /** 0 first; for an unfocused ranking (see roleTier). */
  readonly tier: number;
  /** BM25 over the best match, 0…1; 0 without a question. */
  readonly lexical: number;
  /** Personalised PageRank over the best, 0…1, when focused; else global PageRank over the best. */
  readonly graph: number;
  /** The file's best-matching definition over the best among the top files, 0…1 (definitionRerank.ts). */
  readonly definition: number;
  /** What the order is by, within a tier. */
  readonly score: number;
}

export interface RankedFile<F> {
  readonly file: F;
  readonly signals: RankingSignals;
}

export interface RankingInputs<F extends { readonly path: string }> {
  /** In graph node order. */
  readonly files: readonly F[];
  readonly global: Float64Array;
  /** Personalised PageRank, when the ranking has a focus. */
  readonly personal?: Float64Array;
  /** BM25 score by path, when the ranking has a question. */
  readonly lexical?: ReadonlyMap<string, number>;
  /** Each file's role, in node order (fileRoles.ts); worked out from the paths when left out. */
  readonly roles?: readonly FileRole[];
}

/** Most relevant first; ties by path, so the order is total and stable. */
export function fuseRanking<F extends { readonly path: string }>(inputs: RankingInputs<F>): RankedFile<F>[] {
  const { files, global, personal, lexical } = inputs;
  const focused = personal !== undefined || (lexical !== undefined && lexical.size > 0);
  const graphScores = personal ?? global;
  const roles = inputs.roles ?? fileRoles(files.map((file) => file.path));
  const maxGraph = maxOf(graphScores);
  const maxLexical = maxOf(lexical?.values() ?? []);
  const ranked = files.map((file, i): RankedFile<F> => {
    const role = roles[i];
    const tier = focused ? 0 : roleTier(role, pathDepth(file.path));
    const lexicalScore = (lexical?.get(file.path) ?? 0) / maxLexical;
    const graph = graphScores[i] / maxGraph;
    const score = focused ? LEXICAL_WEIGHT * lexicalScore + GRAPH_WEIGHT * graph + ROLE_ADJUSTMENT[role] : graph;
    return { file, signals: { role, tier, lexical: lexicalScore, graph, definition: 0, score } };
  });
  return ranked.sort(
    (a, b) =>
      a.signals.tier - b.signals.tier ||
      b.signals.score - a.signals.score ||
      (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0),
  );
}

/**
 * The unfocused order of roles: the root README and manifests; documentation indexes, nested READMEs and
 * manifests, entry points and build configuration near the root; the code and its documents; tests and
 * examples; then fixtures, generated, vendored files and data.
 */
export function roleTier(role: FileRole, depth: number): number {
  switch (role) {
    case 'readme':
    case 'manifest':
      return depth === 0 ? 0 : depth <= 2 ? 1 : 2;
    case 'entryPoint':
    case 'buildConfig':
      return depth <= 2 ? 1 : 2;
    case 'docs':
    case 'source':
      return 2;
    case 'test':
    case 'example':
      return 3;
    default:
      return 4;
  }
}

/** The largest value, or the smallest positive number when there is none (so that dividing by it is safe). */
function maxOf(values: Iterable<number>): number {
  let max = Number.MIN_VALUE;
  for (const value of values) if (value > max) max = value;
  return max;
}

/**
 * Files linked by symbols, after aider's repo map: when file A uses a name that file B defines, an edge A → B
 * carries the weight of that name. Names that identify something (long camelCase or snake_case) weigh more;
 * private-looking names and names defined in many files weigh less; names defined in very many files
 * (`constructor`, `get`) identify nothing and make no edges at all, which also keeps the graph sparse.
 */
import type { FileSymbols } from './fileSymbols';
import { pageRank, personalizedPageRank, type WeightedGraph } from './pageRank';

export interface GraphFile {
  readonly path: string;
  readonly symbols: Pick<FileSymbols, 'definitions' | 'references'>;
}

/** A name defined in more files than this links nothing. */
export const MAX_DEFINERS_PER_NAME = 25;
/** Above this many definers a name still links, at a tenth of the weight (aider's threshold). */
const COMMON_NAME_DEFINERS = 5;
const DISTINCTIVE_NAME_MIN_CHARS = 8;

export class RepoGraph<F extends GraphFile = GraphFile> implements WeightedGraph {
  private globalScores: Float64Array | undefined;

  private constructor(
    /** Node i is files[i]. */
    readonly files: readonly F[],
    /** Name → indices of the files that define it, ascending. */
    readonly definers: ReadonlyMap<string, readonly number[]>,
    /** Name → weight of its edges, for names that make edges. */
    private readonly linkWeights: ReadonlyMap<string, number>,
    readonly offsets: Int32Array,
    readonly targets: Int32Array,
    readonly weights: Float64Array,
  ) {}

  get nodeCount(): number {
    return this.files.length;
  }

  static build<F extends GraphFile>(files: readonly F[]): RepoGraph<F> {
    const definers = new Map<string, number[]>();
    files.forEach((file, index) => {
      for (const { name } of linkingDefinitions(file)) {
        const list = definers.get(name);
        if (list === undefined) definers.set(name, [index]);
        else if (list.at(-1) !== index) list.push(index);
      }
    });
    // Per name, not per use: a repository has far fewer distinct names than uses.
    const linkWeights = new Map<string, number>();
    for (const [name, definedIn] of definers) {
      if (definedIn.length <= MAX_DEFINERS_PER_NAME) linkWeights.set(name, nameWeight(name, definedIn.length));
    }
    const offsets = new Int32Array(files.length + 1);
    const targets: number[] = [];
    const weights: number[] = [];
    files.forEach((file, from) => {
      for (const [to, weight] of outEdges(from, file, definers, linkWeights)) {
        targets.push(to);
        weights.push(weight);
      }
      offsets[from + 1] = targets.length;
    });
    return new RepoGraph(files, definers, linkWeights, offsets, Int32Array.from(targets), Float64Array.from(weights));
  }

  /**
   * The graph with node `index` replaced by `file`, or undefined when that would change which files define
   * which names (then build anew). Only the file's own edges change, so an edit costs one copy of the edge
   * arrays; the global scores are carried over, slightly stale, as they only break ties.
   */
  withFile(index: number, file: F): RepoGraph<F> | undefined {
    const files = [...this.files];
    files[index] = file;
    if (file.symbols === this.files[index].symbols)
      return this.derived(files, this.offsets, this.targets, this.weights);
    if (!sameNames(linkingDefinitions(this.files[index]), linkingDefinitions(file))) return undefined;
    const row = outEdges(index, file, this.definers, this.linkWeights);
    const start = this.offsets[index];
    const end = this.offsets[index + 1];
    const delta = row.length - (end - start);
    const targets = new Int32Array(this.targets.length + delta);
    const weights = new Float64Array(this.weights.length + delta);
    targets.set(this.targets.subarray(0, start));
    weights.set(this.weights.subarray(0, start));
    row.forEach(([to, weight], i) => {
      targets[start + i] = to;
      weights[start + i] = weight;
    });
    targets.set(this.targets.subarray(end), start + row.length);
    weights.set(this.weights.subarray(end), start + row.length);
    const offsets = this.offsets.map((offset, i) => (i > index ? offset + delta : offset));
    return this.derived(files, offsets, targets, weights);
  }

  private derived(files: readonly F[], offsets: Int32Array, targets: Int32Array, weights: Float64Array): RepoGraph<F> {
    const graph = new RepoGraph(files, this.definers, this.linkWeights, offsets, targets, weights);
    graph.globalScores = this.globalScores;
    return graph;
  }

  /** Global PageRank of every node, and personalised PageRank towards `restart` when given. */
  scores(restart?: Float64Array): { global: Float64Array; personal: Float64Array | undefined } {
    this.globalScores ??= pageRank(this);
    return {
      global: this.globalScores,
      personal: restart === undefined ? undefined : personalizedPageRank(this, restart),
    };
  }

  /**
   * Node indices, most relevant first: by personalised PageRank towards `restart` when given, then by global
   * PageRank (files the focus does not reach, in order of importance), then by index.
   */
  rank(restart?: Float64Array): number[] {
    const { global, personal } = this.scores(restart);
    const order = Array.from({ length: this.nodeCount }, (_, i) => i);
    return order.sort(
      (a, b) => (personal === undefined ? 0 : personal[b] - personal[a]) || global[b] - global[a] || a - b,
    );
  }
}

/** File `from`'s edges, ascending by target, merged per target. */
function outEdges(
  from: number,
  file: GraphFile,
  definers: ReadonlyMap<string, readonly number[]>,
  linkWeights: ReadonlyMap<string, number>,
): [number, number][] {
  const out = new Map<number, number>();
  for (const [name, uses] of file.symbols.references) {
    const linkWeight = linkWeights.get(name);
    if (linkWeight === undefined) continue;
    const weight = linkWeight * Math.sqrt(uses);
    for (const to of definers.get(name)!) if (to !== from) out.set(to, (out.get(to) ?? 0) + weight);
  }
  return [...out].sort(([a], [b]) => a - b);
}

/**
 * Definitions that make a file a target of edges. Properties and fields are left out: sharing a field name
 * (`elapsedMs`, `path`) says nothing about one file using the other, and their types link the files anyway.
 */
function linkingDefinitions(file: GraphFile): readonly { name: string }[] {
  return file.symbols.definitions.filter((definition) => definition.kind !== 'property');
}

function sameNames(a: readonly { name: string }[], b: readonly { name: string }[]): boolean {
  const names = new Set(a.map((d) => d.name));
  return names.size === new Set(b.map((d) => d.name)).size && b.every((d) => names.has(d.name));
}

export function nameWeight(name: string, definerCount: number): number {
  let weight = 1;
  if (name.length >= DISTINCTIVE_NAME_MIN_CHARS && looksLikeIdentifier(name)) weight *= 10;
  if (name.startsWith('_')) weight *= 0.1;
  if (definerCount > COMMON_NAME_DEFINERS) weight *= 0.1;
  return weight;
}

/** camelCase, PascalCase with a second word, snake_case or kebab-case: a coined name rather than a word. */
function looksLikeIdentifier(name: string): boolean {
  return /[a-z0-9][A-Z]|[A-Za-z0-9]_[A-Za-z0-9]|[a-z]-[a-z]/.test(name);
}

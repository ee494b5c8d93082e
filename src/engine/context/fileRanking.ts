/**
 * The files of an index in path order with their reference graph, ranked for a focus. Building the graph is
 * the costly part (half a second for 20,000 files), so an edit that keeps a file's defined names patches the
 * ranking instead; anything else (a file added or removed, names changed) needs a new one.
 */
import { comparePaths } from './contextPacker';
import { focusRestartVector, type ContextFocus } from './rankFocus';
import { RepoGraph, type GraphFile } from './repoGraph';
import { fileRoles, type FileRole } from './retrieval/fileRoles';
import { fuseRanking, type RankedFile } from './retrieval/fusedRanking';

/** How many of the best lexical matches seed the graph walk, and their weight beside the focus's (see rankFocus.ts). */
const LEXICAL_SEEDS = 8;
const LEXICAL_SEED_WEIGHT = 4;

export class FileRanking<F extends GraphFile> {
  private unfocused: RankedFile<F>[] | undefined;
  private fileRoles: FileRole[] | undefined;

  private constructor(
    private readonly graph: RepoGraph<F>,
    /** Path → node of the graph. */
    private readonly positions: ReadonlyMap<string, number>,
  ) {}

  static of<F extends GraphFile>(files: Iterable<F>): FileRanking<F> {
    const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path));
    return new FileRanking(RepoGraph.build(sorted), new Map(sorted.map((file, i) => [file.path, i])));
  }

  /** Sorted by path. */
  get files(): readonly F[] {
    return this.graph.files;
  }

  /** This ranking with `file` in place of the file at its path, or undefined when it must be built anew. */
  withFile(file: F): FileRanking<F> | undefined {
    const position = this.positions.get(file.path);
    const graph = position === undefined ? undefined : this.graph.withFile(position, file);
    return graph === undefined ? undefined : new FileRanking(graph, this.positions);
  }

  /** The unfocused ranking (roles, then centrality), computed once per ranking. */
  overview(): RankedFile<F>[] {
    this.unfocused ??= fuseRanking({
      files: this.graph.files,
      global: this.graph.scores().global,
      roles: this.roles(),
    });
    return this.unfocused;
  }

  /**
   * Most relevant first, with the signals behind each place; focus paths must be index paths. `lexical` holds
   * the question's BM25 scores by path; its best files also seed the graph walk, to bring in their neighbours.
   */
  rank(focus: ContextFocus, lexical?: ReadonlyMap<string, number>): RankedFile<F>[] {
    const { files, definers } = this.graph;
    let restart = focusRestartVector(
      files.map((file) => file.path),
      definers,
      focus,
    );
    if (lexical !== undefined && lexical.size > 0) restart = this.seeded(restart, lexical);
    const { global, personal } = this.graph.scores(restart);
    return fuseRanking({ files, global, personal, lexical, roles: this.roles() });
  }

  /** Roles depend on paths only, which an edit never changes: worked out once per ranking. */
  private roles(): FileRole[] {
    this.fileRoles ??= fileRoles(this.graph.files.map((file) => file.path));
    return this.fileRoles;
  }

  /** `restart` plus the best lexical matches, each in proportion to its score. */
  private seeded(restart: Float64Array | undefined, lexical: ReadonlyMap<string, number>): Float64Array {
    const seeded = restart ?? new Float64Array(this.graph.nodeCount);
    const best = [...lexical].sort(([, a], [, b]) => b - a).slice(0, LEXICAL_SEEDS);
    const top = best[0][1];
    for (const [path, score] of best) seeded[this.positions.get(path)!] += (LEXICAL_SEED_WEIGHT * score) / top;
    return seeded;
  }
}

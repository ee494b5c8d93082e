/**
 * The files of an index in path order with their reference graph, ranked for a focus. Building the graph is
 * the costly part (half a second for 20,000 files), so an edit that keeps a file's defined names patches the
 * ranking instead; anything else (a file added or removed, names changed) needs a new one.
 */
import { comparePaths } from './contextPacker';
import { focusRestartVector, type ContextFocus } from './rankFocus';
import { RepoGraph, type GraphFile } from './repoGraph';

export class FileRanking<F extends GraphFile> {
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

  /** Most relevant first; focus paths must be index paths. */
  rank(focus: ContextFocus): F[] {
    const { files, definers } = this.graph;
    const restart = focusRestartVector(
      files.map((file) => file.path),
      definers,
      focus,
    );
    return this.graph.rank(restart).map((i) => files[i]);
  }
}

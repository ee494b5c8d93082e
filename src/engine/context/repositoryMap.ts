/**
 * The map of a repository: every folder with its file count, and file names where they fit, shallow folders
 * first. Folders too deep to list are folded into their ancestor's count, so the model always knows what exists.
 */
import { posix } from 'node:path';

export interface MapRendering {
  readonly text: string;
  /** Files named in the text, and all files. */
  readonly filesNamed: number;
  readonly files: number;
}

interface Folder {
  readonly path: string;
  readonly depth: number;
  /** File names directly inside, sorted. */
  readonly names: string[];
  /** Files and folders strictly below it. */
  readonly filesBelow: number;
  readonly foldersBelow: number;
}

export class RepositoryMap {
  private readonly folders: Folder[];
  private readonly maxDepth: number;
  readonly fileCount: number;

  /** `paths`: index paths of every file. */
  constructor(paths: readonly string[]) {
    const byFolder = new Map<string, string[]>();
    for (const path of paths) {
      const folder = parentOf(path);
      const names = byFolder.get(folder);
      if (names === undefined) byFolder.set(folder, [posix.basename(path)]);
      else names.push(posix.basename(path));
      // Folders that hold only folders still count, for folding.
      for (let parent = folder; parent !== '';) {
        parent = parentOf(parent);
        if (!byFolder.has(parent)) byFolder.set(parent, []);
      }
    }
    const below = new Map<string, { files: number; folders: number }>();
    for (const [path, names] of byFolder) {
      for (let parent = path; parent !== '';) {
        parent = parentOf(parent);
        const counts = below.get(parent) ?? { files: 0, folders: 0 };
        counts.files += names.length;
        counts.folders++;
        below.set(parent, counts);
      }
    }
    this.folders = [...byFolder]
      .map(([path, names]) => ({
        path,
        depth: path === '' ? 0 : path.split('/').length,
        names: names.sort(),
        filesBelow: below.get(path)?.files ?? 0,
        foldersBelow: below.get(path)?.folders ?? 0,
      }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    this.maxDepth = Math.max(0, ...this.folders.map((f) => f.depth));
    this.fileCount = paths.length;
  }

  /** The richest rendering of at most `maxChars` characters (at least the root line). */
  fit(maxChars: number): MapRendering {
    let depth = this.maxDepth;
    while (depth > 0 && this.render(depth, 0).text.length > maxChars) depth--;
    const expandable = this.namingOrder(depth).length;
    let low = 0;
    let high = expandable;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (this.render(depth, mid).text.length <= maxChars) low = mid;
      else high = mid - 1;
    }
    return this.render(depth, low);
  }

  /** Folders down to `depth` (deeper ones counted in their ancestor), naming files in the first `named` of them. */
  render(depth: number, named: number): MapRendering {
    const naming = new Set(this.namingOrder(depth).slice(0, named));
    const lines: string[] = [];
    let filesNamed = 0;
    for (const folder of this.folders) {
      if (folder.depth > depth) continue;
      const label = folder.path === '' ? './' : `${folder.path}/`;
      const folded = folder.depth === depth && folder.foldersBelow > 0;
      if (folded) {
        const files = folder.names.length + folder.filesBelow;
        lines.push(`${label} (${plural(files, 'file')} in ${plural(folder.foldersBelow, 'folder')} below)`);
      } else if (naming.has(folder)) {
        lines.push(`${label} ${folder.names.join(' ')}`);
        filesNamed += folder.names.length;
      } else if (folder.names.length > 0) {
        lines.push(`${label} (${plural(folder.names.length, 'file')})`);
      }
    }
    return { text: lines.join('\n') + '\n', filesNamed, files: this.fileCount };
  }

  /** Folders whose files a rendering at `depth` can name, shallow and small first: they cost least per folder. */
  private namingOrder(depth: number): Folder[] {
    return this.folders
      .filter((f) => f.names.length > 0 && (f.depth < depth || (f.depth === depth && f.foldersBelow === 0)))
      .sort((a, b) => a.depth - b.depth || a.names.length - b.names.length || (a.path < b.path ? -1 : 1));
  }
}

function parentOf(path: string): string {
  const parent = posix.dirname(path);
  return parent === '.' ? '' : parent;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * Walks the workspace roots and reads the files worth indexing. Leaves out what ignoreRules.ts excludes,
 * files over the size limit, and what textFileClassifier.ts calls binary, minified or generated. Follows a
 * symlink only to a place inside the roots that it has not visited yet, and visits real paths before symlinks,
 * so a linked file is indexed under its own path. Every skipped entry is reported with its reason; nothing
 * about a single file is an error.
 */
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_EXCLUDES, IgnoreRules, type ExclusionReason } from './ignoreRules';
import { languageForPath } from './languages';
import { readSourceText } from './sourceText';
import { classifyByName, classifyText, type ContentSkipReason } from './textFileClassifier';
import {
  indexPath,
  isInsideRoots,
  locatePath,
  resolveRoots,
  type LocatedPath,
  type WorkspaceRoot,
} from './workspaceRoots';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';

export interface ScanOptions {
  /** Absolute folder paths. */
  readonly roots: readonly string[];
  /** Globs (VS Code `files.exclude` style, matched against root-relative paths) from settings. */
  readonly excludes?: readonly string[];
  /** Vendored and tool folders; default DEFAULT_EXCLUDES. */
  readonly defaultExcludes?: readonly string[];
  /** Larger files are skipped unread; default 1 MiB. */
  readonly maxFileBytes?: number;
  /** Honour `.gitignore` files and `.git/info/exclude`; default true. */
  readonly useGitignore?: boolean;
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/**
 * `symlinkLoop`: a folder or file reached again through a symlink, a loop or a second path to something
 * already indexed. `unreadable` covers permission errors and entries that vanished during the scan.
 */
export type SkipReason =
  ExclusionReason | ContentSkipReason | 'tooLarge' | 'unreadable' | 'symlinkOutsideRoots' | 'symlinkLoop';

export interface FileCandidate {
  /** Index path: root-relative, posix separators (see workspaceRoots.ts). */
  readonly path: string;
  readonly absolutePath: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly languageId: string;
}

export interface SourceFile extends FileCandidate {
  readonly content: string;
  readonly hash: string;
}

export interface SkippedEntry {
  readonly path: string;
  readonly reason: SkipReason;
}

export interface WalkResult {
  readonly candidates: FileCandidate[];
  readonly skipped: SkippedEntry[];
}

export interface ScanResult {
  readonly files: SourceFile[];
  readonly skipped: SkippedEntry[];
}

export type Inspection =
  | { readonly kind: 'file'; readonly candidate: FileCandidate }
  | { readonly kind: 'folder'; readonly location: LocatedPath }
  | { readonly kind: 'skipped'; readonly entry: SkippedEntry }
  | { readonly kind: 'missing'; readonly path: string };

/** Files read ahead of the consumer: enough to keep the disk busy while the caller parses. */
const READ_AHEAD = 8;

interface Folder {
  readonly root: WorkspaceRoot;
  readonly relative: string;
  readonly absolutePath: string;
  readonly realPath: string;
}

interface WalkState extends WalkResult {
  readonly visited: Set<string>;
  /** Symlinks are resolved after every real entry, so that real paths win over linked ones. */
  readonly links: { folder: Folder; name: string }[];
  readonly onFound?: (filesFound: number, candidate: FileCandidate) => void;
}

export class WorkspaceScanner {
  readonly roots: readonly WorkspaceRoot[];
  readonly maxFileBytes: number;
  private readonly rules: ReadonlyMap<WorkspaceRoot, IgnoreRules>;

  constructor(options: ScanOptions) {
    this.roots = resolveRoots(options.roots);
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    if (!Number.isSafeInteger(this.maxFileBytes) || this.maxFileBytes <= 0) {
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        `The file size limit must be a positive whole number of bytes, not ${this.maxFileBytes}`,
        'Fix the maximum file size in the Hearth context settings.',
      );
    }
    const excludes = [...(options.defaultExcludes ?? DEFAULT_EXCLUDES), ...(options.excludes ?? [])];
    this.rules = new Map(
      this.roots.map((root) => [
        root,
        new IgnoreRules(root.path, { excludes, useGitignore: options.useGitignore ?? true }),
      ]),
    );
  }

  /**
   * Every file to index under the roots, stat'ed but unread, in a deterministic order. `onFound` sees each
   * candidate as it is found, in that order, so that reading can start before the walk ends.
   */
  walk(onFound?: (filesFound: number, candidate: FileCandidate) => void, signal?: AbortSignal): Promise<WalkResult> {
    return this.walkFolders(
      this.roots.map((root) => ({ root, relative: '', absolutePath: root.path, realPath: root.realPath })),
      onFound,
      signal,
    );
  }

  /** Like walk, below one folder inside the roots (a folder created or moved in). */
  async walkFolder(location: LocatedPath, signal?: AbortSignal): Promise<WalkResult> {
    const realPath = await realpath(location.absolutePath).catch(() => undefined);
    if (realPath === undefined) return { candidates: [], skipped: [] };
    return this.walkFolders(
      [{ root: location.root, relative: location.relative, absolutePath: location.absolutePath, realPath }],
      undefined,
      signal,
    );
  }

  /** Reads and classifies one file. */
  async read(candidate: FileCandidate): Promise<SourceFile | SkipReason> {
    const text = await readSourceText(candidate.absolutePath, this.maxFileBytes);
    return typeof text === 'string' ? text : { ...candidate, size: text.size, content: text.content, hash: text.hash };
  }

  /** Reads files a few at a time, yielding them in the given order. */
  async *readEach(
    candidates: readonly FileCandidate[],
    signal?: AbortSignal,
  ): AsyncGenerator<[FileCandidate, SourceFile | SkipReason]> {
    const pending: Promise<SourceFile | SkipReason>[] = [];
    let next = 0;
    for (const candidate of candidates) {
      signal?.throwIfAborted();
      while (next < candidates.length && pending.length < READ_AHEAD) pending.push(this.read(candidates[next++]));
      yield [candidate, await pending.shift()!];
    }
  }

  /** Walks and reads everything: the scanner on its own, without an index. */
  async scan(
    onProgress?: (progress: { filesFound: number; filesRead: number }) => void,
    signal?: AbortSignal,
  ): Promise<ScanResult> {
    const walked = await this.walk((filesFound) => onProgress?.({ filesFound, filesRead: 0 }), signal);
    const files: SourceFile[] = [];
    const skipped = [...walked.skipped];
    for await (const [candidate, result] of this.readEach(walked.candidates, signal)) {
      if (typeof result === 'string') skipped.push({ path: candidate.path, reason: result });
      else files.push(result);
      onProgress?.({
        filesFound: walked.candidates.length,
        filesRead: files.length + skipped.length - walked.skipped.length,
      });
    }
    return { files, skipped };
  }

  /** What one path is now, for a file event: checked against the same rules as a walk. */
  async inspect(path: string): Promise<Inspection | undefined> {
    const location = this.locate(path);
    if (location === undefined) return undefined;
    const skipped = (reason: SkipReason): Inspection => ({ kind: 'skipped', entry: { path: location.path, reason } });
    if ((await lstat(location.absolutePath).catch(() => undefined)) === undefined)
      return { kind: 'missing', path: location.path };
    // Any folder on the path may be a link (one the walk refused), not only the last component.
    const realPath = await realpath(location.absolutePath).catch(() => undefined);
    if (realPath === undefined) return skipped('unreadable');
    if (!isInsideRoots(this.roots, realPath)) return skipped('symlinkOutsideRoots');
    const info = await stat(realPath).catch(() => undefined);
    // A pipe, socket or device is nothing to index, as in the walk (reading a pipe would wait forever).
    if (info === undefined || (!info.isDirectory() && !info.isFile())) return { kind: 'missing', path: location.path };
    const exclusion = await this.rules.get(location.root)!.checkWithParents(location.relative, info.isDirectory());
    if (exclusion !== undefined) return skipped(exclusion);
    if (info.isDirectory()) return { kind: 'folder', location };
    const reason = this.reasonToSkip(location.relative, info.size);
    if (reason !== undefined) return skipped(reason);
    return { kind: 'file', candidate: this.candidate(location.root, location.relative, location.absolutePath, info) };
  }

  /** Like inspect, for editor contents that are not (or not yet) on disk. */
  async inspectUnsaved(path: string, content: string): Promise<Inspection | undefined> {
    const location = this.locate(path);
    if (location === undefined) return undefined;
    const size = Buffer.byteLength(content, 'utf8');
    const reason =
      (await this.rules.get(location.root)!.checkWithParents(location.relative, false)) ??
      this.reasonToSkip(location.relative, size) ??
      (content.includes('\0') ? 'binary' : classifyText(content));
    if (reason !== undefined) return { kind: 'skipped', entry: { path: location.path, reason } };
    return {
      kind: 'file',
      candidate: this.candidate(location.root, location.relative, location.absolutePath, { size, mtimeMs: Date.now() }),
    };
  }

  locate(path: string): LocatedPath | undefined {
    return locatePath(this.roots, path);
  }

  /** Call when a `.gitignore` or `.git/info/exclude` changed; the next walk rereads them. */
  reloadIgnoreFiles(): void {
    for (const rules of this.rules.values()) rules.reload();
  }

  private async walkFolders(
    starts: Folder[],
    onFound: WalkState['onFound'],
    signal: AbortSignal | undefined,
  ): Promise<WalkResult> {
    const state: WalkState = {
      candidates: [],
      skipped: [],
      visited: new Set(starts.map((s) => s.realPath)),
      links: [],
      onFound,
    };
    const pending = [...starts].reverse();
    while (pending.length > 0 || state.links.length > 0) {
      signal?.throwIfAborted();
      const folder = pending.pop();
      if (folder !== undefined) pending.push(...(await this.visitFolder(folder, state)).reverse());
      else {
        const link = state.links.shift()!;
        const target = await this.followLink(link.folder, link.name, state);
        if (target !== undefined) pending.push(target);
      }
    }
    return { candidates: state.candidates, skipped: state.skipped };
  }

  /** Lists one folder: its files become candidates, its subfolders are returned to visit next. */
  private async visitFolder(folder: Folder, state: WalkState): Promise<Folder[]> {
    const { root } = folder;
    let entries;
    try {
      entries = await readdir(folder.absolutePath, { withFileTypes: true });
    } catch {
      state.skipped.push({ path: indexPath(root, folder.relative), reason: 'unreadable' });
      return [];
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subfolders: Folder[] = [];
    const files: { relative: string; absolutePath: string }[] = [];
    for (const entry of entries) {
      if (entry.isSymbolicLink()) {
        state.links.push({ folder, name: entry.name });
        continue;
      }
      if (!entry.isDirectory() && !entry.isFile()) continue; // sockets, pipes, devices
      const relative = childPath(folder.relative, entry.name);
      const exclusion = await this.rules.get(root)!.check(relative, entry.isDirectory());
      if (exclusion !== undefined) {
        state.skipped.push({ path: indexPath(root, relative), reason: exclusion });
        continue;
      }
      const absolutePath = join(folder.absolutePath, entry.name);
      const realPath = join(folder.realPath, entry.name);
      if (state.visited.has(realPath)) {
        state.skipped.push({ path: indexPath(root, relative), reason: 'symlinkLoop' });
        continue;
      }
      state.visited.add(realPath);
      if (entry.isDirectory()) subfolders.push({ root, relative, absolutePath, realPath });
      else files.push({ relative, absolutePath });
    }
    const stats = await Promise.all(files.map((file) => stat(file.absolutePath).catch(() => undefined)));
    files.forEach((file, i) => this.addFile(folder.root, file.relative, file.absolutePath, stats[i], state));
    return subfolders;
  }

  /** Resolves a symlink found in `folder`: a subfolder to visit, a file added, or a skip. */
  private async followLink(folder: Folder, name: string, state: WalkState): Promise<Folder | undefined> {
    const { root } = folder;
    const relative = childPath(folder.relative, name);
    const absolutePath = join(folder.absolutePath, name);
    const skip = (reason: SkipReason): undefined =>
      void state.skipped.push({ path: indexPath(root, relative), reason });
    const realPath = await realpath(absolutePath).catch(() => undefined);
    const info = realPath === undefined ? undefined : await stat(realPath).catch(() => undefined);
    if (realPath === undefined || info === undefined) return skip('unreadable');
    if (!isInsideRoots(this.roots, realPath)) return skip('symlinkOutsideRoots');
    if (!info.isDirectory() && !info.isFile()) return undefined;
    const exclusion = await this.rules.get(root)!.check(relative, info.isDirectory());
    if (exclusion !== undefined) return skip(exclusion);
    if (state.visited.has(realPath)) return skip('symlinkLoop');
    state.visited.add(realPath);
    if (info.isDirectory()) return { root, relative, absolutePath, realPath };
    this.addFile(root, relative, absolutePath, info, state);
    return undefined;
  }

  private addFile(
    root: WorkspaceRoot,
    relative: string,
    absolutePath: string,
    info: { size: number; mtimeMs: number } | undefined,
    state: WalkState,
  ): void {
    const path = indexPath(root, relative);
    const reason = info === undefined ? 'unreadable' : this.reasonToSkip(relative, info.size);
    if (reason !== undefined) state.skipped.push({ path, reason });
    else {
      const candidate = this.candidate(root, relative, absolutePath, info!);
      state.candidates.push(candidate);
      state.onFound?.(state.candidates.length, candidate);
    }
  }

  private reasonToSkip(relative: string, size: number): SkipReason | undefined {
    return size > this.maxFileBytes ? 'tooLarge' : classifyByName(relative);
  }

  private candidate(
    root: WorkspaceRoot,
    relative: string,
    absolutePath: string,
    info: { size: number; mtimeMs: number },
  ): FileCandidate {
    return {
      path: indexPath(root, relative),
      absolutePath,
      size: info.size,
      mtimeMs: info.mtimeMs,
      languageId: languageForPath(relative).id,
    };
  }
}

function childPath(parent: string, name: string): string {
  return parent === '' ? name : `${parent}/${name}`;
}

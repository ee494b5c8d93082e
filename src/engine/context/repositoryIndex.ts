/**
 * The repository context of a workspace: scanned and parsed files kept in memory, updated file by file from
 * editor and file-system events, persisted in the cache folder, ranked and packed on request. Calls are
 * serialised: an update waits for the open or update before it.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { FileSymbols } from './fileSymbols';
import { ContextPacker, type PackResult } from './contextPacker';
import type { ContextFormatName } from './contextFormat';
import { isIgnoreFile } from './ignoreRules';
import { indexStorePath, loadIndexStore, saveIndexStore, type StoredFile } from './indexStore';
import { NameInterner } from './nameInterner';
import { FileRanking } from './fileRanking';
import { IndexParsers, type IndexParserOptions } from './indexParsers';
import type { ContextFocus } from './rankFocus';
import { RepositoryMap } from './repositoryMap';
import { definitionScores, matchingDefinitions } from './retrieval/excerpt';
import { rerankByDefinitions } from './retrieval/definitionRerank';
import type { RankedFile } from './retrieval/fusedRanking';
import { LexicalIndex } from './retrieval/lexicalIndex';
import { fileSearchBag } from './retrieval/searchBag';
import { questionTerms } from './retrieval/searchTerms';
import type { TokenCounter } from './tokenCountCache';
import { contentHash } from './sourceText';
import {
  WorkspaceScanner,
  type Inspection,
  type ScanOptions,
  type SkipReason,
  type SourceFile,
} from './workspaceScanner';
import { scanWorkspace, type IndexedFile, type IndexProgress } from './workspaceScan';

export type { IndexedFile, IndexProgress };

/** How many recently edited files pull the ranking towards them. */
const MAX_RECENT_EDITS = 8;

export interface RepositoryIndexOptions extends ScanOptions, IndexParserOptions {
  /** Hearth's cache folder; the index is kept in memory only without one. */
  readonly cacheDir?: string;
  /** Shown at the top of the block; default the first root's folder name. */
  readonly repoName?: string;
  /** How long after an update the index is written to the cache (default 5 s). */
  readonly saveDelayMs?: number;
  /** Told when the cached index is discarded (corrupt, another version) and rebuilt: for a log line. */
  readonly onCacheDiscard?: (file: string, reason: string) => void;
}

export interface IndexStats {
  readonly files: number;
  /** Files parsed with a grammar, read as plain text, and those whose grammar failed (read as plain text). */
  readonly structured: number;
  readonly plainText: number;
  readonly parseFailures: number;
  readonly unsaved: number;
  /** Entries left out, by reason; a skipped folder counts once. */
  readonly skipped: Readonly<Partial<Record<SkipReason, number>>>;
  /** The last full scan: files taken over from the cache or the previous scan, files parsed, time. */
  readonly lastScan: { readonly reused: number; readonly parsed: number; readonly elapsedMs: number };
  /** Why the index could not be written to the cache folder, if it could not. */
  readonly cacheError?: string;
}

/** A file event: `content` carries unsaved editor contents; a change without it means "read the disk". */
export interface FileChange {
  /** Absolute, or an index path. */
  readonly path: string;
  readonly kind: 'changed' | 'created' | 'deleted';
  readonly content?: string;
}

export interface UpdateResult {
  /** Index paths parsed, removed, and re-read but unchanged. */
  readonly parsed: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: readonly string[];
  /** True when an ignore file changed and the whole workspace was walked again. */
  readonly rescanned: boolean;
  readonly elapsedMs: number;
}

export interface ContextRequest {
  readonly budget: number;
  readonly format?: ContextFormatName;
  readonly focus?: ContextFocus;
  readonly questionShare?: number;
}

export class RepositoryIndex {
  private entries = new Map<string, IndexedFile>();
  private skipped = new Map<string, SkipReason>();
  private lastScan = { reused: 0, parsed: 0, elapsedMs: 0 };
  private cacheError: string | undefined;
  /** Built on demand; undefined after a change it cannot absorb. */
  private ranking: FileRanking<IndexedFile> | undefined;
  private map: RepositoryMap | undefined;
  /** Files parsed again after an edit since the index opened, most recent first: part of every focus. */
  private recentEdits: string[] = [];
  private lexical: LexicalIndex | undefined;
  private readonly packers = new WeakMap<TokenCounter, ContextPacker>();
  private queue: Promise<unknown> = Promise.resolve();
  private saveTimer: NodeJS.Timeout | undefined;
  private readonly storePath: string | undefined;
  readonly repoName: string;

  private constructor(
    private readonly scanner: WorkspaceScanner,
    private readonly parsers: IndexParsers,
    private readonly options: RepositoryIndexOptions,
  ) {
    this.storePath =
      options.cacheDir === undefined
        ? undefined
        : indexStorePath(
            options.cacheDir,
            scanner.roots.map((r) => r.path),
          );
    this.repoName = options.repoName ?? basename(scanner.roots[0].path);
  }

  /** Scans the roots, reusing the persisted index where files are unchanged; throws InvalidParams for bad roots. */
  static async open(
    options: RepositoryIndexOptions,
    onProgress?: (progress: IndexProgress) => void,
    signal?: AbortSignal,
  ): Promise<RepositoryIndex> {
    const scanner = new WorkspaceScanner(options);
    const names = new NameInterner();
    const index = new RepositoryIndex(scanner, new IndexParsers(options, names), options);
    try {
      const stored =
        index.storePath === undefined
          ? undefined
          : await loadIndexStore(
              index.storePath,
              index.scanner.roots.map((r) => r.path),
              names,
              (reason) => options.onCacheDiscard?.(index.storePath!, reason),
            );
      const changed = await index.rescan(stored ?? new Map(), onProgress, signal);
      if (changed) index.persist();
      return index;
    } catch (error) {
      // Cancelled or failed: nobody will dispose this index, so its parser threads end here.
      await index.parsers.dispose();
      throw error;
    }
  }

  get stats(): IndexStats {
    const counts = { structured: 0, plain: 0, failed: 0 };
    let unsaved = 0;
    for (const file of this.entries.values()) {
      counts[file.symbols.outcome]++;
      if (file.unsaved !== undefined) unsaved++;
    }
    const skipped: Partial<Record<SkipReason, number>> = {};
    for (const reason of this.skipped.values()) skipped[reason] = (skipped[reason] ?? 0) + 1;
    return {
      files: this.entries.size,
      structured: counts.structured,
      plainText: counts.plain,
      parseFailures: counts.failed,
      unsaved,
      skipped,
      lastScan: { ...this.lastScan },
      ...(this.cacheError === undefined ? {} : { cacheError: this.cacheError }),
    };
  }

  /** By index path or absolute path. */
  file(path: string): IndexedFile | undefined {
    const located = this.scanner.locate(path);
    return located === undefined ? undefined : this.entries.get(located.path);
  }

  /** Sorted by path. */
  files(): readonly IndexedFile[] {
    return this.rankingState().files;
  }

  /** Applies file events: re-reads and re-parses only the files named (a whole folder for a folder event). */
  update(changes: readonly FileChange[], signal?: AbortSignal): Promise<UpdateResult> {
    return this.exclusive(() => this.applyChanges(changes, signal));
  }

  /**
   * Files most relevant to the focus first, with the signals behind each place (see FileRanking); focus paths
   * may be absolute. Without a focus, the unfocused order of roles and centrality.
   */
  rank(focus: ContextFocus = {}): RankedFile<IndexedFile>[] {
    const ranking = this.rankingState();
    const located = this.locateFocus(focus);
    if (located === undefined) return ranking.overview();
    const terms = located.query === undefined ? [] : questionTerms(located.query);
    if (terms.length === 0) return ranking.rank(located);
    const lexical = this.lexicalState();
    return rerankByDefinitions(ranking.rank(located, lexical.search(terms)), (file) => {
      const content = file.symbols.definitions.length === 0 ? undefined : this.readContent(file);
      if (content === undefined) return 0;
      const scores = definitionScores({ content, definitions: file.symbols.definitions }, terms, lexical);
      return Math.max(0, ...scores.map(({ score }) => score));
    });
  }

  /** The context block for a budget and focus, counted with `counter` (the model's tokenizer). */
  pack(request: ContextRequest, counter: TokenCounter, signal?: AbortSignal): PackResult {
    const started = performance.now();
    const ranking = this.rankingState();
    const focus = this.locateFocus(request.focus ?? {});
    const terms = focus?.query === undefined ? [] : questionTerms(focus.query);
    const overview = ranking.overview().map((r) => r.file);
    const requestRanking = focus === undefined ? overview : this.rank(focus).map((r) => r.file);
    let packer = this.packers.get(counter);
    if (packer === undefined) {
      packer = new ContextPacker(counter);
      this.packers.set(counter, packer);
    }
    this.map ??= new RepositoryMap(ranking.files.map((file) => file.path));
    const lexical = this.lexicalState();
    const result = packer.pack(
      {
        overview,
        request: requestRanking,
        map: this.map,
        readContent: (file) => this.readContent(file),
        definitions: (file) => file.symbols.definitions,
        ...(terms.length > 0 && {
          matches: (file: IndexedFile, content: string) =>
            matchingDefinitions({ content, definitions: file.symbols.definitions }, terms, lexical),
        }),
      },
      { budget: request.budget, format: request.format, questionShare: request.questionShare, repoName: this.repoName },
      signal,
    );
    return { ...result, stats: { ...result.stats, elapsedMs: performance.now() - started } };
  }

  /** The focus with index paths, or undefined when it names nothing (no file in the index, no question). */
  private locateFocus(focus: ContextFocus): ContextFocus | undefined {
    const activeFile = focus.activeFile === undefined ? undefined : this.scanner.locate(focus.activeFile)?.path;
    const openFiles = (focus.openFiles ?? []).flatMap((path) => this.scanner.locate(path)?.path ?? []);
    const query = focus.query?.trim() === '' ? undefined : focus.query;
    if (activeFile === undefined && openFiles.length === 0 && query === undefined) return undefined;
    return { activeFile, openFiles, query, recentFiles: this.recentEdits.filter((path) => this.entries.has(path)) };
  }

  /** Writes the index to the cache folder now, if it has one; failures are kept in `stats.cacheError`. */
  save(): Promise<void> {
    return this.exclusive(() => Promise.resolve(this.persist()));
  }

  /** Writes any pending change and frees the parser (ending its threads). */
  async dispose(): Promise<void> {
    const pending = this.saveTimer !== undefined;
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (pending) await this.save();
    else await this.queue;
    await this.parsers.dispose();
  }

  /** Walks the roots again, taking over what `previous` knows of unchanged files; true if anything changed. */
  private async rescan(
    previous: ReadonlyMap<string, StoredFile>,
    onProgress: ((progress: IndexProgress) => void) | undefined,
    signal: AbortSignal | undefined,
  ): Promise<boolean> {
    const started = performance.now();
    const scan = await scanWorkspace(
      this.scanner,
      this.parsers,
      { previous, current: this.entries },
      onProgress,
      signal,
    );
    this.entries = scan.entries;
    this.skipped = scan.skipped;
    this.ranking = undefined;
    this.map = undefined;
    this.lexical = undefined;
    this.lastScan = { reused: scan.reused, parsed: scan.parsed, elapsedMs: performance.now() - started };
    // Re-read files (same content, new mtime) count as changes: the store should not re-read them next time.
    return scan.filesRead > 0 || scan.entries.size !== previous.size;
  }

  private async applyChanges(changes: readonly FileChange[], signal: AbortSignal | undefined): Promise<UpdateResult> {
    const started = performance.now();
    const result = { parsed: [] as string[], removed: [] as string[], unchanged: [] as string[], rescanned: false };
    let rulesChanged = false;
    for (const change of changes) {
      signal?.throwIfAborted();
      const location = this.scanner.locate(change.path);
      if (location === undefined) continue;
      // An ignore file, or a root itself (created, deleted, renamed): walk everything again.
      if (location.relative === '' || isIgnoreFile(location.relative)) rulesChanged = true;
      if (location.relative === '') continue;
      if (change.kind === 'deleted') {
        this.removeUnder(location.path, result.removed);
        continue;
      }
      const inspection =
        change.content !== undefined
          ? await this.scanner.inspectUnsaved(change.path, change.content)
          : await this.scanner.inspect(change.path);
      await this.applyInspection(inspection, change.content, result, signal);
    }
    if (rulesChanged) {
      this.scanner.reloadIgnoreFiles();
      await this.rescan(this.entries, undefined, signal);
      result.rescanned = true;
    }
    if (result.parsed.length + result.removed.length + result.unchanged.length > 0 || result.rescanned)
      this.scheduleSave();
    return { ...result, elapsedMs: performance.now() - started };
  }

  private async applyInspection(
    inspection: Inspection | undefined,
    unsaved: string | undefined,
    result: { parsed: string[]; removed: string[]; unchanged: string[] },
    signal: AbortSignal | undefined,
  ): Promise<void> {
    if (inspection === undefined) return;
    switch (inspection.kind) {
      case 'missing':
        this.removeUnder(inspection.path, result.removed);
        return;
      case 'skipped':
        this.removeUnder(inspection.entry.path, result.removed);
        this.skipped.set(inspection.entry.path, inspection.entry.reason);
        return;
      case 'folder': {
        const walked = await this.scanner.walkFolder(inspection.location, signal);
        for (const entry of walked.skipped) this.skipped.set(entry.path, entry.reason);
        for (const candidate of walked.candidates)
          await this.applyInspection({ kind: 'file', candidate }, undefined, result, signal);
        return;
      }
      case 'file': {
        const { candidate } = inspection;
        const read =
          unsaved === undefined
            ? await this.scanner.read(candidate)
            : { ...candidate, content: unsaved, hash: contentHash(unsaved) };
        if (typeof read === 'string') {
          this.removeUnder(candidate.path, result.removed);
          this.skipped.set(candidate.path, read);
          return;
        }
        this.skipped.delete(candidate.path);
        const known = this.entries.get(candidate.path);
        if (known !== undefined && known.hash === read.hash && known.languageId === read.languageId) {
          this.setEntry({ ...indexed(read, known.symbols), unsaved });
          result.unchanged.push(candidate.path);
        } else {
          this.setEntry({
            ...indexed(read, await this.parsers.forContents().extract(read.content, read.languageId)),
            unsaved,
          });
          result.parsed.push(candidate.path);
          this.recentEdits = [candidate.path, ...this.recentEdits.filter((p) => p !== candidate.path)].slice(
            0,
            MAX_RECENT_EDITS,
          );
        }
      }
    }
  }

  private setEntry(file: IndexedFile): void {
    const known = this.entries.has(file.path);
    this.ranking = known ? this.ranking?.withFile(file) : undefined;
    if (!known) this.map = undefined;
    this.entries.set(file.path, file);
    this.lexical?.set(file.path, fileSearchBag(file));
  }

  /** Drops a file, or everything under a folder. */
  private removeUnder(path: string, removed: string[]): void {
    const prefix = `${path}/`;
    for (const key of [...this.entries.keys()]) {
      if (key === path || key.startsWith(prefix)) {
        this.entries.delete(key);
        this.lexical?.remove(key);
        removed.push(key);
        this.ranking = undefined;
        this.map = undefined;
      }
    }
    for (const key of [...this.skipped.keys()]) if (key === path || key.startsWith(prefix)) this.skipped.delete(key);
  }

  private readContent(file: IndexedFile): string | undefined {
    if (file.unsaved !== undefined) return file.unsaved;
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(file.absolutePath));
    } catch {
      return undefined;
    }
  }

  private rankingState(): FileRanking<IndexedFile> {
    this.ranking ??= FileRanking.of(this.entries.values());
    return this.ranking;
  }

  /** Built on first use after a scan, then patched file by file. */
  private lexicalState(): LexicalIndex {
    if (this.lexical === undefined) {
      this.lexical = new LexicalIndex();
      for (const file of this.entries.values()) this.lexical.set(file.path, fileSearchBag(file));
    }
    return this.lexical;
  }

  private scheduleSave(): void {
    if (this.storePath === undefined || this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, this.options.saveDelayMs ?? 5000);
    this.saveTimer.unref();
  }

  /** Unsaved contents are not stored: on the next start the file on disk is what there is. */
  private persist(): void {
    if (this.storePath === undefined) return;
    try {
      const onDisk = [...this.entries.values()].filter((file) => file.unsaved === undefined);
      saveIndexStore(
        this.storePath,
        this.scanner.roots.map((r) => r.path),
        onDisk,
      );
      this.cacheError = undefined;
    } catch (error) {
      this.cacheError = (error as Error).message;
    }
  }

  private exclusive<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.queue.then(operation, operation);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function indexed(file: SourceFile, symbols: FileSymbols): IndexedFile {
  const { content: _content, ...rest } = file;
  return { ...rest, symbols, outline: symbols.outline };
}

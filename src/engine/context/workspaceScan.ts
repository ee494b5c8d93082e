/**
 * A full scan of the workspace for the repository index: the walk finds the files; those the stored index (or
 * the editor) already knows are taken over, the rest are read and parsed ahead while the walk goes on, on the
 * parser threads for a big scan, and taken back in walk order, so the result is the same whichever finishes
 * first.
 */
import type { PackableFile } from './packSelection';
import type { StoredFile } from './indexStore';
import type { IndexParsers } from './indexParsers';
import { CandidateQueue } from './candidateQueue';
import type { ParsedFile } from './sourceText';
import type { FileCandidate, SkipReason, WorkspaceScanner } from './workspaceScanner';

export interface IndexedFile extends StoredFile, PackableFile {
  readonly absolutePath: string;
  /** Unsaved editor contents, which take the place of the file on disk. */
  readonly unsaved?: string;
}

export type IndexProgress =
  | { readonly phase: 'scanning'; readonly filesFound: number }
  | { readonly phase: 'parsing'; readonly filesDone: number; readonly filesTotal: number };

/** Parsing yields to the event loop this often, so the engine keeps answering requests during a scan. */
const YIELD_EVERY_MS = 20;
/**
 * Files sent to the parser before the oldest is taken back: enough to keep every parser thread busy while
 * this thread reads, few enough to hold only a few files' contents.
 */
const PARSE_AHEAD = 64;
const PROGRESS_EVERY_MS = 100;

export interface WorkspaceScan {
  /** In walk order. */
  readonly entries: Map<string, IndexedFile>;
  readonly skipped: Map<string, SkipReason>;
  /** Files taken over unchanged, files parsed, and files read (parsed, or re-read and found unchanged). */
  readonly reused: number;
  readonly parsed: number;
  readonly filesRead: number;
}

/**
 * Walks the scanner's roots. `previous` is what the stored index knows (files whose size, mtime and language
 * match are taken over unread); `current` holds the index's entries now, whose unsaved editor contents stay.
 */
export async function scanWorkspace(
  scanner: WorkspaceScanner,
  parsers: IndexParsers,
  { previous, current }: { previous: ReadonlyMap<string, StoredFile>; current: ReadonlyMap<string, IndexedFile> },
  onProgress: ((progress: IndexProgress) => void) | undefined,
  signal: AbortSignal | undefined,
): Promise<WorkspaceScan> {
  const report = throttled(onProgress);
  const indexedNow = new Map<string, IndexedFile>();
  const readSkips: [string, SkipReason][] = [];
  let reused = 0;
  let parsed = 0;
  // Files are read (and parsed) while the walk goes on; those the cache or the editor knows are taken over.
  const toRead = new CandidateQueue();
  const walking = scanner
    .walk((filesFound, candidate) => {
      report({ phase: 'scanning', filesFound });
      const inEditor = current.get(candidate.path);
      const known = previous.get(candidate.path);
      if (inEditor?.unsaved !== undefined) indexedNow.set(candidate.path, inEditor);
      else if (
        known !== undefined &&
        known.size === candidate.size &&
        known.mtimeMs === candidate.mtimeMs &&
        known.languageId === candidate.languageId
      ) {
        indexedNow.set(candidate.path, { ...known, ...candidate, outline: known.symbols.outline });
        reused++;
      } else toRead.push(candidate);
    }, signal)
    .finally(() => toRead.end());
  walking.catch(() => undefined); // its error is thrown where it is awaited, below

  // Parser threads pay off for a big scan only: decide once the walk has found enough files, or ended.
  await toRead.waitForParseable(parsers.filesToChoose);
  const read = parsers.readerFor(toRead.parseableFiles, scanner.maxFileBytes);
  // At most PARSE_AHEAD files in flight, taken back oldest first.
  const ahead: {
    readonly candidate: FileCandidate;
    readonly known: StoredFile | undefined;
    readonly file: Promise<ParsedFile>;
  }[] = [];
  let done = 0;
  const takeOldest = async (): Promise<void> => {
    const { candidate, known, file } = ahead.shift()!;
    const result = await file;
    if ('skip' in result) readSkips.push([candidate.path, result.skip]);
    else {
      // No symbols: the contents hash to what the stored index knows.
      const symbols = result.symbols ?? known!.symbols;
      indexedNow.set(candidate.path, {
        ...candidate,
        size: result.size,
        hash: result.hash,
        symbols,
        outline: symbols.outline,
      });
      if (result.symbols !== undefined) parsed++;
      else reused++;
    }
    done++;
    if (toRead.walkEnded) report({ phase: 'parsing', filesDone: done, filesTotal: toRead.size });
  };
  let lastYield = performance.now();
  for (let candidate = await toRead.take(); candidate !== undefined; candidate = await toRead.take()) {
    signal?.throwIfAborted();
    const stored = previous.get(candidate.path);
    const known = stored?.languageId === candidate.languageId ? stored : undefined;
    const file = read({
      path: candidate.absolutePath,
      languageId: candidate.languageId,
      ...(known !== undefined && { knownHash: known.hash }),
    });
    file.catch(() => undefined); // awaited in turn; left behind only when the scan stops early
    ahead.push({ candidate, known, file });
    while (ahead.length > PARSE_AHEAD) await takeOldest();
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      await new Promise((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
  }
  while (ahead.length > 0) await takeOldest();
  const walked = await walking;
  // In walk order, whatever order reading finished in.
  const entries = new Map<string, IndexedFile>();
  for (const { path } of walked.candidates) {
    const file = indexedNow.get(path);
    if (file !== undefined) entries.set(path, file);
  }
  const skipped = new Map<string, SkipReason>([
    ...walked.skipped.map((entry) => [entry.path, entry.reason] as const),
    ...readSkips,
  ]);
  report.flush();
  // Unsaved editor contents the walk cannot see (a new file not yet saved) stay while the rules allow them.
  for (const file of current.values()) {
    if (file.unsaved === undefined || entries.has(file.path)) continue;
    const inspection = await scanner.inspectUnsaved(file.path, file.unsaved);
    if (inspection?.kind === 'file') entries.set(file.path, file);
  }
  return { entries, skipped, reused, parsed, filesRead: toRead.size };
}

/** Calls `report` at most every PROGRESS_EVERY_MS; `flush` sends the last value held back. */
function throttled(
  report: ((progress: IndexProgress) => void) | undefined,
): ((progress: IndexProgress) => void) & { flush(): void } {
  let last = 0;
  let pending: IndexProgress | undefined;
  const send = (progress: IndexProgress): void => {
    const now = performance.now();
    if (now - last >= PROGRESS_EVERY_MS) {
      last = now;
      pending = undefined;
      report?.(progress);
    } else pending = progress;
  };
  return Object.assign(send, { flush: () => pending !== undefined && report?.(pending) });
}

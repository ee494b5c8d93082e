/**
 * Fits ranked files into a token budget, in passes over the files in rank order: whole files (up to
 * WHOLE_FILES_SHARE of the room, so the rest of the repository still shows), outlines of the others (keeping
 * room for their paths), their paths, then whole files and outlines again with whatever room is left. The
 * block never exceeds the budget: every piece is counted with the real counter and the pieces split exactly
 * (see contextFormat.ts).
 *
 * Emitted for prefix-cache stability, not in rank order: the selected whole files and outlines from least to
 * most recently modified (ties by path), paths alphabetically, the summary last. Editing one file moves it to
 * the end of its section, so the block before its old position is unchanged and the model's KV cache of that
 * prefix stays valid, as long as the edit does not change which files are selected.
 */
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { contextFormat, type ContextFormatName } from './contextFormat';
import { PackSelection, type ContentReader, type PackableFile, type Piece } from './packSelection';
import { TokenCountCache, type TokenCounter } from './tokenCountCache';

export const MIN_BUDGET_TOKENS = 256;
export const MAX_BUDGET_TOKENS = 262_144;
/** Whole files stop here in the first pass, leaving room for outlines and paths of the rest. */
const WHOLE_FILES_SHARE = 0.8;
/** No single file may take more of the budget than this. */
const MAX_WHOLE_FILE_SHARE = 0.5;
/** Outlines leave room for the paths of the files not shown whole, up to this share of what whole files left. */
const PATHS_MAX_SHARE = 0.5;
const MAX_REPO_NAME_CHARS = 100;

export interface PackRequest {
  /** Tokens, MIN_BUDGET_TOKENS…MAX_BUDGET_TOKENS. */
  readonly budget: number;
  readonly repoName: string;
  /** Default `qwen`. */
  readonly format?: ContextFormatName;
}

export interface PackStats {
  readonly filesWhole: number;
  readonly filesOutlined: number;
  readonly filesListed: number;
  /** Not even listed by path. */
  readonly filesOmitted: number;
  readonly tokens: number;
  readonly budget: number;
  readonly elapsedMs: number;
}

export interface PackResult {
  readonly text: string;
  readonly stats: PackStats;
}

export function checkBudget(budget: number): void {
  if (!Number.isSafeInteger(budget) || budget < MIN_BUDGET_TOKENS || budget > MAX_BUDGET_TOKENS) {
    throw new EngineError(
      EngineErrorCode.InvalidParams,
      `A context budget of ${budget} tokens is outside ${MIN_BUDGET_TOKENS}…${MAX_BUDGET_TOKENS}`,
      `Ask for a whole number of tokens between ${MIN_BUDGET_TOKENS} and ${MAX_BUDGET_TOKENS}.`,
    );
  }
}

/** Packs blocks for one token counter, remembering piece counts between calls. */
export class ContextPacker {
  private readonly counts: TokenCountCache;

  constructor(counter: TokenCounter) {
    this.counts = new TokenCountCache(counter);
  }

  /** `ranked`: most relevant first. */
  pack<F extends PackableFile>(
    ranked: readonly F[],
    request: PackRequest,
    readContent: ContentReader<F>,
    signal?: AbortSignal,
  ): PackResult {
    const started = performance.now();
    checkBudget(request.budget);
    this.counts.nextGeneration();
    const format = contextFormat(request.format ?? 'qwen');
    const header = format.header(request.repoName.slice(0, MAX_REPO_NAME_CHARS));
    const n = ranked.length;
    const longestTrailer =
      this.counts.count(format.listHeader(n)) +
      this.counts.count(format.summary({ whole: n, outlined: n, listed: n, omitted: n }));
    const room = request.budget - this.counts.count(header) - longestTrailer;
    if (room < 0) {
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        `A context budget of ${request.budget} tokens cannot hold even the block's header and summary`,
        'Ask for a larger budget.',
      );
    }

    const selection = new PackSelection(ranked, format, this.counts, readContent, signal);
    const maxFileTokens = Math.floor(request.budget * MAX_WHOLE_FILE_SHARE);
    selection.addWholeFiles(Math.floor(room * WHOLE_FILES_SHARE), maxFileTokens);
    const pathReserve = Math.min(
      selection.estimatedPathTokens(),
      Math.floor((room - selection.usedTokens) * PATHS_MAX_SHARE),
    );
    selection.addOutlines(room - pathReserve);
    selection.addPaths(room);
    selection.addWholeFiles(room, maxFileTokens);
    selection.addOutlines(room);

    const shown = [...selection.pieces.values()];
    const byAge = (a: Piece<F>, b: Piece<F>): number =>
      a.file.mtimeMs - b.file.mtimeMs || comparePaths(a.file.path, b.file.path);
    const whole = shown.filter((p) => p.rendering === 'whole').sort(byAge);
    const outlined = shown.filter((p) => p.rendering === 'outlined').sort(byAge);
    const listed = shown.filter((p) => p.rendering === 'listed').sort((a, b) => comparePaths(a.file.path, b.file.path));
    const counts = { whole: whole.length, outlined: outlined.length, listed: listed.length, omitted: n - shown.length };
    const listHeader = format.listHeader(listed.length);
    const summary = format.summary(counts);
    const tokens =
      this.counts.count(header) + selection.usedTokens + this.counts.count(listHeader) + this.counts.count(summary);
    if (tokens > request.budget) {
      // Unreachable with a sane tokenizer: the list header and summary were reserved at their longest.
      throw new EngineError(
        EngineErrorCode.InternalError,
        `Packed ${tokens} tokens into a budget of ${request.budget}`,
      );
    }
    const text = [
      header,
      ...[...whole, ...outlined].map((p) => p.text),
      listHeader,
      ...listed.map((p) => p.text),
      summary,
    ].join('');
    return {
      text,
      stats: {
        filesWhole: counts.whole,
        filesOutlined: counts.outlined,
        filesListed: counts.listed,
        filesOmitted: counts.omitted,
        tokens,
        budget: request.budget,
        elapsedMs: performance.now() - started,
      },
    };
  }
}

/** Code-unit order, the same on every platform and locale. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

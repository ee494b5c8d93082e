/**
 * Fits a repository into a token budget in two parts. The overview, the same bytes for every request at a
 * budget: the repository map (it changes only when files come or go), then the files an unfocused ranking puts
 * first (README, manifests, entry points, central code) whole or as outlines, emitted least recently modified
 * first so that an edit changes the block only from the edited file on. Then the request's part: the files its
 * ranking puts first whole, or as excerpts of the definitions that match the question, then outlines of their
 * neighbours, most relevant last. The block never exceeds the budget: every piece is counted with the real
 * counter (see contextFormat.ts).
 */
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { DEFAULT_QUESTION_SHARE } from '../../shared/wire/contextParamsSchemas';
import { contextFormat, type ContextFormat, type ContextFormatName } from './contextFormat';
import type { SymbolDefinition } from './fileSymbols';
import { languageById } from './languages';
import {
  coarseCharge,
  PackSelection,
  type ContentReader,
  type PackableFile,
  type Piece,
  type Rendering,
} from './packSelection';
import type { RepositoryMap } from './repositoryMap';
import { renderExcerpt, renderHead } from './retrieval/excerpt';
import { TokenCountCache, type TokenCounter } from './tokenCountCache';

export const MIN_BUDGET_TOKENS = 256;
export const MAX_BUDGET_TOKENS = 262_144;
/** The map's share of the overview at most. */
const MAP_SHARE = 0.3;
/** Whole files and excerpts stop here in each part, leaving room for outlines of the rest. */
const WHOLE_FILES_SHARE = 0.8;
/** No single file may take more of its part than this. */
const MAX_OVERVIEW_FILE_SHARE = 0.35;
const MAX_REQUEST_FILE_SHARE = 0.5;
/** A request's file is shown whole up to this share of the part; a larger one as an excerpt. */
const MAX_REQUEST_WHOLE_FILE_SHARE = 0.3;
/** The request's best files, whole or as excerpts, stop here; small excerpts of further matches at the next. */
const TOP_FILES_SHARE = 0.6;
const MATCHES_SHARE = 0.85;
/** Each small excerpt of a further match takes at most this share of the part. */
const MATCH_EXCERPT_SHARE = 0.08;
/** How far down the request's ranking small excerpts are looked for. */
const MAX_MATCH_EXCERPTS_SCANNED = 60;
/** Source code averages about 3.7 bytes per Qwen token: files estimated above the room are not even read. */
const ESTIMATED_BYTES_PER_TOKEN = 4;
/** Rendered text of fewer than one token per this many characters is not worth counting when it cannot fit. */
const MAX_CHARS_PER_TOKEN = 8;
/** Map lines are paths and short names: about 3 characters per token. */
const MAP_CHARS_PER_TOKEN = 3;
/** After this many files in a row were read and did not fit, the part is as full as whole files make it. */
const MAX_WHOLE_FILE_MISSES = 32;
const CANCELLATION_CHECK_EVERY = 256;
/** Shares of its room an excerpt is rendered for, in turn, until one fits. */
const EXCERPT_SHRINK_STEPS = [1, 0.75, 0.5, 0.3];
/** A rendering that came out over its cap is rendered again for this share of its target, scaled. */
const REFIT_SHARE = 0.95;
const MAX_REPO_NAME_CHARS = 100;

export interface PackRequest {
  /** Tokens, MIN_BUDGET_TOKENS…MAX_BUDGET_TOKENS. */
  readonly budget: number;
  readonly repoName: string;
  /** Default `qwen`. */
  readonly format?: ContextFormatName;
  /** The request's part's share of the room, 0…MAX_QUESTION_SHARE; the overview takes the rest. */
  readonly questionShare?: number;
}

export interface PackStats {
  readonly filesWhole: number;
  readonly filesExcerpted: number;
  readonly filesOutlined: number;
  /** Named in the map only. */
  readonly filesListed: number;
  /** Counted in the map, not named. */
  readonly filesOmitted: number;
  readonly tokens: number;
  /** Tokens of the overview: the prefix every request at this budget shares. */
  readonly overviewTokens: number;
  readonly budget: number;
  readonly elapsedMs: number;
}

/** Where a file went: the part, its place in that part's ranking, and how it is shown. */
export interface Placement {
  readonly path: string;
  readonly part: 'overview' | 'request';
  readonly rank: number;
  readonly rendering: Rendering;
}

export interface PackResult {
  readonly text: string;
  readonly stats: PackStats;
  readonly placements: readonly Placement[];
}

/** What to pack: the two rankings, and for a question, the definitions of a file that match it. */
export interface PackInput<F extends PackableFile> {
  /** The unfocused ranking, most relevant first. */
  readonly overview: readonly F[];
  /** This request's ranking; the overview's ranking continued when it has no focus. */
  readonly request: readonly F[];
  readonly map: RepositoryMap;
  readonly readContent: ContentReader<F>;
  /** The file's definitions that match the question, best first; none without a question. */
  readonly matches?: (file: F, content: string) => readonly SymbolDefinition[];
  readonly definitions: (file: F) => readonly SymbolDefinition[];
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
  private lastMap: { map: RepositoryMap; maxTokens: number; text: string; named: number } | undefined;

  constructor(counter: TokenCounter) {
    this.counts = new TokenCountCache(counter);
  }

  pack<F extends PackableFile>(input: PackInput<F>, request: PackRequest, signal?: AbortSignal): PackResult {
    const started = performance.now();
    checkBudget(request.budget);
    const format = contextFormat(request.format ?? 'qwen');
    const header = format.header(request.repoName.slice(0, MAX_REPO_NAME_CHARS));
    const files = input.map.fileCount;
    const most = { whole: files, excerpts: files, outlined: files };
    const longestSummary = format.summary({ overview: most, request: most, named: files, files });
    const room = request.budget - this.counts.count(header) - this.counts.count(longestSummary);
    if (room < 0) {
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        `A context budget of ${request.budget} tokens cannot hold even the block's header and summary`,
        'Ask for a larger budget.',
      );
    }
    const fence = (file: F): string => languageById(file.languageId).fence;

    // The overview: the map's room is set aside first (it says what exists), files take the rest.
    const overviewRoom = Math.floor(room * (1 - (request.questionShare ?? DEFAULT_QUESTION_SHARE)));
    const map = this.mapPiece(input.map, format, Math.floor(overviewRoom * MAP_SHARE));
    // Charged coarsely, so that an edit which changes a piece by a few tokens leaves the other choices as they were.
    const overview = new PackSelection(input.overview, this.counts, coarseCharge);
    const overviewFiles = overviewRoom - coarseCharge(map.tokens);
    this.addOverviewFiles(overview, input, format, fence, overviewFiles, signal);
    this.addOutlines(overview, format, fence, overviewFiles, signal);

    // The request's part, in the room the overview left.
    // Files the overview shows whole, or as a document's first lines, are not shown again.
    const covered = new Set(
      [...overview.pieces.values()]
        .filter((p) => p.rendering === 'whole' || p.file.outline === '')
        .map((p) => p.file.path),
    );
    const candidates = input.request.filter((file) => !covered.has(file.path));
    const part = new PackSelection(candidates, this.counts);
    // The overview's rounding is not given to the request's part, whose tokens every new question computes.
    const partRoom = room - overview.usedTokens - coarseCharge(map.tokens);
    this.addRequestFiles(part, input, format, fence, partRoom, signal);
    this.addOutlines(part, format, fence, partRoom, signal);

    const byAge = (a: Piece<F>, b: Piece<F>): number =>
      a.file.mtimeMs - b.file.mtimeMs || comparePaths(a.file.path, b.file.path);
    const overviewPieces = [...overview.pieces.values()].sort(byAge);
    const partPieces = [...part.pieces.values()].sort((a, b) => b.rank - a.rank);
    const shownPaths = new Set([...overviewPieces, ...partPieces].map((p) => p.file.path));
    const counted = (pieces: Piece<F>[], rendering: Rendering): number =>
      pieces.filter((p) => p.rendering === rendering).length;
    const partCounts = (pieces: Piece<F>[]) => ({
      whole: counted(pieces, 'whole'),
      excerpts: counted(pieces, 'excerpt'),
      outlined: counted(pieces, 'outlined'),
    });
    const summary = format.summary({
      overview: partCounts(overviewPieces),
      request: partCounts(partPieces),
      named: map.named,
      files,
    });
    const overviewTokens = this.counts.count(header) + overview.shownTokens + map.tokens;
    const tokens = overviewTokens + part.usedTokens + this.counts.count(summary);
    if (tokens > request.budget) {
      // Unreachable with a sane tokenizer: the summary was reserved at its longest.
      throw new EngineError(
        EngineErrorCode.InternalError,
        `Packed ${tokens} tokens into a budget of ${request.budget}`,
      );
    }
    const text = [
      header,
      map.text,
      ...overviewPieces.map((p) => p.text),
      ...partPieces.map((p) => p.text),
      summary,
    ].join('');
    const richest = new Map<string, Rendering>();
    for (const piece of [...overviewPieces, ...partPieces]) {
      const current = richest.get(piece.file.path);
      if (current === undefined || RENDERINGS.indexOf(piece.rendering) > RENDERINGS.indexOf(current))
        richest.set(piece.file.path, piece.rendering);
    }
    const richCount = (rendering: Rendering): number => [...richest.values()].filter((r) => r === rendering).length;
    return {
      text,
      stats: {
        filesWhole: richCount('whole'),
        filesExcerpted: richCount('excerpt'),
        filesOutlined: richCount('outlined'),
        filesListed: Math.max(0, map.named - shownPaths.size),
        filesOmitted: files - Math.max(map.named, shownPaths.size),
        tokens,
        overviewTokens,
        budget: request.budget,
        elapsedMs: performance.now() - started,
      },
      placements: [
        ...[...overview.pieces.values()].map((p) => placement(p, 'overview')),
        ...[...part.pieces.values()].map((p) => placement(p, 'request')),
      ].sort((a, b) => (a.part === b.part ? a.rank - b.rank : a.part === 'overview' ? -1 : 1)),
    };
  }

  /** The map at the most `maxTokens` it can be, cached while the map and the room stay the same. */
  private mapPiece(
    map: RepositoryMap,
    format: ContextFormat,
    maxTokens: number,
  ): { text: string; tokens: number; named: number } {
    let cached = this.lastMap;
    if (cached === undefined || cached.map !== map || cached.maxTokens !== maxTokens) {
      let maxChars = maxTokens * MAP_CHARS_PER_TOKEN;
      let rendering = map.fit(maxChars);
      while (this.counts.count(format.map(rendering.text)) > maxTokens && maxChars > 0) {
        maxChars = Math.floor(maxChars * 0.8);
        rendering = map.fit(maxChars);
      }
      cached = { map, maxTokens, text: format.map(rendering.text), named: rendering.filesNamed };
      this.lastMap = cached;
    }
    const tokens = this.counts.count(cached.text);
    return tokens > maxTokens ? { text: '', tokens: 0, named: 0 } : { text: cached.text, tokens, named: cached.named };
  }

  /** The overview's files in rank order, whole or a document's first lines, within WHOLE_FILES_SHARE. */
  private addOverviewFiles<F extends PackableFile>(
    overview: PackSelection<F>,
    input: PackInput<F>,
    format: ContextFormat,
    fence: (file: F) => string,
    room: number,
    signal: AbortSignal | undefined,
  ): void {
    const limit = Math.floor(room * WHOLE_FILES_SHARE);
    const fileCap = Math.floor(room * MAX_OVERVIEW_FILE_SHARE);
    let misses = 0;
    for (let rank = 0; rank < overview.ranked.length && misses < MAX_WHOLE_FILE_MISSES; rank++) {
      if (rank % CANCELLATION_CHECK_EVERY === 0) signal?.throwIfAborted();
      if (overview.usedTokens >= limit) break;
      const file = overview.ranked[rank];
      const cap = Math.min(overview.available(rank, limit), fileCap);
      if (file.size / ESTIMATED_BYTES_PER_TOKEN > cap && file.outline !== '') continue;
      const content = input.readContent(file);
      if (content === undefined) continue;
      const shown =
        overview.tryAdd(rank, 'whole', format.wholeFile(file.path, content, fence(file)), limit, cap) ||
        (file.outline === '' &&
          this.addExcerpt(overview, rank, (tokens) => renderHead(content, tokens), format, fence(file), limit, cap));
      misses = shown ? 0 : misses + 1;
    }
  }

  /**
   * The request's files in rank order: whole when small enough, else the definitions that match the question
   * inside the outline (a document: its first lines), within TOP_FILES_SHARE of the part; then, further down
   * the ranking (and for files whose best match did not fit above), the matches alone in small excerpts.
   */
  private addRequestFiles<F extends PackableFile>(
    part: PackSelection<F>,
    input: PackInput<F>,
    format: ContextFormat,
    fence: (file: F) => string,
    partRoom: number,
    signal: AbortSignal | undefined,
  ): void {
    const matchesOf = new Map<number, readonly SymbolDefinition[]>();
    const top = Math.floor(partRoom * (input.matches === undefined ? WHOLE_FILES_SHARE : TOP_FILES_SHARE));
    let misses = 0;
    for (let rank = 0; rank < part.ranked.length && misses < MAX_WHOLE_FILE_MISSES; rank++) {
      if (rank % CANCELLATION_CHECK_EVERY === 0) signal?.throwIfAborted();
      if (part.usedTokens >= top) break;
      const file = part.ranked[rank];
      const cap = Math.min(part.available(rank, top), Math.floor(partRoom * MAX_REQUEST_FILE_SHARE));
      const content = input.readContent(file);
      if (content === undefined) continue;
      let shown =
        file.size / ESTIMATED_BYTES_PER_TOKEN <= Math.min(cap, partRoom * MAX_REQUEST_WHOLE_FILE_SHARE) &&
        part.tryAdd(rank, 'whole', format.wholeFile(file.path, content, fence(file)), top, cap);
      const matches = shown ? [] : (input.matches?.(file, content) ?? []);
      matchesOf.set(rank, matches);
      if (!shown && (matches.length > 0 || file.outline === '')) {
        const definitions = input.definitions(file);
        const render = (room: number): string | undefined =>
          matches.length > 0
            ? renderExcerpt({ content, definitions }, matches, room, { requireBest: true })
            : renderHead(content, room);
        shown = this.addExcerpt(part, rank, render, format, fence(file), top, cap);
      }
      misses = shown ? 0 : misses + 1;
    }
    if (input.matches === undefined) return;
    const limit = Math.floor(partRoom * MATCHES_SHARE);
    const cap = Math.floor(partRoom * MATCH_EXCERPT_SHARE);
    for (let rank = 0; rank < Math.min(part.ranked.length, MAX_MATCH_EXCERPTS_SCANNED); rank++) {
      if (part.usedTokens >= limit) break;
      if (part.rendering(rank) !== undefined) continue;
      const file = part.ranked[rank];
      const content = input.readContent(file);
      if (content === undefined) continue;
      const matches = matchesOf.get(rank) ?? input.matches(file, content);
      if (matches.length === 0) continue;
      const definitions = input.definitions(file);
      const render = (room: number): string | undefined =>
        renderExcerpt({ content, definitions }, matches, room, { outline: false });
      this.addExcerpt(part, rank, render, format, fence(file), limit, cap);
    }
  }

  /**
   * An excerpt of file `rank` rendered for at most `cap` tokens, or for less when the rendering's estimate
   * proved short of the real count (URLs and data take more tokens per character than code). A rendering over the
   * cap is rendered once more, scaled by how far over it was, before a smaller share is tried.
   */
  private addExcerpt<F extends PackableFile>(
    selection: PackSelection<F>,
    rank: number,
    render: (maxTokens: number) => string | undefined,
    format: ContextFormat,
    fence: string,
    limit: number,
    cap: number,
  ): boolean {
    const piece = (tokens: number): string | undefined => {
      const excerpt = render(tokens);
      return excerpt === undefined ? undefined : format.excerpt(selection.ranked[rank].path, excerpt, fence);
    };
    for (const share of EXCERPT_SHRINK_STEPS) {
      const target = Math.floor(cap * share);
      let text = piece(target);
      if (text === undefined) return false;
      const tokens = this.counts.count(text);
      if (tokens > cap) text = piece(Math.floor((REFIT_SHARE * target * cap) / tokens)) ?? text;
      if (selection.tryAdd(rank, 'excerpt', text, limit, cap, target)) return true;
    }
    return false;
  }

  /** Outlines in rank order, for files not shown more richly, within `limit`. */
  private addOutlines<F extends PackableFile>(
    selection: PackSelection<F>,
    format: ContextFormat,
    fence: (file: F) => string,
    limit: number,
    signal: AbortSignal | undefined,
  ): void {
    selection.ranked.forEach((file, rank) => {
      if (rank % CANCELLATION_CHECK_EVERY === 0) signal?.throwIfAborted();
      if (file.outline === '' || selection.rendering(rank) !== undefined) return;
      if (file.outline.length / MAX_CHARS_PER_TOKEN > selection.available(rank, limit)) return;
      selection.tryAdd(rank, 'outlined', format.outline(file.path, file.outline, fence(file)), limit);
    });
  }
}

const RENDERINGS: readonly Rendering[] = ['outlined', 'excerpt', 'whole'];

function placement<F extends PackableFile>(piece: Piece<F>, part: Placement['part']): Placement {
  return { path: piece.file.path, part, rank: piece.rank, rendering: piece.rendering };
}

/** Code-unit order, the same on every platform and locale. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

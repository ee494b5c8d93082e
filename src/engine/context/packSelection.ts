/**
 * Which files a context block shows, and how: whole, as an outline, or by path. Each file has at most one
 * rendering; a pass can upgrade a file to a richer one when the difference fits. Counts every rendering it
 * tries with the token counter, and never lets the selection outgrow the room it was given.
 */
import type { ContextFormat } from './contextFormat';
import { languageById } from './languages';
import type { TokenCounter } from './tokenCountCache';

export interface PackableFile {
  readonly path: string;
  readonly mtimeMs: number;
  /** Bytes, for estimating before reading. */
  readonly size: number;
  readonly languageId: string;
  /** From outline.ts; '' for files without definitions. */
  readonly outline: string;
}

/** Current contents of a file, or undefined when it cannot be read any more (it is then not shown whole). */
export type ContentReader<F extends PackableFile> = (file: F) => string | undefined;

export type Rendering = 'listed' | 'outlined' | 'whole';

export interface Piece<F extends PackableFile> {
  readonly rank: number;
  readonly file: F;
  readonly rendering: Rendering;
  readonly text: string;
  readonly tokens: number;
}

const RICHNESS: Readonly<Record<Rendering, number>> = { listed: 1, outlined: 2, whole: 3 };
/** Source code averages about 3.7 bytes per Qwen token: files estimated above the room are not even read. */
const ESTIMATED_BYTES_PER_TOKEN = 4;
/** Rendered text of fewer than one token per this many characters is not worth counting when it cannot fit. */
const MAX_CHARS_PER_TOKEN = 8;
/** After this many files in a row were read and did not fit, the budget is as full as whole files make it. */
const MAX_WHOLE_FILE_MISSES = 32;
const CANCELLATION_CHECK_EVERY = 256;

export class PackSelection<F extends PackableFile> {
  readonly pieces = new Map<number, Piece<F>>();
  private used = 0;

  constructor(
    private readonly ranked: readonly F[],
    private readonly format: ContextFormat,
    private readonly counter: TokenCounter,
    private readonly readContent: ContentReader<F>,
    private readonly signal: AbortSignal | undefined,
  ) {}

  get usedTokens(): number {
    return this.used;
  }

  /** Whole files in rank order while the selection stays within `limit`, none above `maxFileTokens`. */
  addWholeFiles(limit: number, maxFileTokens: number): void {
    let misses = 0;
    for (let rank = 0; rank < this.ranked.length && misses < MAX_WHOLE_FILE_MISSES; rank++) {
      if (rank % CANCELLATION_CHECK_EVERY === 0) this.signal?.throwIfAborted();
      const file = this.ranked[rank];
      const available = Math.min(this.available(rank, limit), maxFileTokens);
      if (this.pieces.get(rank)?.rendering === 'whole' || file.size / ESTIMATED_BYTES_PER_TOKEN > available) continue;
      const content = this.readContent(file);
      const added =
        content !== undefined &&
        this.tryAdd(rank, 'whole', this.format.wholeFile(file.path, content, fence(file)), limit, maxFileTokens);
      misses = added ? 0 : misses + 1;
    }
  }

  /** Outlines in rank order, for files shown less richly, within `limit`. */
  addOutlines(limit: number): void {
    this.addEach(
      'outlined',
      limit,
      (file) => file.outline.length,
      (file) => (file.outline === '' ? undefined : this.format.outline(file.path, file.outline, fence(file))),
    );
  }

  /** Paths of files not shown otherwise, in rank order, within `limit`. */
  addPaths(limit: number): void {
    this.addEach(
      'listed',
      limit,
      (file) => file.path.length,
      (file) => this.format.listedPath(file.path),
    );
  }

  /** A rough token count of the paths of the files not shown whole, to keep room for them. */
  estimatedPathTokens(): number {
    let tokens = 0;
    this.ranked.forEach((file, rank) => {
      if (this.pieces.get(rank)?.rendering !== 'whole') tokens += Math.ceil(file.path.length / 3) + 1;
    });
    return tokens;
  }

  /** `length` bounds the rendering's length from below, to skip rendering what cannot fit (most files, once full). */
  private addEach(
    rendering: Rendering,
    limit: number,
    length: (file: F) => number,
    render: (file: F) => string | undefined,
  ): void {
    for (let rank = 0; rank < this.ranked.length; rank++) {
      if (rank % CANCELLATION_CHECK_EVERY === 0) this.signal?.throwIfAborted();
      const file = this.ranked[rank];
      if (length(file) / MAX_CHARS_PER_TOKEN > this.available(rank, limit)) continue;
      const text = render(file);
      if (text !== undefined) this.tryAdd(rank, rendering, text, limit);
    }
  }

  /**
   * Shows file `rank` as `rendering` if that is richer than now, takes at most `maxTokens`, and the difference
   * fits within `limit`.
   */
  private tryAdd(
    rank: number,
    rendering: Rendering,
    text: string,
    limit: number,
    maxTokens = Number.POSITIVE_INFINITY,
  ): boolean {
    const current = this.pieces.get(rank);
    if (current !== undefined && RICHNESS[current.rendering] >= RICHNESS[rendering]) return false;
    const available = Math.min(this.available(rank, limit), maxTokens);
    if (text.length / MAX_CHARS_PER_TOKEN > available) return false;
    const tokens = this.counter.count(text);
    if (tokens > available) return false;
    this.used += tokens - (current?.tokens ?? 0);
    this.pieces.set(rank, { rank, file: this.ranked[rank], rendering, text, tokens });
    return true;
  }

  /** Tokens file `rank` may take within `limit`, counting what its current rendering would give back. */
  private available(rank: number, limit: number): number {
    return limit - this.used + (this.pieces.get(rank)?.tokens ?? 0);
  }
}

function fence(file: PackableFile): string {
  return languageById(file.languageId).fence;
}

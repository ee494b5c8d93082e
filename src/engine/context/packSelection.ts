/**
 * Which files one part of a context block shows, and how: whole, as an excerpt, or as an outline. Each file
 * has at most one rendering; a later pass can upgrade a file to a richer one when the difference fits. Counts
 * every rendering it keeps with the token counter, and never lets the part outgrow the room it was given.
 */
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

export type Rendering = 'outlined' | 'excerpt' | 'whole';

export interface Piece<F extends PackableFile> {
  /** Place in the part's ranking, 0 first. */
  readonly rank: number;
  readonly file: F;
  readonly rendering: Rendering;
  readonly text: string;
  readonly tokens: number;
}

const RICHNESS: Readonly<Record<Rendering, number>> = { outlined: 1, excerpt: 2, whole: 3 };
/** Rendered text of fewer than one token per this many characters is not worth counting when it cannot fit. */
const MAX_CHARS_PER_TOKEN = 8;

export class PackSelection<F extends PackableFile> {
  readonly pieces = new Map<number, Piece<F>>();
  private used = 0;

  constructor(
    readonly ranked: readonly F[],
    private readonly counter: TokenCounter,
  ) {}

  get usedTokens(): number {
    return this.used;
  }

  rendering(rank: number): Rendering | undefined {
    return this.pieces.get(rank)?.rendering;
  }

  /** Tokens file `rank` may take within `limit`, counting what its current rendering would give back. */
  available(rank: number, limit: number): number {
    return limit - this.used + (this.pieces.get(rank)?.tokens ?? 0);
  }

  /**
   * Shows file `rank` as `rendering` if that is richer than now, takes at most `maxTokens`, and the difference
   * fits within `limit`.
   */
  tryAdd(
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
}

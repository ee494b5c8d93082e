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
  /** What it takes of the part's room: `tokens`, or more. */
  readonly charged: number;
}

/**
 * How much of a part's room a piece of `tokens` takes, rendered for at most `target` tokens when it was: exactly
 * its count, or more (see `coarseCharge`).
 */
export type Charge = (tokens: number, target?: number) => number;

const RICHNESS: Readonly<Record<Rendering, number>> = { outlined: 1, excerpt: 2, whole: 3 };
/** Steps per doubling of `coarseCharge`, and its smallest step. */
const STEPS_PER_OCTAVE = 8;
const MIN_STEP = 4;

/** Rendered text of fewer than one token per this many characters is not worth counting when it cannot fit. */
const MAX_CHARS_PER_TOKEN = 8;

/**
 * `tokens` rounded up to one of about 8 steps per doubling (5% more on average), or the target a piece was
 * rendered for when it fits it, so that a small edit seldom changes what a piece costs, and so the part's choice
 * of every other file stays the same.
 */
export function coarseCharge(tokens: number, target?: number): number {
  if (target !== undefined && tokens <= target) return target;
  const step = Math.max(MIN_STEP, 2 ** Math.floor(Math.log2(Math.max(1, tokens))) / STEPS_PER_OCTAVE);
  return Math.ceil(tokens / step) * step;
}

export class PackSelection<F extends PackableFile> {
  readonly pieces = new Map<number, Piece<F>>();
  /** What the pieces are charged, which limits compare with. */
  private used = 0;
  private shown = 0;

  constructor(
    readonly ranked: readonly F[],
    private readonly counter: TokenCounter,
    private readonly charge: Charge = (tokens) => tokens,
  ) {}

  /** What the pieces take of the room: at least `shownTokens`. */
  get usedTokens(): number {
    return this.used;
  }

  /** Tokens of the pieces' text. */
  get shownTokens(): number {
    return this.shown;
  }

  rendering(rank: number): Rendering | undefined {
    return this.pieces.get(rank)?.rendering;
  }

  /** Tokens file `rank` may take within `limit`, counting what its current rendering would give back. */
  available(rank: number, limit: number): number {
    return limit - this.used + (this.pieces.get(rank)?.charged ?? 0);
  }

  /**
   * Shows file `rank` as `rendering` if that is richer than now, is charged at most `maxTokens`, and the
   * difference fits within `limit`. `target`: the tokens `text` was rendered for, if it was.
   */
  tryAdd(
    rank: number,
    rendering: Rendering,
    text: string,
    limit: number,
    maxTokens = Number.POSITIVE_INFINITY,
    target?: number,
  ): boolean {
    const current = this.pieces.get(rank);
    if (current !== undefined && RICHNESS[current.rendering] >= RICHNESS[rendering]) return false;
    const available = Math.min(this.available(rank, limit), maxTokens);
    if (text.length / MAX_CHARS_PER_TOKEN > available) return false;
    const tokens = this.counter.count(text);
    const charged = this.charge(tokens, target);
    if (charged > available) return false;
    this.used += charged - (current?.charged ?? 0);
    this.shown += tokens - (current?.tokens ?? 0);
    this.pieces.set(rank, { rank, file: this.ranked[rank], rendering, text, tokens, charged });
    return true;
  }
}

/**
 * Remembers token counts of the pieces of recent context blocks, keyed by the text itself, so a re-pack after
 * a small change, or for another question, tokenizes only pieces it has not seen lately (a 256K-token block
 * takes the Qwen tokenizer most of a second). Least recently used pieces go first, beyond a size in characters.
 */

/** Counts tokens as the model's tokenizer would; in tests, any consistent estimate. */
export interface TokenCounter {
  count(text: string): number;
}

/** About four 256K-token blocks of distinct pieces (32 MB of keys). */
const MAX_CACHED_CHARS = 16_000_000;

export class TokenCountCache implements TokenCounter {
  /** In order of last use, oldest first. */
  private readonly counts = new Map<string, number>();
  private chars = 0;

  constructor(
    private readonly counter: TokenCounter,
    private readonly maxChars = MAX_CACHED_CHARS,
  ) {}

  count(text: string): number {
    let tokens = this.counts.get(text);
    if (tokens !== undefined) {
      this.counts.delete(text);
    } else {
      tokens = this.counter.count(text);
      this.chars += text.length;
    }
    this.counts.set(text, tokens);
    for (const [oldest] of this.counts) {
      if (this.chars <= this.maxChars) break;
      this.counts.delete(oldest);
      this.chars -= oldest.length;
    }
    return tokens;
  }
}

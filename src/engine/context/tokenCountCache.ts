/**
 * Remembers token counts of the pieces of recent context blocks, keyed by the text itself, so a re-pack after
 * a small change tokenizes only what changed (a 256K-token block takes the Qwen tokenizer most of a second).
 * Holds the pieces of the last two blocks: what neither used is dropped.
 */

/** Counts tokens as the model's tokenizer would; in tests, any consistent estimate. */
export interface TokenCounter {
  count(text: string): number;
}

export class TokenCountCache implements TokenCounter {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();

  constructor(private readonly counter: TokenCounter) {}

  count(text: string): number {
    let tokens = this.current.get(text);
    if (tokens !== undefined) return tokens;
    tokens = this.previous.get(text) ?? this.counter.count(text);
    this.current.set(text, tokens);
    return tokens;
  }

  /** Starts a new block: counts not used since the previous call are forgotten at the next one. */
  nextGeneration(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

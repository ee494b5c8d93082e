import type { DecodeOptions, Tokenizer } from './tokenizer';

const REPLACEMENT_CHARACTER = '\uFFFD';

/**
 * Turns generated tokens into text one token at a time without ever emitting half a character: with
 * byte-level BPE one emoji or CJK character often spans several tokens, and decoding a token alone yields
 * U+FFFD. The approach of Hugging Face text-generation-inference and vLLM: decode a short window
 * `[prefixOffset, end)` and emit only what it adds to `[prefixOffset, readOffset)`, holding back while the
 * window still ends in an incomplete sequence. Each step decodes a few tokens, not the whole output.
 */
export class StreamDecoder {
  private readonly ids: number[] = [];
  /** Start of the window decoded for context; its text was emitted already. */
  private prefixOffset = 0;
  /** End of the tokens whose text has been emitted. */
  private readOffset = 0;

  constructor(
    private readonly tokenizer: Pick<Tokenizer, 'decode'>,
    private readonly options: DecodeOptions = {},
  ) {}

  /** The new text that `id` completes; empty while a character is still incomplete. */
  push(id: number): string {
    this.ids.push(id);
    const prefixText = this.decode(this.prefixOffset, this.readOffset);
    const text = this.decode(this.prefixOffset, this.ids.length);
    if (text.length <= prefixText.length || text.endsWith(REPLACEMENT_CHARACTER)) return '';
    this.prefixOffset = this.readOffset;
    this.readOffset = this.ids.length;
    return text.slice(prefixText.length);
  }

  /**
   * Whatever is still held back, once no more tokens will come. A sequence that never completed decodes to
   * U+FFFD, exactly as decoding the whole output at once would.
   */
  flush(): string {
    const prefixText = this.decode(this.prefixOffset, this.readOffset);
    const text = this.decode(this.prefixOffset, this.ids.length);
    this.prefixOffset = this.readOffset = this.ids.length;
    return text.slice(prefixText.length);
  }

  /** Every token pushed so far. */
  get tokenIds(): readonly number[] {
    return this.ids;
  }

  private decode(start: number, end: number): string {
    return start === end ? '' : this.tokenizer.decode(this.ids.slice(start, end), this.options);
  }
}

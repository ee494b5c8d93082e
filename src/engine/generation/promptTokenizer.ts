import type { Tokenizer } from '../text/tokenizer';

/** Shorter texts are cheap to encode again; the memo is for the large blocks that repeat whole. */
const MIN_MEMO_CHARS = 4096;
const MEMO_ENTRIES = 8;

/**
 * The tokenizer as prompts use it, remembering the ids of the last few large plain texts. The repository
 * block opens every request unchanged, and encoding 256K tokens of it takes over a second (about 220K tokens
 * per second here): without the memo, a request whose prefix is cached would still wait that long.
 */
export class PromptTokenizer {
  /** In use order: the first entry is the least recently used. */
  private readonly memo = new Map<string, readonly number[]>();

  constructor(private readonly tokenizer: Pick<Tokenizer, 'encode' | 'encodePlainText' | 'tokenId'>) {}

  /** Text whose spelled-out control tokens are meant (template scaffolding): not memoized. */
  encode(text: string): readonly number[] {
    return this.tokenizer.encode(text);
  }

  /** Untrusted text: control tokens spelled out in it stay text. */
  encodePlainText(text: string): readonly number[] {
    if (text.length < MIN_MEMO_CHARS) return this.tokenizer.encodePlainText(text);
    let ids = this.memo.get(text);
    if (ids !== undefined) this.memo.delete(text);
    else ids = this.tokenizer.encodePlainText(text);
    this.memo.set(text, ids);
    if (this.memo.size > MEMO_ENTRIES) this.memo.delete(this.memo.keys().next().value!);
    return ids;
  }

  tokenId(token: string): number | undefined {
    return this.tokenizer.tokenId(token);
  }
}

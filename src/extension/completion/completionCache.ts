import { createHash } from 'node:crypto';

/** Where a cached answer belongs: the model and the text around the cursor. */
export interface CompletionCacheKey {
  /** The model (and prompt style) that wrote the answer. */
  readonly model: string;
  /** Everything above the cursor's line that the prompt shows. */
  readonly before: string;
  /** The cursor's line up to the cursor. */
  readonly linePrefix: string;
  /** The rest of the line and the lines below that the prompt shows. */
  readonly suffix: string;
}

export interface CacheHit {
  /** What to insert; '' when the model had nothing to suggest here. */
  readonly text: string;
  /** Characters typed since the answer was written, which matched its start and were taken off it. */
  readonly typedAhead: number;
}

/** How far back a typed-ahead lookup goes: a word or two. */
const MAX_TYPED_AHEAD = 64;

/**
 * Answers by prefix and suffix, least recently used evicted first. Backspacing and retyping find the answers
 * again, and typing the first characters of a suggestion finds the rest of it (as llama.vscode's cache does):
 * neither costs an engine request.
 */
export class CompletionCache {
  private readonly entries = new Map<string, string>();

  constructor(private readonly capacity = 500) {}

  get size(): number {
    return this.entries.size;
  }

  lookup(key: CompletionCacheKey): CacheHit | undefined {
    const context = contextHash(key);
    const exact = this.get(context, key.linePrefix);
    if (exact !== undefined) return { text: exact, typedAhead: 0 };
    const reach = Math.min(key.linePrefix.length, MAX_TYPED_AHEAD);
    for (let typedAhead = 1; typedAhead <= reach; typedAhead++) {
      const earlier = this.get(context, key.linePrefix.slice(0, key.linePrefix.length - typedAhead));
      const typed = key.linePrefix.slice(key.linePrefix.length - typedAhead);
      if (earlier !== undefined && earlier.length > typed.length && earlier.startsWith(typed)) {
        const text = earlier.slice(typed.length);
        this.set(context, key.linePrefix, text);
        return { text, typedAhead };
      }
    }
    return undefined;
  }

  store(key: CompletionCacheKey, text: string): void {
    this.set(contextHash(key), key.linePrefix, text);
  }

  clear(): void {
    this.entries.clear();
  }

  private get(context: string, linePrefix: string): string | undefined {
    const id = `${context}\u0000${linePrefix}`;
    const text = this.entries.get(id);
    if (text !== undefined) {
      this.entries.delete(id);
      this.entries.set(id, text);
    }
    return text;
  }

  private set(context: string, linePrefix: string, text: string): void {
    const id = `${context}\u0000${linePrefix}`;
    this.entries.delete(id);
    this.entries.set(id, text);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
  }
}

/** One hash of the slowly changing parts per lookup; the line prefix stays readable in the key. */
function contextHash({ model, before, suffix }: CompletionCacheKey): string {
  return createHash('sha1')
    .update(model)
    .update('\u0000')
    .update(before)
    .update('\u0000')
    .update(suffix)
    .digest('base64');
}

import type { KvRows } from '../onnx/kvCache';

/**
 * Keys and values of positions [from, to) of a token sequence, copied out of the decoder. They are valid
 * wherever positions [0, from) hold the same tokens: a snapshot extends a prefix that is live in the decoder
 * (or that another snapshot restores), so snapshots of one conversation form a chain, like the edges of
 * SGLang's radix tree, and a shared repository block is stored once.
 */
interface Snapshot {
  /** The sequence's tokens [0, to). */
  tokens: Int32Array;
  from: number;
  rows: KvRows;
  bytes: number;
}

export interface PrefixExtension {
  rows: KvRows;
  /** Where in `rows` the restored positions start. */
  offset: number;
  /** The sequence position after the restored ones. */
  end: number;
}

export interface PrefixCacheStats {
  entries: number;
  bytes: number;
  budgetBytes: number;
}

/** Most snapshots kept: each lookup compares the request with every one. */
const MAX_ENTRIES = 64;

/**
 * Saved key/value snapshots under a memory budget, least recently used evicted first. Each decoder sequence's
 * live tokens are the first prefix cache; this keeps what a switch to other tokens would otherwise destroy (a
 * chat paused for another conversation, a completion warm-up paused for a completion). Both sequences share it.
 */
export class PrefixCache {
  /** In use order: the first entry is the least recently used. */
  private readonly entries = new Set<Snapshot>();
  private usedBytes = 0;

  constructor(
    readonly budgetBytes: number,
    /** Bytes of keys and values one position takes. */
    private readonly bytesPerPosition: number,
  ) {}

  get stats(): PrefixCacheStats {
    return { entries: this.entries.size, bytes: this.usedBytes, budgetBytes: this.budgetBytes };
  }

  /**
   * The snapshot that carries a sequence whose first `matched` positions are in place furthest towards `limit`
   * (exclusive), if any gets past `matched`. It becomes the most recently used.
   */
  extend(tokens: ArrayLike<number>, matched: number, limit: number): PrefixExtension | undefined {
    let best: { snapshot: Snapshot; end: number } | undefined;
    for (const snapshot of this.entries) {
      if (snapshot.from > matched) continue;
      const end = Math.min(commonPrefixLength(tokens, snapshot.tokens, limit), snapshot.tokens.length);
      if (end > matched && end > (best?.end ?? 0)) best = { snapshot, end };
    }
    if (best === undefined) return undefined;
    this.touch(best.snapshot);
    return { rows: best.snapshot.rows, offset: matched - best.snapshot.from, end: best.end };
  }

  /** How far snapshots chained onto the first `matched` positions of `tokens` reach, without using them. */
  reach(tokens: ArrayLike<number>, matched: number): number {
    for (let progressed = true; progressed;) {
      progressed = false;
      for (const snapshot of this.entries) {
        if (snapshot.from > matched) continue;
        const end = Math.min(commonPrefixLength(tokens, snapshot.tokens, tokens.length), snapshot.tokens.length);
        if (end > matched) {
          matched = end;
          progressed = true;
        }
      }
    }
    return matched;
  }

  /**
   * Saves positions [from, to) of `tokens`, or as many of the first ones as the budget allows, evicting the
   * least recently used snapshots for room. `copy` reads them out of the decoder, which holds [0, to).
   * A snapshot of the same sequence ending at `from`, no longer than the new one, is absorbed into it: a
   * prefill cut into pieces by requests at every run keeps a chain of logarithmically many snapshots, not one
   * per switch, which would outgrow MAX_ENTRIES and lose its start to eviction.
   */
  save(tokens: ArrayLike<number>, from: number, to: number, copy: (from: number, to: number) => KvRows): void {
    for (let piece = this.endingAt(tokens, from); piece && piece.tokens.length - piece.from <= to - from;) {
      this.remove(piece);
      from = piece.from;
      piece = this.endingAt(tokens, from);
    }
    const perPosition = this.bytesPerPosition + Int32Array.BYTES_PER_ELEMENT;
    const tokenBytes = from * Int32Array.BYTES_PER_ELEMENT;
    const fits = Math.floor((this.budgetBytes - tokenBytes) / perPosition);
    to = Math.min(to, from + fits);
    if (to <= from) return;
    const bytes = tokenBytes + (to - from) * perPosition;
    for (const oldest of this.entries) {
      if (this.usedBytes + bytes <= this.budgetBytes && this.entries.size < MAX_ENTRIES) break;
      this.remove(oldest);
    }
    const snapshot: Snapshot = {
      tokens: Int32Array.from({ length: to }, (_, i) => tokens[i]),
      from,
      rows: copy(from, to),
      bytes,
    };
    this.entries.add(snapshot);
    this.usedBytes += bytes;
  }

  /** The snapshot of `tokens` that ends at `end`, if any. */
  private endingAt(tokens: ArrayLike<number>, end: number): Snapshot | undefined {
    for (const snapshot of this.entries) {
      if (snapshot.tokens.length === end && commonPrefixLength(tokens, snapshot.tokens, end) === end) return snapshot;
    }
    return undefined;
  }

  private touch(snapshot: Snapshot): void {
    this.entries.delete(snapshot);
    this.entries.add(snapshot);
  }

  private remove(snapshot: Snapshot): void {
    this.entries.delete(snapshot);
    this.usedBytes -= snapshot.bytes;
  }
}

/** Positions where `a` and `b` agree from the start, at most `limit`. */
export function commonPrefixLength(a: ArrayLike<number>, b: ArrayLike<number>, limit = Infinity): number {
  const end = Math.min(a.length, b.length, limit);
  let i = 0;
  while (i < end && a[i] === b[i]) i++;
  return i;
}

import type { OnnxDecoder } from '../onnx/onnxDecoder';
import type { Turn } from './decoderScheduler';
import { commonPrefixLength, type PrefixCache, type PrefixExtension } from './prefixCache';

/** What the cached decoder needs of the model runtime: one sequence's cache, and copies of its rows. */
export type SequenceDecoder = Pick<OnnxDecoder, 'length' | 'prefill' | 'truncate' | 'copyRows' | 'appendRows'>;

export interface Evaluation {
  /** The logits after the last token. */
  logits: Float32Array;
  /** Leading tokens that were already cached (live or restored from a snapshot) and were not computed. */
  cachedTokens: number;
  /** Tokens computed by the model. */
  computedTokens: number;
  /** Time spent on this sequence, other requests' turns excluded. */
  busyMs: number;
}

/**
 * How long one prefill run between two step boundaries should take at most: a more urgent request (a completion
 * during a chat's prefill) waits for the run in progress. Slower models get shorter runs, down to MIN_RUN_TOKENS.
 */
const TARGET_RUN_MS = 1000;
/** Shorter runs lose much to what each run costs whatever its length (the weights are read once a run). */
const MIN_RUN_TOKENS = 16;

export interface RunTiming {
  targetRunMs: number;
  now: () => number;
}

/**
 * The model's one decoder sequence, shared by every request: each evaluation reuses the longest prefix
 * already computed — the live sequence first (llama.cpp's cache_prompt), then snapshots in the prefix cache —
 * and computes only the rest, in chunks with a step boundary between them. Before the live sequence is cut
 * back for another request, its tail goes into the prefix cache, so a paused chat resumes by copying rows
 * back rather than recomputing them. At least the last token is always computed: the caller needs its logits.
 */
export class CachedDecoder {
  /** The tokens whose keys and values the decoder holds, position by position. */
  private readonly live: number[] = [];
  /** Of the last prefill run of at least MIN_RUN_TOKENS; unknown before the first. */
  private msPerToken: number | undefined;

  constructor(
    private readonly decoder: SequenceDecoder,
    private readonly cache: PrefixCache,
    /** Most tokens per prefill run between two step boundaries. */
    private readonly chunkTokens: number,
    private readonly timing: RunTiming = { targetRunMs: TARGET_RUN_MS, now: () => performance.now() },
  ) {}

  /**
   * The logits after `tokens`, computing only what no cache holds. Between chunks the turn may pass to a more
   * urgent request, which may replace the live sequence: the next chunk then starts by restoring it. Rejects
   * with the signal's reason on abort; what was computed by then stays cached.
   */
  async evaluate(tokens: readonly number[], turn: Turn, signal: AbortSignal): Promise<Evaluation> {
    if (tokens.length === 0) throw new RangeError('evaluate needs at least one token');
    let cachedTokens: number | undefined;
    let computedTokens = 0;
    let busyMs = 0;
    for (;;) {
      const started = this.timing.now();
      const matched = this.align(tokens);
      cachedTokens ??= matched;
      const end = Math.min(tokens.length, matched + this.runTokens());
      let logits: Float32Array;
      const runStarted = this.timing.now();
      try {
        logits = await this.decoder.prefill(tokens.slice(matched, end), signal);
        if (end - matched >= MIN_RUN_TOKENS) this.msPerToken = (this.timing.now() - runStarted) / (end - matched);
      } finally {
        // An aborted prefill keeps the chunks it ran.
        for (let i = this.live.length; i < this.decoder.length; i++) this.live.push(tokens[i]);
      }
      computedTokens += end - matched;
      busyMs += this.timing.now() - started;
      if (end === tokens.length) return { logits, cachedTokens, computedTokens, busyMs };
      await turn.yield(signal);
    }
  }

  /** Tokens for the next prefill run: the configured chunk, fewer when that would take over the target time. */
  private runTokens(): number {
    if (this.msPerToken === undefined) return this.chunkTokens;
    const inTime = Math.floor(this.timing.targetRunMs / this.msPerToken);
    return Math.min(this.chunkTokens, Math.max(MIN_RUN_TOKENS, inTime));
  }

  /**
   * Makes the decoder hold the longest cached prefix of `tokens` (short of the last token) and returns its
   * length: the live sequence's common prefix, then snapshots chained onto it.
   */
  private align(tokens: readonly number[]): number {
    const limit = tokens.length - 1;
    const kept = commonPrefixLength(this.live, tokens, limit);
    // Look the snapshots up before saving the live tail: saving may evict them, and the rows stay usable here.
    const extensions: PrefixExtension[] = [];
    for (
      let end = kept, next = this.cache.extend(tokens, end, limit);
      next !== undefined;
      end = next.end, next = this.cache.extend(tokens, end, limit)
    ) {
      extensions.push(next);
    }
    if (kept < this.live.length) {
      this.saveTail(kept);
      this.decoder.truncate(kept);
      this.live.length = kept;
    }
    for (const { rows, offset, end } of extensions) {
      const start = this.live.length;
      this.decoder.appendRows(rows, offset, end - start);
      for (let i = start; i < end; i++) this.live.push(tokens[i]);
    }
    return this.live.length;
  }

  /** Keeps live positions from `keep` on in the prefix cache, unless snapshots already cover them. */
  private saveTail(keep: number): void {
    const covered = this.cache.reach(this.live, keep);
    if (covered >= this.live.length) return;
    this.cache.save(this.live, covered, this.live.length, (from, to) => this.decoder.copyRows(from, to));
  }
}

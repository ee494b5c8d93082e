import type { KvRows } from '../onnx/kvCache';
import type { OnnxDecoder } from '../onnx/onnxDecoder';
import type { Turn } from './decoderScheduler';
import type { KvSnapshotStore } from './kvSnapshotStore';
import { commonPrefixLength, type PrefixCache, type PrefixExtension } from './prefixCache';

/** What the cached decoder needs of the model runtime: one sequence's cache, and copies of its rows. */
export type SequenceDecoder = Pick<OnnxDecoder, 'length' | 'prefill' | 'truncate' | 'copyRows' | 'appendRows'>;

export interface Evaluation {
  /** The logits after the last token. */
  logits: Float32Array;
  /** Leading tokens that were already cached (live or restored from a snapshot) and were not computed. */
  cachedTokens: number;
  /** Of the cached tokens, those restored from a KV snapshot on disk. */
  diskTokens: number;
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

/** Prefixes on disk: where to find them, and who stores a prefix that requests turned out to share. */
export interface DiskPrefixes {
  store: Pick<KvSnapshotStore, 'find' | 'restore'>;
  /** Told of a prefix of at least `minSharedTokens` that a request shares with the sequence before it. */
  shared(tokens: readonly number[]): void;
  minSharedTokens: number;
}

/** What a snapshot writer reads: rows of the live sequence, while it still holds `tokens`. */
export interface LiveRows {
  rowsOf(tokens: ArrayLike<number>, from: number, to: number): KvRows | undefined;
  /**
   * Makes the live sequence hold `tokens` again when it and the prefix cache still have all but the last one
   * (another request replaced it meanwhile); false, doing nothing, when they do not.
   */
  bringBack(tokens: readonly number[], turn: Turn, signal: AbortSignal): Promise<boolean>;
}

export interface RunTiming {
  targetRunMs: number;
  now: () => number;
}

/**
 * One of the model's decoder sequences (the main one, or the inline completions' own), shared by the requests
 * that run on it: each evaluation reuses the longest prefix already computed — the live sequence first
 * (llama.cpp's cache_prompt), then snapshots in the prefix cache — and computes only the rest, in chunks with a
 * step boundary between them. Before the live sequence is cut back for another request, its tail goes into the
 * prefix cache, so a paused chat resumes by copying rows back rather than recomputing them. At least the last token is always computed: the caller needs its logits.
 */
export class CachedDecoder implements LiveRows {
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
    private readonly disk?: DiskPrefixes,
  ) {}

  /**
   * The logits after `tokens`, computing only what no cache holds. Between chunks the turn may pass to a more
   * urgent request, which may replace the live sequence: the next chunk then starts by restoring it. Rejects
   * with the signal's reason on abort; what was computed by then stays cached.
   */
  evaluate(tokens: readonly number[], turn: Turn, signal: AbortSignal): Promise<Evaluation> {
    return this.evaluateReporting(tokens, turn, undefined, signal);
  }

  /**
   * `evaluate`, telling `onProgress` how many leading positions of `tokens` the decoder holds after each run;
   * `runMs` overrides the target length of a run (work nobody waits for takes shorter ones).
   */
  async evaluateReporting(
    tokens: readonly number[],
    turn: Turn,
    onProgress: ((held: number) => void) | undefined,
    signal: AbortSignal,
    runMs = this.timing.targetRunMs,
  ): Promise<Evaluation> {
    if (tokens.length === 0) throw new RangeError('evaluate needs at least one token');
    let cachedTokens = 0;
    let diskTokens = 0;
    /** Until the first prefill run, what the runs find in place counts as cached. */
    let restoring = true;
    let computedTokens = 0;
    let busyMs = 0;
    for (;;) {
      const started = this.timing.now();
      const { matched, fromDisk, moreOnDisk } = await this.align(tokens);
      if (restoring) [cachedTokens, diskTokens] = [matched, Math.min(matched, diskTokens + fromDisk)];
      if (moreOnDisk) {
        // A long restore is cut into runs too, so that a completion waits for one run at most.
        busyMs += this.timing.now() - started;
        onProgress?.(matched);
        await turn.yield(signal);
        continue;
      }
      restoring = false;
      const end = Math.min(tokens.length, matched + this.runTokens(runMs));
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
      onProgress?.(end);
      if (end === tokens.length) return { logits, cachedTokens, diskTokens, computedTokens, busyMs };
      await turn.yield(signal);
    }
  }

  /** Tokens for the next prefill run: the configured chunk, fewer when that would take over `runMs`. */
  private runTokens(runMs: number): number {
    if (this.msPerToken === undefined) return this.chunkTokens;
    const inTime = Math.floor(runMs / this.msPerToken);
    return Math.min(this.chunkTokens, Math.max(MIN_RUN_TOKENS, inTime));
  }

  /** Positions [from, to) of the live sequence, if it holds `tokens` up to `to`. */
  rowsOf(tokens: ArrayLike<number>, from: number, to: number): KvRows | undefined {
    if (commonPrefixLength(this.live, tokens, to) < to) return undefined;
    return this.decoder.copyRows(from, to);
  }

  async bringBack(tokens: readonly number[], turn: Turn, signal: AbortSignal): Promise<boolean> {
    const kept = commonPrefixLength(this.live, tokens);
    if (kept < tokens.length && this.cache.reach(tokens, kept) < tokens.length - 1) return false;
    await this.evaluate(tokens, turn, signal);
    return true;
  }

  /**
   * Makes the decoder hold the longest cached prefix of `tokens` (short of the last token) and returns its
   * length: the live sequence's common prefix, then snapshots in memory chained onto it, then one on disk.
   */
  private async align(tokens: readonly number[]): Promise<{ matched: number; fromDisk: number; moreOnDisk: boolean }> {
    const limit = tokens.length - 1;
    const kept = commonPrefixLength(this.live, tokens, limit);
    // A prefix two requests share (the later one diverging within the live sequence) is worth keeping on disk.
    if (this.disk !== undefined && kept < this.live.length && kept >= this.disk.minSharedTokens)
      this.disk.shared(tokens.slice(0, kept));
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
    const { restored, more } = await this.restoreFromDisk(tokens, limit);
    return { matched: this.live.length, fromDisk: restored, moreOnDisk: more };
  }

  /**
   * Appends the rows of the stored prefix that carries `tokens` furthest past the live sequence, if any, for
   * one run's time at most: `more` says the snapshot holds further positions for the next run.
   */
  private async restoreFromDisk(
    tokens: readonly number[],
    limit: number,
  ): Promise<{ restored: number; more: boolean }> {
    const start = this.live.length;
    const stored = this.disk?.store.find(tokens, start, limit);
    if (stored === undefined) return { restored: 0, more: false };
    const deadline = this.timing.now() + this.timing.targetRunMs;
    let end = start;
    const restored = await this.disk!.store.restore(stored, start, (rows, offset, count) => {
      this.decoder.appendRows(rows, offset, count);
      end += count;
      return this.timing.now() < deadline;
    });
    if (!restored) {
      this.decoder.truncate(start);
      return { restored: 0, more: false };
    }
    for (let i = start; i < end; i++) this.live.push(tokens[i]);
    return { restored: end - start, more: end < stored.end };
  }

  /** Keeps live positions from `keep` on in the prefix cache, unless snapshots already cover them. */
  private saveTail(keep: number): void {
    const covered = this.cache.reach(this.live, keep);
    if (covered >= this.live.length) return;
    this.cache.save(this.live, covered, this.live.length, (from, to) => this.decoder.copyRows(from, to));
  }
}

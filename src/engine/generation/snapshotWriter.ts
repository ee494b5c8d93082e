import type { Logger } from '../base/logger';
import type { LiveRows } from './cachedDecoder';
import type { DecoderScheduler, Turn } from './decoderScheduler';
import type { KvSnapshotStore } from './kvSnapshotStore';

/**
 * Writes KV snapshots of shared prefixes after the requests that found them, in the background: it takes
 * the decoder only when no request waits, copies one block of rows per turn and gives the decoder back at
 * each block, so a snapshot write never delays a completion by more than one block. One write at a time; a
 * prefix offered meanwhile replaces the one still waiting.
 */
export class SnapshotWriter {
  private waiting: { tokens: Int32Array; source: LiveRows } | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<KvSnapshotStore, 'find' | 'write'>,
    private readonly scheduler: DecoderScheduler,
    /** New tokens a snapshot must add over the longest one stored already. */
    private readonly minNewTokens: number,
    private readonly logger: Pick<Logger, 'warn'>,
    /** Aborted when the model is retired: the write in progress is dropped. */
    private readonly signal: AbortSignal,
  ) {}

  /**
   * Stores `tokens`' rows, read from the sequence `source` that computed them, once the decoder is free, unless a
   * stored snapshot already holds nearly all of them.
   */
  offer(tokens: readonly number[], source: LiveRows): void {
    if (this.signal.aborted) return;
    const stored = this.store.find(tokens, 0, tokens.length)?.end ?? 0;
    if (tokens.length - stored < this.minNewTokens) return;
    this.waiting = { tokens: Int32Array.from(tokens), source };
    this.running ??= this.drain().finally(() => (this.running = undefined));
  }

  /** Resolves once no write is waiting or running. */
  async settled(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  private async drain(): Promise<void> {
    for (let offered = this.waiting; offered !== undefined; offered = this.waiting) {
      this.waiting = undefined;
      await this.write(offered.tokens, offered.source);
    }
  }

  private async write(tokens: Int32Array, source: LiveRows): Promise<void> {
    let turn: Turn | undefined;
    try {
      turn = await this.scheduler.acquire('background', this.signal);
      const held = turn;
      await this.store.write(tokens, async (from, to) => {
        if (from > 0) await held.yield(this.signal);
        const rows = source.rowsOf(tokens, from, to);
        // A request that ran first replaced the live sequence: its tail is in the prefix cache, unless evicted.
        if (rows !== undefined || !(await source.bringBack(Array.from(tokens), held, this.signal))) return rows;
        return source.rowsOf(tokens, from, to);
      });
    } catch (error) {
      if (!this.signal.aborted) this.logger.warn(`KV snapshot not written: ${(error as Error).message}`);
    } finally {
      turn?.release();
    }
  }
}

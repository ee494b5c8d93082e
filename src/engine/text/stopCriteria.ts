import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { partialMatchLength } from '../../shared/partialMatch';

/** Why generation ended: an end token or stop string, the token limit, or the client. */
export type FinishReason = 'stop' | 'length' | 'cancelled';

export interface StopOptions {
  /** The checkpoint's end-of-sequence ids (config.json and generation_config.json together). */
  eosTokenIds: readonly number[];
  /** Texts that end generation; the match and anything after it are not emitted. */
  stopStrings?: readonly string[];
  /** The most tokens to generate, end token included. */
  maxTokens: number;
}

export interface StopStep {
  /** Text that is now safe to emit. */
  text: string;
  /** Set on the step that ends generation. */
  finish?: FinishReason;
  /** The stop string that matched, when one did. */
  stopString?: string;
}

/**
 * Decides, token by token, when generation ends. Stop strings are matched on the decoded text, so they
 * are found even when they span tokens; the tail that could still grow into one is held back until it
 * either does or cannot. The end token's own text is never emitted.
 */
export class StopCriteria {
  private readonly eosTokenIds: ReadonlySet<number>;
  private readonly stopStrings: readonly string[];
  private readonly maxTokens: number;
  private held = '';
  private count = 0;
  private finished: FinishReason | undefined;

  /** Throws EngineError(InvalidParams) for an empty stop string or a token limit below 1. */
  constructor(options: StopOptions) {
    const stopStrings = options.stopStrings ?? [];
    if (stopStrings.some((stop) => typeof stop !== 'string' || stop === '')) {
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        'Stop strings must be non-empty strings.',
        'Remove the empty stop string.',
      );
    }
    if (!Number.isSafeInteger(options.maxTokens) || options.maxTokens < 1) {
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        `maxTokens must be a whole number of at least 1, not ${options.maxTokens}.`,
        'Leave maxTokens out to generate up to the context length.',
      );
    }
    this.eosTokenIds = new Set(options.eosTokenIds);
    this.stopStrings = stopStrings;
    this.maxTokens = options.maxTokens;
  }

  /** Tokens accepted so far. */
  get tokenCount(): number {
    return this.count;
  }

  get finishReason(): FinishReason | undefined {
    return this.finished;
  }

  isEndToken(tokenId: number): boolean {
    return this.eosTokenIds.has(tokenId);
  }

  /** Takes one generated token and the text it added to the output. */
  accept(tokenId: number, text: string): StopStep {
    if (this.finished !== undefined)
      throw new Error(`StopCriteria.accept after generation finished (${this.finished})`);
    this.count++;
    if (this.eosTokenIds.has(tokenId)) return this.end('stop');

    const pending = this.held + text;
    const match = this.firstStopString(pending);
    if (match !== undefined) {
      this.held = '';
      this.finished = 'stop';
      return { text: pending.slice(0, match.index), finish: 'stop', stopString: match.stop };
    }
    if (this.count >= this.maxTokens) {
      this.held = pending;
      return this.end('length');
    }
    const keep = Math.max(0, ...this.stopStrings.map((stop) => partialMatchLength(pending, stop)));
    this.held = pending.slice(pending.length - keep);
    return { text: pending.slice(0, pending.length - keep) };
  }

  /** Ends generation at the client's request, releasing the text held back for a possible stop string. */
  cancel(): StopStep {
    return this.finished === undefined ? this.end('cancelled') : { text: '' };
  }

  private end(reason: FinishReason): StopStep {
    const text = this.held;
    this.held = '';
    this.finished = reason;
    return { text, finish: reason };
  }

  /** The stop string that starts earliest in `text` (the first listed on a tie). */
  private firstStopString(text: string): { index: number; stop: string } | undefined {
    let best: { index: number; stop: string } | undefined;
    for (const stop of this.stopStrings) {
      const index = text.indexOf(stop);
      if (index >= 0 && (best === undefined || index < best.index)) best = { index, stop };
    }
    return best;
  }
}

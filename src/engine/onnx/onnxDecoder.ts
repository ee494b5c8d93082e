import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, type KvCacheDtype } from '../../shared/protocol';
import type { ModelConfig } from '../checkpoint/modelConfig';
import { ropeCosSinTables, ropeParameters } from './yarnRope';
import { materializeDecoderModel, type ConversionProgress, type DecoderModel } from './decoderModel';
import { decoderWeightBytes, type WeightFormat, type WeightSource } from './decoderWeights';
import type { EmbeddingRows } from './embeddingRows';
import { DecoderThread } from './decoderThread';
import { assertKvCacheFits, completionSequenceLength, defaultKvBudgetBytes } from './kvBudget';
import { kvCacheBytes, type KvRows } from './kvCache';

export interface OnnxDecoderLoadOptions {
  /** The weight format the model was built with (sizes the default KV budget). */
  quantization: WeightFormat;
  /** Positions the cache and RoPE tables are sized for (YaRN is enabled beyond the native length). */
  contextLength: number;
  /**
   * The KV cache's element type (default float32). The model must have been built for it (decoderModel.ts).
   * int8 takes 3.8× less memory and reads fewer bytes per step; its error is measured in the tests and README.
   */
  kvCacheDtype?: KvCacheDtype;
  /** Intra-op threads for onnxruntime; its default is the number of physical cores. */
  threads?: number;
  /** Memory the KV cache may use; default: 80% of free memory less the weights. */
  kvBudgetBytes?: number;
  /** Most tokens per prefill run: a more urgent request waits for the run in progress (default 128). */
  prefillChunkTokens?: number;
  /** Positions of the second KV sequence, for inline completions (0: none); default completionSequenceLength. */
  completionLength?: number;
}

export interface OnnxDecoderOptions extends OnnxDecoderLoadOptions {
  /** Write the model and its weights here (needed above 2 GiB of weights); embedded in memory when omitted. */
  modelDirectory?: string;
  onProgress?: (progress: ConversionProgress) => void;
}

/**
 * Tokens per prefill run. A more urgent request waits for the run in progress to end, so runs are short, yet
 * long enough that long prompts still prefill at full speed.
 */
export const DEFAULT_PREFILL_CHUNK = 128;
/**
 * Most attention scores (heads × chunk × positions) one prefill run may hold, so long contexts get shorter chunks:
 * it bounds what onnxruntime's arena keeps (ortSession.ts). Float32 attention gains from long chunks at depth
 * (each pass over the cache serves more rows); the 8-bit cache's score-sized passes fall out of the CPU caches.
 */
const ATTENTION_SCORES_BUDGET: Readonly<Record<KvCacheDtype, number>> = {
  float32: 16 * 1024 * 1024,
  int8: 4 * 1024 * 1024,
};
const MIN_PREFILL_CHUNK = 16;

/** A second sequence of a decoder: its own KV cache on the same thread and weights. */
export type DecoderSequence = Pick<
  OnnxDecoder,
  'length' | 'contextLength' | 'bytesPerPosition' | 'prefill' | 'decode' | 'truncate' | 'copyRows' | 'appendRows'
>;

/**
 * A Qwen3/Qwen2/Llama decoder on onnxruntime (CPU), run with its KV cache on a thread of its own (decoderWorker.ts).
 * The thread may hold a second cache, `completions`, which the same graph runs on by binding its buffers instead.
 */
export class OnnxDecoder {
  private readonly cos: Float32Array;
  private readonly sin: Float32Array;
  /** Shared by the sequences of one thread: one run at a time. */
  private readonly lock: { busy: boolean };
  /** The thread's cache this object runs on: 0, the main sequence, or 1, the completion sequence. */
  private readonly sequence: number;
  /** Cached positions, as the thread's cache holds them once the requests posted so far have run. */
  private used = 0;
  /** The inline completions' sequence, of at most its `contextLength` positions; undefined when none fits. */
  readonly completions: DecoderSequence | undefined;

  private constructor(
    private readonly thread: DecoderThread,
    private readonly embedding: EmbeddingRows,
    readonly config: ModelConfig,
    readonly contextLength: number,
    readonly kvCacheDtype: KvCacheDtype,
    private readonly prefillChunk: number,
    completionLength: number,
    /** Set on the completion sequence: the RoPE tables are the main context's (YaRN depends on its length). */
    main?: OnnxDecoder,
  ) {
    this.sequence = main === undefined ? 0 : 1;
    this.lock = main?.lock ?? { busy: false };
    ({ cos: this.cos, sin: this.sin } =
      main === undefined
        ? ropeCosSinTables(ropeParameters(config, contextLength), contextLength)
        : { cos: main.cos, sin: main.sin });
    this.completions =
      main === undefined && completionLength > 0
        ? new OnnxDecoder(thread, embedding, config, completionLength, kvCacheDtype, prefillChunk, 0, this)
        : undefined;
  }

  /** Checks the KV budget, converts the weights, builds the graph and opens the session. */
  static async create(source: WeightSource, options: OnnxDecoderOptions): Promise<OnnxDecoder> {
    checkDecoderContext(source.config, options);
    const built = materializeDecoderModel(source, options.quantization, {
      directory: options.modelDirectory,
      onProgress: options.onProgress,
      kvCacheDtype: options.kvCacheDtype,
    });
    return OnnxDecoder.load(built, source.config, options);
  }

  /**
   * Opens a decoder model built for `config`, `options.quantization` and `options.kvCacheDtype`, as
   * `materializeDecoderModel` or `writeDecoderModelBeside` made it. The decoder closes its embeddings.
   */
  static async load(
    { model, embedding }: DecoderModel,
    config: ModelConfig,
    options: OnnxDecoderLoadOptions,
  ): Promise<OnnxDecoder> {
    try {
      const kvBudgetBytes = decoderKvBudget(config, options);
      checkDecoderContext(config, { ...options, kvBudgetBytes });
      const kvCacheDtype = options.kvCacheDtype ?? 'float32';
      const { contextLength } = options;
      const completionLength =
        options.completionLength ?? completionSequenceLength(config, contextLength, kvBudgetBytes, kvCacheDtype);
      const thread = await DecoderThread.start({
        model,
        threads: options.threads,
        geometry: config,
        kvCacheDtype,
        sequenceLengths: completionLength > 0 ? [contextLength, completionLength] : [contextLength],
      });
      const chunk = options.prefillChunkTokens ?? DEFAULT_PREFILL_CHUNK;
      return new OnnxDecoder(thread, embedding, config, contextLength, kvCacheDtype, chunk, completionLength);
    } catch (error) {
      embedding.close();
      throw error;
    }
  }

  /** Cached positions. */
  get length(): number {
    return this.used;
  }

  /**
   * Appends `tokens` to the sequence in bounded chunks and returns the last position's logits. The signal is
   * checked between chunks; on abort it rejects with the signal's reason and `length` covers the chunks already
   * run.
   */
  async prefill(tokens: readonly number[], signal?: AbortSignal): Promise<Float32Array> {
    if (tokens.length === 0) throw new RangeError('prefill needs at least one token');
    return this.exclusively(async () => {
      this.assertValid(tokens);
      let logits: Float32Array | undefined;
      for (let start = 0; start < tokens.length;) {
        signal?.throwIfAborted();
        const count = Math.min(this.chunkFor(this.used + tokens.length - start), tokens.length - start);
        logits = await this.run(tokens.slice(start, start + count));
        start += count;
      }
      return logits!;
    });
  }

  /** Appends one token and returns the logits that follow it. */
  async decode(token: number): Promise<Float32Array> {
    return this.exclusively(() => {
      this.assertValid([token]);
      return this.run([token]);
    });
  }

  /** Bytes of keys and values one position takes (for prefix-cache budgets), at this cache's dtype. */
  get bytesPerPosition(): number {
    return kvCacheBytes(this.config, 1, this.kvCacheDtype);
  }

  /** Keeps the first `length` cached positions (prefix reuse). */
  truncate(length: number): void {
    this.assertIdle('truncate');
    if (!Number.isInteger(length) || length < 0 || length > this.used)
      throw new RangeError(`cannot truncate ${this.used} cached positions to ${length}`);
    this.thread.truncate(this.sequence, length);
    this.used = length;
  }

  /** Copies cached positions [from, to) out, for a prefix cache. */
  copyRows(from: number, to: number): KvRows {
    this.assertIdle('copy rows');
    return this.thread.copyRows(this.sequence, from, to);
  }

  /**
   * Appends positions [offset, offset + count) of rows copied earlier, instead of prefilling their tokens: valid
   * when the cache holds the same tokens before them as when they were copied.
   */
  appendRows(rows: KvRows, offset: number, count: number): void {
    this.assertIdle('append rows');
    if (!Number.isInteger(offset) || !Number.isInteger(count) || offset < 0 || count < 1 || offset + count > rows.count)
      throw new RangeError(`cannot take positions [${offset}, ${offset + count}) of ${rows.count} copied`);
    if ((rows.dtype ?? 'float32') !== this.kvCacheDtype)
      throw new TypeError(`cannot append ${rows.dtype ?? 'float32'} rows to the ${this.kvCacheDtype} KV cache`);
    if (this.used + count > this.contextLength)
      throw new RangeError(`${this.used + count} positions exceed the cache's ${this.contextLength}`);
    this.thread.appendRows(this.sequence, rows, offset, count);
    this.used += count;
  }

  /** Frees the thread with every sequence's cache, and the embeddings. */
  async dispose(): Promise<void> {
    if (this.sequence !== 0) throw new Error('dispose the decoder, not its completion sequence');
    this.embedding.close();
    await this.thread.dispose();
  }

  private assertIdle(operation: string): void {
    if (this.lock.busy) throw new Error(`OnnxDecoder cannot ${operation} while a prefill or decode is running`);
  }

  /** One thread, one run at a time: a call that overlaps another would interleave their tokens or block on it. */
  private async exclusively<T>(operation: () => Promise<T>): Promise<T> {
    if (this.lock.busy) throw new Error('OnnxDecoder runs one prefill or decode at a time: await the previous call');
    this.lock.busy = true;
    try {
      return await operation();
    } finally {
      this.lock.busy = false;
    }
  }

  private async run(tokens: number[]): Promise<Float32Array> {
    const start = this.used;
    const count = tokens.length;
    const half = this.config.headDim / 2;
    const rope = (table: Float32Array) => table.slice(start * half, (start + count) * half);
    const embeds = this.embedding.rows(tokens);
    const logits = await this.thread.run(this.sequence, embeds, rope(this.cos), rope(this.sin), count);
    this.used = start + count;
    return logits;
  }

  /** Tokens for the next prefill run: the configured chunk, smaller when long contexts make scores large. */
  private chunkFor(positionsAfter: number): number {
    const scoresPerToken = this.config.numHeads * Math.min(positionsAfter, this.contextLength);
    return Math.max(
      MIN_PREFILL_CHUNK,
      Math.min(this.prefillChunk, Math.floor(ATTENTION_SCORES_BUDGET[this.kvCacheDtype] / scoresPerToken)),
    );
  }

  /** Checks every token before the first chunk runs, so a bad request leaves the cache as it was. */
  private assertValid(tokens: readonly number[]): void {
    const { vocabSize } = this.config;
    for (const id of tokens) {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
        throw new RangeError(`token id ${id} is outside the vocabulary of ${vocabSize}`);
    }
    if (this.used + tokens.length <= this.contextLength) return;
    throw new EngineError(
      EngineErrorCode.ContextTooLarge,
      `${this.used} cached and ${tokens.length} new tokens exceed the context of ${this.contextLength} tokens.`,
      'Shorten the prompt or the requested output, or load the model with a larger context.',
    );
  }
}

/** Fails early, before any conversion, when the context exceeds the model's positions or the KV budget. */
export function checkDecoderContext(config: ModelConfig, options: OnnxDecoderLoadOptions): void {
  ropeParameters(config, options.contextLength);
  assertKvCacheFits(config, options.contextLength, decoderKvBudget(config, options), options.kvCacheDtype);
}

function decoderKvBudget(config: ModelConfig, options: OnnxDecoderLoadOptions): number {
  return options.kvBudgetBytes ?? defaultKvBudgetBytes(decoderWeightBytes(config, options.quantization));
}

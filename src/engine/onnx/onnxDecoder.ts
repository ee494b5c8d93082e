import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, type KvCacheDtype } from '../../shared/protocol';
import type { ModelConfig } from '../checkpoint/modelConfig';
import { ropeCosSinTables, ropeParameters } from './yarnRope';
import { DecoderIo } from './decoderGraph';
import { materializeDecoderModel, type ConversionProgress, type DecoderModel } from './decoderModel';
import { decoderWeightBytes, type WeightFormat, type WeightSource } from './decoderWeights';
import type { EmbeddingRows } from './embeddingRows';
import { Float32KvCache } from './float32KvCache';
import { Int8KvCache } from './int8KvCache';
import { assertKvCacheFits, defaultKvBudgetBytes } from './kvBudget';
import type { KvCache, KvLayerInputs, KvRows } from './kvCache';
import { OrtSession, type Feed } from './ortSession';

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
  /** Most tokens per prefill run; each run blocks the event loop (default 128). */
  prefillChunkTokens?: number;
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
 * it bounds what onnxruntime's arena keeps (ortSession.ts), and larger temporaries stop fitting the CPU caches.
 */
const ATTENTION_SCORES_BUDGET = 4 * 1024 * 1024;
const MIN_PREFILL_CHUNK = 16;

/** A Qwen3/Qwen2/Llama decoder on onnxruntime (CPU) with an engine-owned KV cache. Runs one step at a time. */
export class OnnxDecoder {
  private readonly cos: Float32Array;
  private readonly sin: Float32Array;
  private busy = false;

  private constructor(
    private readonly session: OrtSession,
    private readonly embedding: EmbeddingRows,
    readonly config: ModelConfig,
    private readonly cache: KvCache,
    private readonly prefillChunk: number,
  ) {
    ({ cos: this.cos, sin: this.sin } = ropeCosSinTables(ropeParameters(config, cache.maxLength), cache.maxLength));
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
      checkDecoderContext(config, options);
      const session = await OrtSession.create(model, { threads: options.threads });
      const cache =
        options.kvCacheDtype === 'int8'
          ? new Int8KvCache(config, options.contextLength)
          : new Float32KvCache(config, options.contextLength);
      return new OnnxDecoder(session, embedding, config, cache, options.prefillChunkTokens ?? DEFAULT_PREFILL_CHUNK);
    } catch (error) {
      embedding.close();
      throw error;
    }
  }

  /** Cached positions. */
  get length(): number {
    return this.cache.length;
  }

  get contextLength(): number {
    return this.cache.maxLength;
  }

  get kvCacheDtype(): KvCacheDtype {
    return this.cache.dtype;
  }

  /**
   * Appends `tokens` to the sequence in bounded chunks and returns the last position's logits. The event loop
   * gets control between chunks; on abort it rejects with the signal's reason and `length` covers the chunks
   * already run.
   */
  async prefill(tokens: readonly number[], signal?: AbortSignal): Promise<Float32Array> {
    if (tokens.length === 0) throw new RangeError('prefill needs at least one token');
    return this.exclusively(async () => {
      this.assertValid(tokens);
      let logits: Float32Array | undefined;
      for (let start = 0; start < tokens.length;) {
        signal?.throwIfAborted();
        const count = Math.min(this.chunkFor(this.cache.length + tokens.length - start), tokens.length - start);
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
    return this.cache.bytesPerPosition;
  }

  /** Keeps the first `length` cached positions (prefix reuse). */
  truncate(length: number): void {
    this.assertIdle('truncate');
    this.cache.truncate(length);
  }

  /** Copies cached positions [from, to) out, for a prefix cache. */
  copyRows(from: number, to: number): KvRows {
    this.assertIdle('copy rows');
    return this.cache.copyRows(from, to);
  }

  /**
   * Appends positions [offset, offset + count) of rows copied earlier, instead of prefilling their tokens: valid
   * when the cache holds the same tokens before them as when they were copied.
   */
  appendRows(rows: KvRows, offset: number, count: number): void {
    this.assertIdle('append rows');
    this.cache.appendRows(rows, offset, count);
  }

  async dispose(): Promise<void> {
    this.embedding.close();
    await this.session.dispose();
  }

  private assertIdle(operation: string): void {
    if (this.busy) throw new Error(`OnnxDecoder cannot ${operation} while a prefill or decode is running`);
  }

  /** One sequence, one cache: a call that overlaps another would interleave their tokens. */
  private async exclusively<T>(operation: () => Promise<T>): Promise<T> {
    if (this.busy) throw new Error('OnnxDecoder runs one prefill or decode at a time: await the previous call');
    this.busy = true;
    try {
      return await operation();
    } finally {
      this.busy = false;
    }
  }

  private async run(tokens: number[]): Promise<Float32Array> {
    const { numLayers, headDim } = this.config;
    const start = this.cache.length;
    const count = tokens.length;
    await this.cache.reserveYielding(start + count);
    const half = headDim / 2;
    const feeds: Record<string, Feed> = {
      [DecoderIo.inputEmbeds]: { data: this.embedding.rows(tokens), dims: [1, count, this.config.hiddenSize] },
      [DecoderIo.ropeCos]: { data: this.cos.subarray(start * half, (start + count) * half), dims: [count, half] },
      [DecoderIo.ropeSin]: { data: this.sin.subarray(start * half, (start + count) * half), dims: [count, half] },
      [DecoderIo.attentionMask]: { data: this.cache.attentionMask(count), dims: [count, this.cache.capacity + count] },
    };
    const outputs: string[] = [DecoderIo.logits];
    for (let layer = 0; layer < numLayers; layer++) {
      const inputs = this.cache.layer(layer);
      for (const role of Object.keys(inputs) as (keyof KvLayerInputs)[])
        feeds[DecoderIo.past(role, layer)] = inputs[role]!;
      outputs.push(DecoderIo.newKey(layer), DecoderIo.newValue(layer));
    }
    const results = await this.session.run(feeds, outputs);
    const layerOutputs = (name: (layer: number) => string) =>
      Array.from({ length: numLayers }, (_, layer) => results[name(layer)] as Float32Array);
    this.cache.append(layerOutputs(DecoderIo.newKey), layerOutputs(DecoderIo.newValue), count);
    return results[DecoderIo.logits] as Float32Array;
  }

  /** Tokens for the next prefill run: the configured chunk, smaller when long contexts make scores large. */
  private chunkFor(positionsAfter: number): number {
    const scoresPerToken = this.config.numHeads * Math.min(positionsAfter, this.cache.maxLength);
    return Math.max(
      MIN_PREFILL_CHUNK,
      Math.min(this.prefillChunk, Math.floor(ATTENTION_SCORES_BUDGET / scoresPerToken)),
    );
  }

  /** Checks every token before the first chunk runs, so a bad request leaves the cache as it was. */
  private assertValid(tokens: readonly number[]): void {
    const { vocabSize } = this.config;
    for (const id of tokens) {
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize)
        throw new RangeError(`token id ${id} is outside the vocabulary of ${vocabSize}`);
    }
    if (this.cache.length + tokens.length <= this.cache.maxLength) return;
    throw new EngineError(
      EngineErrorCode.ContextTooLarge,
      `${this.cache.length} cached and ${tokens.length} new tokens exceed the context of ${this.cache.maxLength} tokens.`,
      'Shorten the prompt or the requested output, or load the model with a larger context.',
    );
  }
}

/** Fails early, before any conversion, when the context exceeds the model's positions or the KV budget. */
export function checkDecoderContext(config: ModelConfig, options: OnnxDecoderLoadOptions): void {
  ropeParameters(config, options.contextLength);
  const budget = options.kvBudgetBytes ?? defaultKvBudgetBytes(decoderWeightBytes(config, options.quantization));
  assertKvCacheFits(config, options.contextLength, budget, options.kvCacheDtype);
}

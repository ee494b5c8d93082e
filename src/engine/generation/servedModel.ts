import { join } from 'node:path';
import type { TokenCounter } from '../context/tokenCountCache';
import { EngineError } from '../../shared/engineError';
import {
  DEFAULT_KV_CACHE,
  DEFAULT_QUANTIZATION,
  EngineErrorCode,
  type LoadPlan,
  type ModelInfo,
  type ModelLoadParams,
  type ModelProgressParams,
  type ModelRole,
} from '../../shared/protocol';
import type { GenerationConfig } from '../checkpoint/generationConfig';
import { optionalKvBudget } from '../library/loadPlan';
import type { LoadedModel, LoadModelOptions } from '../model/modelLoader';
import { ChatTemplate } from '../text/chatTemplate';
import { SpecialToken, Tokenizer } from '../text/tokenizer';
import { defaultCacheDir } from '../base/defaultCacheDir';
import type { Logger } from '../base/logger';
import { CachedDecoder, type DiskPrefixes, type Evaluation, type SequenceDecoder } from './cachedDecoder';
import { DecoderScheduler, type Priority, type Turn } from './decoderScheduler';
import { runGeneration, type GenerationJob, type GenerationOutcome, type GenerationTarget } from './generationRun';
import { PrefixCache } from './prefixCache';
import { kvSnapshotKey } from './kvSnapshotKey';
import { KvSnapshotStore } from './kvSnapshotStore';
import { PromptTokenizer } from './promptTokenizer';
import { SnapshotWriter } from './snapshotWriter';

export type ModelLoader = (dir: string, options: LoadModelOptions) => Promise<LoadedModel>;

export interface ServingOptions {
  /** Memory for saved prefixes; default: what the KV budget leaves, at most a quarter of the free memory. */
  prefixCacheBytes?: number;
  /**
   * Takes turns on the processor. One for all the engine's models: a completion on one model goes before a
   * chat on another, as on the same model.
   */
  scheduler: DecoderScheduler;
  /** Most prompt tokens computed between two step boundaries. */
  prefillChunkTokens: number;
  /** KV snapshots of shared prefixes on disk, under `<cacheDir>/kv`; none without. */
  snapshots?: SnapshotOptions;
}

export interface SnapshotOptions {
  /** Most bytes all snapshots may take; the least recently used are evicted. 0 keeps none. */
  diskBytes: number;
  /** Shortest shared prefix worth a snapshot, and the fewest tokens a new one must add over a stored one. */
  minTokens: number;
  logger: Pick<Logger, 'warn' | 'info' | 'debug'>;
}

/** The snapshots' default disk budget: an 8K-token prefix of a 0.6B model takes under 2 GiB at float32. */
export const DEFAULT_SNAPSHOT_DISK_BYTES = 4 * 1024 ** 3;
/** Shorter shared prefixes are quick to compute again. */
export const DEFAULT_SNAPSHOT_MIN_TOKENS = 512;

/**
 * Prefill runs of warm-ups and the repository prefix, which nobody waits for, are half a chat's: a completion
 * arriving meanwhile waits for the run in progress, and the few percent more runs cost is paid in the background.
 */
const BACKGROUND_RUN_MS = 500;
/** The prefix cache's default share of the memory free at load, at most: other programs need room too. */
const PREFIX_CACHE_SHARE = 0.25;

/**
 * A loaded model and everything requests need of it: tokenizer, chat template, the decoder's sequences (the main
 * one, and one for inline completions when there is room) with their prefix cache, and the scheduler that takes
 * turns on the decoder.
 */
export class ServedModel implements GenerationTarget {
  readonly scheduler: DecoderScheduler;
  /** Generations not yet settled: retiring waits for them before it frees the decoder. */
  private readonly running = new Set<Promise<unknown>>();
  /** The main sequence: chats, explain, refactors, the repository prefill; completions too long for their own. */
  readonly decoder: CachedDecoder;
  /** Inline completions and their warm-ups, so that they never cut back the main sequence; of `positions` at most. */
  private readonly completions: { decoder: CachedDecoder; positions: number } | undefined;
  /** Saved KV rows either sequence may reuse, under a memory budget. */
  readonly prefixCache: PrefixCache;
  readonly vocabSize: number;
  readonly info: ModelInfo;
  /** The tokenizer as prompts use it, with the repository block's ids remembered. */
  readonly prompts: PromptTokenizer;
  /** Token counts for the repository context, with this model's tokenizer (one object: packers cache by it). */
  readonly tokenCounter: TokenCounter = { count: (text) => this.tokenizer.countPlainText(text) };
  /** Cancels the requests still running when this model is replaced or the engine stops. */
  private readonly retirement = new AbortController();
  /** Stores shared prefixes on disk, when snapshots are on. */
  readonly snapshotWriter: SnapshotWriter | undefined;

  private constructor(
    private readonly loaded: LoadedModel,
    readonly tokenizer: Tokenizer,
    /** Or, for a checkpoint without a usable chat template (it serves completions only), why not. */
    private readonly template: ChatTemplate | { missing: EngineError },
    quantization: ModelInfo['quantization'],
    options: ServingOptions & { prefixCacheBytes: number; role: ModelRole; cacheDir: string },
  ) {
    this.scheduler = options.scheduler;
    this.prefixCache = new PrefixCache(options.prefixCacheBytes, loaded.decoder.bytesPerPosition);
    const disk = this.snapshots(options.snapshots, options.cacheDir);
    this.snapshotWriter = disk?.writer;
    /** A sequence's prefixes on disk: the prefixes that its requests share are read from it to be stored. */
    const prefixes = (sequence: () => CachedDecoder): DiskPrefixes | undefined =>
      disk && {
        store: disk.store,
        shared: (tokens) => disk.writer.offer(tokens, sequence()),
        minSharedTokens: disk.minTokens,
      };
    const sequence = (decoder: SequenceDecoder, self: () => CachedDecoder) =>
      new CachedDecoder(decoder, this.prefixCache, options.prefillChunkTokens, undefined, prefixes(self));
    this.decoder = sequence(loaded.decoder, () => this.decoder);
    const completions = loaded.decoder.completions;
    this.completions = completions && {
      decoder: sequence(completions, () => this.completions!.decoder),
      positions: completions.contextLength,
    };
    this.vocabSize = tokenizer.vocabSize;
    this.prompts = new PromptTokenizer(tokenizer);
    this.info = {
      path: loaded.dir,
      role: options.role,
      architecture: loaded.config.architecture,
      kind: template instanceof ChatTemplate ? template.kind : null,
      contextLength: loaded.decoder.contextLength,
      nativeContextLength: loaded.config.maxPositionEmbeddings,
      quantization,
      kvCache: loaded.decoder.kvCacheDtype,
      weightBytes: loaded.stats.weightBytes,
      hasFimTokens: [SpecialToken.fimPrefix, SpecialToken.fimSuffix, SpecialToken.fimMiddle].every(
        (token) => tokenizer.tokenId(token) !== undefined,
      ),
    };
  }

  /**
   * Loads a checkpoint for serving, with `plan` when there is one (else the loader makes it from the params).
   * The caller's previous model is untouched whatever happens here.
   */
  static async open(
    params: ModelLoadParams,
    plan: LoadPlan | undefined,
    loader: ModelLoader,
    options: ServingOptions,
    onProgress: (progress: ModelProgressParams) => void,
    signal: AbortSignal,
  ): Promise<{ model: ServedModel; converted: boolean }> {
    signal.throwIfAborted();
    const quantization = params.quantization ?? DEFAULT_QUANTIZATION;
    const role = params.role ?? 'chat';
    const loaded = await loader(params.path, {
      quantization,
      kvCache: params.kvCache ?? DEFAULT_KV_CACHE,
      // A completion model's main sequence is the completions' own.
      completionSequence: role !== 'completion',
      ...(plan !== undefined && { plan }),
      ...(params.contextLength !== undefined && { contextLength: params.contextLength }),
      ...(params.threads !== undefined && { threads: params.threads }),
      ...(params.cacheDir !== undefined && { cacheDir: params.cacheDir }),
      onProgress: (progress) => onProgress({ path: params.path, ...progress }),
      signal,
    });
    try {
      const tokenizer = Tokenizer.load(loaded.dir);
      const template = loadTemplate(loaded.dir);
      const prefixCacheBytes = options.prefixCacheBytes ?? defaultPrefixCacheBytes(loaded);
      const cacheDir = params.cacheDir ?? defaultCacheDir();
      const snapshots = options.snapshots && {
        ...options.snapshots,
        ...(params.snapshotDiskBytes !== undefined && { diskBytes: params.snapshotDiskBytes }),
      };
      return {
        model: new ServedModel(loaded, tokenizer, template, quantization, {
          ...options,
          snapshots,
          prefixCacheBytes,
          role,
          cacheDir,
        }),
        converted: loaded.stats.converted,
      };
    } catch (error) {
      await loaded.decoder.dispose();
      throw error;
    }
  }

  /** The snapshot store and its writer, keyed by everything the rows depend on. */
  private snapshots(
    options: SnapshotOptions | undefined,
    cacheDir: string,
  ): { store: KvSnapshotStore; writer: SnapshotWriter; minTokens: number } | undefined {
    if (options === undefined || options.diskBytes <= 0) return undefined;
    const { decoder, config, weights } = this.loaded;
    const store = new KvSnapshotStore({
      root: join(cacheDir, 'kv'),
      modelKey: kvSnapshotKey({
        weightsKey: weights.key,
        kvCacheDtype: decoder.kvCacheDtype,
        config,
        contextLength: decoder.contextLength,
      }),
      dtype: decoder.kvCacheDtype,
      geometry: config,
      budgetBytes: options.diskBytes,
      logger: options.logger,
    });
    const writer = new SnapshotWriter(store, this.scheduler, options.minTokens, options.logger, this.retirement.signal);
    return { store, writer, minTokens: options.minTokens };
  }

  /** Positions of the completion sequence; 0 when the model has none. */
  get completionPositions(): number {
    return this.completions?.positions ?? 0;
  }

  /**
   * The sequence an inline completion (or its warm-up) of `positions` prompt and output tokens runs on: its own
   * when the model has one that holds them, so that it leaves the main sequence (a chat, the repository prefill)
   * in place; else the main one, as every request did with a single sequence.
   */
  completionSequence(positions: number): CachedDecoder {
    return this.completions !== undefined && positions <= this.completions.positions
      ? this.completions.decoder
      : this.decoder;
  }

  get generationConfig(): GenerationConfig | undefined {
    return this.loaded.generationConfig;
  }

  /** The checkpoint's end-of-sequence ids: config.json's and generation_config.json's. */
  get eosTokenIds(): number[] {
    return [...new Set([...this.loaded.config.eosTokenIds, ...(this.loaded.generationConfig?.eosTokenIds ?? [])])];
  }

  /** Throws the reason when the checkpoint has no usable chat template. */
  chatTemplate(): ChatTemplate {
    if (this.template instanceof ChatTemplate) return this.template;
    throw this.template.missing;
  }

  /**
   * The output budget of a request: what it asked for, or the rest of the context. Throws ContextTooLarge when
   * the prompt and the requested output do not fit.
   */
  maxTokensFor(promptTokens: number, requested: number | undefined): number {
    const { contextLength } = this.info;
    const maxTokens = requested ?? contextLength - promptTokens;
    if (promptTokens + Math.max(maxTokens, 1) <= contextLength) return maxTokens;
    throw new EngineError(
      EngineErrorCode.ContextTooLarge,
      `The prompt has ${promptTokens} tokens${requested === undefined ? '' : ` and ${requested} more were requested`}: more than the context of ${contextLength}.`,
      'Shorten the conversation or the attached context, ask for fewer tokens, or load the model with a larger context.',
    );
  }

  /** Runs `job` on the sequence it names, else the main one. */
  generate(job: GenerationJob, signal: AbortSignal): Promise<GenerationOutcome> {
    const target = { scheduler: this.scheduler, decoder: job.sequence ?? this.decoder, vocabSize: this.vocabSize };
    return this.track(runGeneration(target, job, AbortSignal.any([signal, this.retirement.signal])));
  }

  /**
   * Computes `tokens` into the decoder without generating, waiting for its turn at `priority`. Resolves to
   * what was found cached, or undefined when cancelled first (what was computed by then stays cached).
   */
  prefill(
    tokens: readonly number[],
    priority: Priority,
    onProgress: (held: number) => void,
    signal: AbortSignal,
  ): Promise<Evaluation | undefined> {
    const combined = AbortSignal.any([signal, this.retirement.signal]);
    return this.track(
      (async () => {
        let turn: Turn | undefined;
        try {
          turn = await this.scheduler.acquire(priority, combined);
          const runMs = priority === 'background' || priority === 'repository' ? BACKGROUND_RUN_MS : undefined;
          return await this.decoder.evaluateReporting(tokens, turn, onProgress, combined, runMs);
        } catch (error) {
          if (combined.aborted) return undefined;
          throw error;
        } finally {
          turn?.release();
        }
      })(),
    );
  }

  /** Keeps `work` among the running requests until it settles: retiring waits for them. */
  private track<T>(work: Promise<T>): Promise<T> {
    const settled: Promise<unknown> = work.then(
      () => this.running.delete(settled),
      () => this.running.delete(settled),
    );
    this.running.add(settled);
    return work;
  }

  /** Cancels what still runs on this model, waits for it to wind down, and frees the model. */
  async retire(): Promise<void> {
    this.retirement.abort(
      new EngineError(EngineErrorCode.ShuttingDown, 'The model was replaced, unloaded, or the engine is stopping.'),
    );
    await Promise.all(this.running);
    await this.snapshotWriter?.settled();
    await this.loaded.decoder.dispose();
  }
}

/** A base checkpoint without a chat template still serves completions; chat requests get the reason. */
function loadTemplate(dir: string): ChatTemplate | { missing: EngineError } {
  try {
    return ChatTemplate.load(dir);
  } catch (error) {
    if (error instanceof EngineError) return { missing: error };
    throw error;
  }
}

/**
 * The prefix cache gets what the optional part of the KV budget the loader checked leaves once both sequences are
 * full (never the runtime's reserve, nor more memory than was free), up to a share of the free memory.
 */
function defaultPrefixCacheBytes({ decoder, plan, stats }: LoadedModel): number {
  const positions = decoder.contextLength + (decoder.completions?.contextLength ?? 0);
  const left = optionalKvBudget(plan, stats.weightBytes) - decoder.bytesPerPosition * positions;
  return Math.max(0, Math.min(plan.memory.freeBytes * PREFIX_CACHE_SHARE, left));
}

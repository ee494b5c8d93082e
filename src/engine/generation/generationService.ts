import type { TokenCounter } from '../context/tokenCountCache';
import { EngineError } from '../../shared/engineError';
import {
  DEFAULT_KV_CACHE,
  DEFAULT_QUANTIZATION,
  EngineErrorCode,
  type ChatDeltaParams,
  type ChatResult,
  type CompleteResult,
  type ContextPrefillProgressParams,
  type ContextPrefillResult,
  type ModelInfo,
  type LoadPlan,
  type MachineMemory,
  type ModelLoadParams,
  type ModelLoadResult,
  type ModelProgressParams,
  type ModelRole,
} from '../../shared/protocol';
import type { ChatRequest, CompletionRequest } from '../../shared/wire/generationParamsSchemas';
import type { EngineRequest } from '../../shared/wire/parseEngineParams';
import { localModelFit } from '../library/localModelFit';
import { machineMemory } from '../library/machineInfo';
import type { Logger } from '../base/logger';
import { runChat } from './chatRequest';
import { runCompletion } from './completeRequest';
import { DecoderScheduler } from './decoderScheduler';
import { runRepositoryPrefill, type BlockPacker } from './repositoryPrefill';
import { DEFAULT_PREFILL_CHUNK } from '../onnx/onnxDecoder';
import {
  DEFAULT_SNAPSHOT_DISK_BYTES,
  DEFAULT_SNAPSHOT_MIN_TOKENS,
  ServedModel,
  type ModelLoader,
  type ServingOptions,
} from './servedModel';

export interface GenerationServiceOptions extends Partial<Omit<ServingOptions, 'scheduler' | 'snapshots'>> {
  /** Most bytes KV snapshots may take under `<cacheDir>/kv` (0: none written or read); default 4 GiB. */
  snapshotDiskBytes?: number;
  /** Shortest shared prefix worth a KV snapshot (default 512 tokens). */
  snapshotMinTokens?: number;
  /** Requests running, paused or queued at once, over all models; more are refused with TooManyRequests. */
  maxRequests?: number;
  logger: Logger;
  /** Opens a checkpoint (modelLoader's loadModel; tests wrap it). */
  loadModel: ModelLoader;
  /** The machine's memory, for the default context of a load that names none (default: read at each load). */
  memory?: () => MachineMemory;
}

const DEFAULT_MAX_REQUESTS = 16;

/**
 * The engine's generation endpoints: loads the models it serves, one per role (chat, and beside it optionally
 * a reasoning and a completion model), and runs chat, completion and tokenizer requests on them. Requests come
 * checked, defaults filled in (parseEngineParams at the wire); every long operation takes an AbortSignal, and
 * cancelling a generation returns what it produced so far.
 */
export class GenerationService {
  private readonly served = new Map<ModelRole, ServedModel>();
  /** Loads and unloads run one after another: each replaces or frees what the previous one left. */
  private loads: Promise<unknown> = Promise.resolve();
  private readonly chatIds = new Set<string>();
  private disposed = false;
  private readonly serving: ServingOptions;

  constructor(private readonly options: GenerationServiceOptions) {
    this.serving = {
      scheduler: new DecoderScheduler(options.maxRequests ?? DEFAULT_MAX_REQUESTS),
      prefillChunkTokens: options.prefillChunkTokens ?? DEFAULT_PREFILL_CHUNK,
      ...(options.prefixCacheBytes !== undefined && { prefixCacheBytes: options.prefixCacheBytes }),
      snapshots: {
        diskBytes: options.snapshotDiskBytes ?? DEFAULT_SNAPSHOT_DISK_BYTES,
        minTokens: options.snapshotMinTokens ?? DEFAULT_SNAPSHOT_MIN_TOKENS,
        logger: options.logger,
      },
    };
  }

  /**
   * Loads a checkpoint and serves it in its role from then on. A load that fails leaves the role's previous model
   * serving. Each role's KV budget is checked against the memory free at its load, so a second model is sized
   * beside the first.
   */
  async loadModel(
    request: EngineRequest<'model/load'>,
    onProgress: (progress: ModelProgressParams) => void,
    signal: AbortSignal,
  ): Promise<ModelLoadResult> {
    const role = request.role ?? 'chat';
    return this.queued(async () => {
      const started = performance.now();
      const plan = this.plan(request);
      const { model, converted } = await ServedModel.open(
        request,
        plan,
        this.options.loadModel,
        this.serving,
        onProgress,
        signal,
      );
      if (this.disposed) {
        await model.retire();
        throw new EngineError(EngineErrorCode.ShuttingDown, 'The engine stopped while the model was loading.');
      }
      const previous = this.served.get(role);
      this.served.set(role, model);
      this.options.logger.info(
        `serving ${model.info.path} as the ${role} model (${model.info.architecture}, ${model.info.quantization} weights, ${model.info.kvCache} KV cache, context ${model.info.contextLength}, ${completionsLine(model.completionPositions)})`,
      );
      previous
        ?.retire()
        .catch((error: unknown) =>
          this.options.logger.warn(`freeing the previous ${role} model failed: ${String(error)}`),
        );
      return { model: model.info, converted, loadMs: Math.round(performance.now() - started) };
    });
  }

  /** Frees the model serving a role; its running requests end as cancelled. */
  async unloadModel({ role }: EngineRequest<'model/unload'>): Promise<{ unloaded: boolean }> {
    return this.queued(async () => {
      const model = this.served.get(role);
      if (model === undefined) return { unloaded: false };
      this.served.delete(role);
      this.options.logger.info(`unloading the ${role} model ${model.info.path}`);
      await model.retire();
      return { unloaded: true };
    });
  }

  /** Runs a load or unload after those before it. */
  private queued<T>(operation: () => Promise<T>): Promise<T> {
    const result = this.loads.then(operation);
    this.loads = result.catch(() => undefined);
    return result;
  }

  /**
   * The load's plan: the one model/fit returned, else one from a reading of the memory now (without a context
   * length, what fits it). Undefined when the folder cannot be read: the loader then reports what is wrong with it.
   */
  private plan(request: ModelLoadParams): LoadPlan | undefined {
    if (request.plan !== undefined) return request.plan;
    try {
      const { plan, fit } = localModelFit(request.path, (this.options.memory ?? machineMemory)(), {
        quantization: request.quantization ?? DEFAULT_QUANTIZATION,
        kvCache: request.kvCache ?? DEFAULT_KV_CACHE,
        ...(request.contextLength !== undefined && { contextLength: request.contextLength }),
      });
      if (request.contextLength === undefined)
        this.options.logger.info(
          `no context length requested: ${plan.contextLength} tokens, ${plan.kvCache} KV cache. ${fit.message}`,
        );
      return plan;
    } catch {
      return undefined;
    }
  }

  modelInfo({ role }: EngineRequest<'model/info'> = { role: 'chat' }): ModelInfo | null {
    return this.served.get(role)?.info ?? null;
  }

  /** Memory the loaded models' prefix caches hold: it grows to their budgets with use, and is not a leak. */
  prefixCacheBytes(): number {
    return [...this.served.values()].reduce((sum, model) => sum + model.prefixCache.stats.bytes, 0);
  }

  async chat(
    request: ChatRequest,
    onDelta: (delta: ChatDeltaParams) => void,
    signal: AbortSignal,
  ): Promise<ChatResult> {
    const model = this.requireModel(request.model);
    if (this.chatIds.has(request.requestId)) {
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        `Invalid chat params: requestId "${request.requestId}" is already in use by a running chat.`,
        'Give every chat request its own requestId.',
      );
    }
    this.chatIds.add(request.requestId);
    try {
      return await runChat(model, request, onDelta, signal);
    } finally {
      this.chatIds.delete(request.requestId);
    }
  }

  async complete(request: CompletionRequest, signal: AbortSignal): Promise<CompleteResult> {
    return await runCompletion(this.requireModel(request.model), request, signal);
  }

  /** Prefills the repository prefix on the chat model, below every other request (runRepositoryPrefill). */
  async prefillRepository(
    request: EngineRequest<'context/prefill'>,
    pack: BlockPacker,
    onProgress: (progress: ContextPrefillProgressParams) => void,
    signal: AbortSignal,
  ): Promise<ContextPrefillResult> {
    return await runRepositoryPrefill(this.requireModel('chat'), request, pack, onProgress, signal);
  }

  tokenize({ text, special }: EngineRequest<'tokenize'>): { ids: number[] } {
    const { prompts } = this.textModel();
    return { ids: [...(special ? prompts.encode(text) : prompts.encodePlainText(text))] };
  }

  countTokens({ texts }: EngineRequest<'countTokens'>): { counts: number[] } {
    const { prompts } = this.textModel();
    return { counts: texts.map((text) => prompts.encodePlainText(text).length) };
  }

  /** Token counts with the chat model's tokenizer (the repository context is packed for it). */
  tokenCounter(): TokenCounter {
    return this.textModel().tokenCounter;
  }

  /** Resolves once no model has a KV snapshot write waiting or running. */
  async snapshotsSettled(): Promise<void> {
    await Promise.all([...this.served.values()].map((model) => model.snapshotWriter?.settled() ?? Promise.resolve()));
  }

  /** Cancels running requests and frees the models. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const served = [...this.served.values()];
    this.served.clear();
    await Promise.all(served.map((model) => model.retire()));
  }

  private requireModel(role: ModelRole): ServedModel {
    const model = this.served.get(role);
    if (model !== undefined) return model;
    const none = this.served.size === 0;
    throw new EngineError(
      EngineErrorCode.ModelNotLoaded,
      none ? 'No model is loaded.' : `No ${role} model is loaded.`,
      none
        ? 'Load a model first (model/load), or choose one in the Hearth settings.'
        : `Load one with model/load and role "${role}", or send the request to a loaded model.`,
    );
  }

  /** The tokenizer requests without a role use: the chat model's, else any loaded model's. */
  private textModel(): ServedModel {
    return this.served.get('chat') ?? this.served.values().next().value ?? this.requireModel('chat');
  }
}

function completionsLine(positions: number): string {
  return positions > 0 ? `${positions} positions for completions` : 'completions on the main sequence';
}

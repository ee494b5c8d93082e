import type { TokenCounter } from '../context/tokenCountCache';
import { EngineError } from '../../shared/engineError';
import {
  EngineErrorCode,
  type ChatDeltaParams,
  type ChatResult,
  type CompleteResult,
  type ModelInfo,
  type ModelLoadParams,
  type ModelLoadResult,
  type ModelProgressParams,
} from '../../shared/protocol';
import { MIN_USEFUL_CONTEXT, type MemoryFacts } from '../hardware/hardwareFit';
import { localModelFit, nativeContextOf } from '../hardware/localModelFit';
import { machineMemory } from '../hardware/machineInfo';
import type { Logger } from '../logger';
import { runChat } from './chatRequest';
import { runCompletion } from './completeRequest';
import { parseChatParams, parseCompleteParams, parseCountTokensParams, parseLoadParams, parseTokenizeParams } from './requestParams';
import { ServedModel, type ModelLoader, type ServingOptions } from './servedModel';

export interface GenerationServiceOptions extends Partial<ServingOptions> {
  logger: Logger;
  /** Opens a checkpoint (modelLoader's loadModel; tests wrap it). */
  loadModel: ModelLoader;
  /** The machine's memory, for the default context of a load that names none (default: read at each load). */
  memory?: () => MemoryFacts;
}

const DEFAULT_MAX_REQUESTS = 16;
/** The decoder's own chunk: each run blocks the event loop, so this bounds the wait of a more urgent request. */
const DEFAULT_PREFILL_CHUNK = 256;

/**
 * The engine's generation endpoints: loads the model it serves and runs chat, completion and tokenizer
 * requests on it. Params arrive unchecked from the wire and are validated here; every long operation takes
 * an AbortSignal, and cancelling a generation returns what it produced so far.
 */
export class GenerationService {
  private served: ServedModel | undefined;
  /** Loads run one after another: each replaces the model the previous one loaded. */
  private loads: Promise<unknown> = Promise.resolve();
  private readonly chatIds = new Set<string>();
  private disposed = false;
  private readonly serving: ServingOptions;

  constructor(private readonly options: GenerationServiceOptions) {
    this.serving = {
      maxRequests: options.maxRequests ?? DEFAULT_MAX_REQUESTS,
      prefillChunkTokens: options.prefillChunkTokens ?? DEFAULT_PREFILL_CHUNK,
      ...(options.prefixCacheBytes !== undefined && { prefixCacheBytes: options.prefixCacheBytes }),
    };
  }

  /** Loads a checkpoint and serves it from then on. A load that fails leaves the previous model serving. */
  async loadModel(params: unknown, onProgress: (progress: ModelProgressParams) => void, signal: AbortSignal): Promise<ModelLoadResult> {
    const request = parseLoadParams(params);
    const load = this.loads.then(async () => {
      const started = performance.now();
      const contextLength = request.contextLength ?? this.defaultContextLength(request);
      const { model, converted } = await ServedModel.open({ ...request, ...(contextLength !== undefined && { contextLength }) }, this.options.loadModel, this.serving, onProgress, signal);
      if (this.disposed) {
        await model.retire();
        throw new EngineError(EngineErrorCode.ShuttingDown, 'The engine stopped while the model was loading.');
      }
      const previous = this.served;
      this.served = model;
      this.options.logger.info(`serving ${model.info.path} (${model.info.architecture}, ${model.info.quantization}, context ${model.info.contextLength})`);
      previous?.retire().catch((error: unknown) => this.options.logger.warn(`freeing the previous model failed: ${String(error)}`));
      return { model: model.info, converted, loadMs: Math.round(performance.now() - started) };
    });
    this.loads = load.catch(() => undefined);
    return await load;
  }

  /**
   * What fits the free memory now (hardwareFit's default: a power of two up to min(native, 32K)). When not even
   * the smallest useful context fits, that one is asked for, so the loader's memory check says why it fails.
   * Undefined when the folder cannot be read: the loader then reports what is wrong with it.
   */
  private defaultContextLength(request: ModelLoadParams): number | undefined {
    try {
      const { config, fit } = localModelFit(request.path, (this.options.memory ?? machineMemory)(), request.quantization ?? 'int8');
      const contextLength = fit.defaultContext > 0 ? fit.defaultContext : Math.min(nativeContextOf(config), MIN_USEFUL_CONTEXT);
      this.options.logger.info(`no context length requested: ${contextLength} tokens. ${fit.message}`);
      return contextLength;
    } catch {
      return undefined;
    }
  }

  modelInfo(): ModelInfo | null {
    return this.served?.info ?? null;
  }

  async chat(params: unknown, onDelta: (delta: ChatDeltaParams) => void, signal: AbortSignal): Promise<ChatResult> {
    const request = parseChatParams(params);
    const model = this.requireModel();
    if (this.chatIds.has(request.requestId)) {
      throw new EngineError(EngineErrorCode.InvalidParams, `Invalid chat params: requestId "${request.requestId}" is already in use by a running chat.`,
        'Give every chat request its own requestId.');
    }
    this.chatIds.add(request.requestId);
    try {
      return await runChat(model, request, onDelta, signal);
    } finally {
      this.chatIds.delete(request.requestId);
    }
  }

  async complete(params: unknown, signal: AbortSignal): Promise<CompleteResult> {
    const request = parseCompleteParams(params);
    return await runCompletion(this.requireModel(), request, signal);
  }

  tokenize(params: unknown): { ids: number[] } {
    const { text, special } = parseTokenizeParams(params);
    const { prompts } = this.requireModel();
    return { ids: [...(special ? prompts.encode(text) : prompts.encodePlainText(text))] };
  }

  countTokens(params: unknown): { counts: number[] } {
    const { texts } = parseCountTokensParams(params);
    const { prompts } = this.requireModel();
    return { counts: texts.map((text) => prompts.encodePlainText(text).length) };
  }

  /** Token counts with the served model's tokenizer: the repository context is packed with it. */
  tokenCounter(): TokenCounter {
    return this.requireModel().tokenCounter;
  }

  /** Cancels running requests and frees the model. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const served = this.served;
    this.served = undefined;
    await served?.retire();
  }

  private requireModel(): ServedModel {
    if (this.served !== undefined) return this.served;
    throw new EngineError(EngineErrorCode.ModelNotLoaded, 'No model is loaded.', 'Load a model first (model/load), or choose one in the Hearth settings.');
  }
}

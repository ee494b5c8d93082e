import type { ChatDeltaParams, ChatResult, CompleteResult, ModelInfo } from '../../shared/protocol';
import type { ChatRequest, CompletionRequest } from '../../shared/wire/generationParamsSchemas';
import type { EngineRequest } from '../../shared/wire/parseEngineParams';

/** What the server needs of the engine: GenerationService, in-process, with its scheduler and prefix cache. */
export interface ServeEngine {
  chat(request: ChatRequest, onDelta: (delta: ChatDeltaParams) => void, signal: AbortSignal): Promise<ChatResult>;
  complete(request: CompletionRequest, signal: AbortSignal): Promise<CompleteResult>;
  tokenize(request: EngineRequest<'tokenize'>): { ids: number[] };
  /** The chat model, or null while it loads. */
  modelInfo(): ModelInfo | null;
  prefixCacheBytes(): number;
}

/** What a route handler is given beside the request: the engine, the served model and the server's limits. */
export interface RouteContext {
  engine: ServeEngine;
  /** The id clients name the model by (the checkpoint folder's name). */
  modelId: string;
  /** Most tokens one request may ask for. */
  maxTokensLimit(): number;
  /** Throws 404 when a request names another model. */
  checkModel(model: string): void;
}

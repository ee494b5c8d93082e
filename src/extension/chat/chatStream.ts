import type { CancellationToken, Disposable } from 'vscode-jsonrpc';
import type {
  ChatParams,
  ChatResult,
  EngineMethod,
  GenerationUsage,
  EngineNotification,
  EngineNotificationParams,
  EngineParams,
  EngineResult,
} from '../../shared/protocol';

/** The part of EngineSupervisor a chat request needs. */
export interface ChatEngine {
  request<M extends EngineMethod>(
    method: M,
    params: EngineParams<M>,
    token?: CancellationToken,
  ): Promise<EngineResult<M>>;
  onNotification<N extends EngineNotification>(
    method: N,
    handler: (params: EngineNotificationParams<N>) => void,
  ): Disposable;
}

export interface ChatDelta {
  reasoning?: string;
  content?: string;
}

export interface ChatStreamOptions {
  /** `hearth.chat.maxTokens`; undefined: up to the end of the context. */
  maxTokens: () => number | undefined;
  /** Each finished request's usage (the status bar shows the decode speed). */
  onUsage?: (usage: GenerationUsage) => void;
}

/** Measured prefill below this many computed tokens says little about a long prompt's speed. */
const MIN_MEASURED_PREFILL = 256;

/**
 * Runs `chat` requests with their `chat/delta` stream, for the chat view, "Explain" and refactors alike: a
 * request id per call, deltas routed by it, the answer-length setting applied, and the last prefill speed
 * remembered for time estimates. Cancelling the token stops generation; the engine then returns what it had,
 * with finishReason "cancelled".
 */
export class ChatStream {
  private nextId = 0;
  private measuredPrefillRate: number | undefined;

  constructor(
    private readonly engine: ChatEngine,
    private readonly options: ChatStreamOptions,
  ) {}

  /** Prompt tokens per second of the last long prefill, if any. */
  get prefillRate(): number | undefined {
    return this.measuredPrefillRate;
  }

  async run(
    params: Omit<ChatParams, 'requestId'>,
    onDelta: (delta: ChatDelta) => void,
    token: CancellationToken,
  ): Promise<ChatResult> {
    const requestId = `hearth-${Date.now().toString(36)}-${++this.nextId}`;
    const subscription = this.engine.onNotification('chat/delta', (delta) => {
      if (delta.requestId !== requestId) return;
      onDelta({
        ...(delta.reasoning !== undefined && { reasoning: delta.reasoning }),
        ...(delta.content !== undefined && { content: delta.content }),
      });
    });
    try {
      const maxTokens = params.maxTokens ?? this.options.maxTokens();
      const result = await this.engine.request(
        'chat',
        { ...params, requestId, ...(maxTokens !== undefined && { maxTokens }) },
        token,
      );
      const { promptTokens, cachedTokens, prefillTokensPerSecond } = result.usage;
      if (promptTokens - cachedTokens >= MIN_MEASURED_PREFILL && prefillTokensPerSecond > 0)
        this.measuredPrefillRate = prefillTokensPerSecond;
      this.options.onUsage?.(result.usage);
      return result;
    } finally {
      subscription.dispose();
    }
  }
}

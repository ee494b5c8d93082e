import OpenAI from 'openai';
import type { ChatDelta } from '../chat/chatStream';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, type ChatParams, type ChatResult, type FinishReason } from '../../shared/protocol';
import { ReasoningParser } from '../../shared/reasoningParser';
import { remoteError } from './remoteErrors';
import { remoteModelKind } from './remoteModelInfo';

/** An OpenAI-compatible server (vLLM, SGLang, llama.cpp server, Ollama, LM Studio, hearth serve) and its model. */
export interface RemoteServer {
  /** The base URL, ending with /v1. */
  baseUrl: string;
  model: string;
  /** From VS Code's SecretStorage; never in settings or logs. */
  apiKey?: string;
}

/** The fields vLLM, SGLang and llama.cpp server add to OpenAI's streamed delta. */
type ServerDelta = OpenAI.ChatCompletionChunk.Choice.Delta & { reasoning_content?: string | null; reasoning?: string };

/** Largest seed sent when the request names none: the answer can then be reproduced. */
const MAX_SEED = 2 ** 31 - 1;

/**
 * Runs Hearth's chat requests on a remote server through /v1/chat/completions, streamed: thinking through
 * `chat_template_kwargs` (vLLM's and SGLang's field), the reasoning read from `reasoning_content` (or `reasoning`)
 * or from `<think>` tags in the content, both shapes occurring in the wild. Cancelling returns what came so far.
 */
export class RemoteChat {
  private readonly client: OpenAI;
  /** The server refused `chat_template_kwargs` once: thinking is asked for with `/think` and `/no_think` since. */
  private softSwitch = false;

  constructor(private readonly server: RemoteServer) {
    this.client = new OpenAI({ baseURL: server.baseUrl, apiKey: server.apiKey ?? 'none', maxRetries: 0 });
  }

  async run(
    params: Omit<ChatParams, 'requestId'>,
    onDelta: (delta: ChatDelta) => void,
    signal: AbortSignal,
  ): Promise<ChatResult> {
    const started = performance.now();
    const { sampling = {} } = params;
    const seed = sampling.seed ?? Math.floor(Math.random() * MAX_SEED);
    const body = {
      model: this.server.model,
      messages: params.messages.map((message) => ({ role: message.role, content: message.content })),
      stream: true,
      stream_options: { include_usage: true },
      seed,
      ...(params.thinking !== undefined &&
        params.thinking !== 'auto' && { chat_template_kwargs: { enable_thinking: params.thinking === 'on' } }),
      ...(params.maxTokens !== undefined && { max_tokens: params.maxTokens }),
      ...(params.stop !== undefined && params.stop.length > 0 && { stop: params.stop }),
      ...(sampling.temperature !== undefined && { temperature: sampling.temperature }),
      ...(sampling.topP !== undefined && { top_p: sampling.topP }),
      ...(sampling.topK !== undefined && { top_k: sampling.topK }),
      ...(sampling.minP !== undefined && { min_p: sampling.minP }),
      ...(sampling.presencePenalty !== undefined && { presence_penalty: sampling.presencePenalty }),
      ...(sampling.repetitionPenalty !== undefined && { repetition_penalty: sampling.repetitionPenalty }),
    } as OpenAI.ChatCompletionCreateParamsStreaming;

    const tags = new ReasoningParser('optional');
    let content = '';
    let reasoning = '';
    let firstAt: number | undefined;
    let lastAt = started;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    /** A chunk came: a failure from then on is a stream cut, not a server that cannot be reached. */
    let answered = false;
    const emit = (delta: ChatDelta): void => {
      if (!delta.reasoning && !delta.content) return;
      firstAt ??= performance.now();
      lastAt = performance.now();
      reasoning += delta.reasoning ?? '';
      content += delta.content ?? '';
      onDelta(delta);
    };
    try {
      const stream = await this.open(body, params.thinking, signal);
      for await (const chunk of stream) {
        answered = true;
        usage = chunk.usage ?? usage;
        const [choice] = chunk.choices;
        if (choice === undefined) continue;
        const delta = choice.delta as ServerDelta;
        const thought = delta.reasoning_content ?? delta.reasoning;
        if (thought) emit({ reasoning: thought });
        if (delta.content) emit(withoutEmpty(tags.push(delta.content)));
        finish = choice.finish_reason ?? finish;
      }
      emit(withoutEmpty(tags.finish()));
    } catch (error) {
      if (signal.aborted) {
        // Cancelled: what came so far is the result.
      } else if (answered) {
        throw new EngineError(
          EngineErrorCode.RemoteStreamCut,
          `The model server's stream broke off mid-answer (${error instanceof Error ? error.message : String(error)}).`,
          'The partial answer is kept; Retry to ask again.',
        );
      } else {
        throw remoteError(error, { baseUrl: this.server.baseUrl, model: this.server.model });
      }
    }
    if (!signal.aborted && finish === null) {
      throw new EngineError(
        EngineErrorCode.RemoteStreamCut,
        `The model server's stream ended before the answer did (after ${content.length + reasoning.length} characters).`,
        'The partial answer is kept; Retry to ask again.',
      );
    }
    const completionTokens = usage?.completion_tokens ?? 0;
    const promptTokens = usage?.prompt_tokens ?? 0;
    const cachedTokens = usage?.prompt_tokens_details?.cached_tokens ?? 0;
    const ttftMs = firstAt === undefined ? null : firstAt - started;
    return {
      finishReason: signal.aborted ? 'cancelled' : finishReasonOf(finish),
      content,
      reasoning,
      usage: {
        promptTokens,
        cachedTokens,
        completionTokens,
        // Measured here, so they include the network: a server reports no timings in OpenAI's API.
        prefillTokensPerSecond: ttftMs ? (promptTokens - cachedTokens) / (ttftMs / 1000) : 0,
        decodeTokensPerSecond:
          firstAt !== undefined && lastAt > firstAt ? (completionTokens - 1) / ((lastAt - firstAt) / 1000) : 0,
        timeToFirstTokenMs: ttftMs,
      },
      thinking: {
        enabled: reasoning !== '' || params.thinking === 'on',
        decidedBy: params.thinking === undefined || params.thinking === 'auto' ? 'model' : 'request',
      },
      seed,
    };
  }

  /** The stream; a server that rejects `chat_template_kwargs` gets the request again with the soft switch. */
  private async open(
    body: OpenAI.ChatCompletionCreateParamsStreaming & { chat_template_kwargs?: unknown },
    thinking: ChatParams['thinking'],
    signal: AbortSignal,
  ) {
    if (body.chat_template_kwargs === undefined) return this.client.chat.completions.create(body, { signal });
    if (!this.softSwitch) {
      try {
        return await this.client.chat.completions.create(body, { signal });
      } catch (error) {
        if (!rejectsTemplateKwargs(error)) throw error;
        this.softSwitch = true;
      }
    }
    return this.client.chat.completions.create(softSwitched(body, thinking === 'on', this.server.model), { signal });
  }
}

/** A 400 or 422 naming the field: servers that validate strictly (older llama.cpp, some proxies) answer so. */
function rejectsTemplateKwargs(error: unknown): boolean {
  if (!(error instanceof OpenAI.APIError) || (error.status !== 400 && error.status !== 422)) return false;
  return /chat_template_kwargs|enable_thinking/.test(`${error.param ?? ''} ${error.message}`);
}

/**
 * The request without `chat_template_kwargs`, thinking asked for as Qwen3's templates read it: `/think` or
 * `/no_think` at the end of the last user message. Only for Qwen3's hybrid models: others would read it as text.
 */
function softSwitched(
  body: OpenAI.ChatCompletionCreateParamsStreaming & { chat_template_kwargs?: unknown },
  think: boolean,
  model: string,
): OpenAI.ChatCompletionCreateParamsStreaming {
  const { chat_template_kwargs: _dropped, ...rest } = body;
  if (!/qwen3/i.test(model) || remoteModelKind(model) !== 'hybrid') return rest;
  const last = rest.messages.map((message) => message.role).lastIndexOf('user');
  const messages = rest.messages.map((message, index) =>
    index === last && message.role === 'user' && typeof message.content === 'string'
      ? { ...message, content: `${message.content} ${think ? '/think' : '/no_think'}` }
      : message,
  );
  return { ...rest, messages };
}

function withoutEmpty(delta: { reasoning: string; content: string }): ChatDelta {
  return {
    ...(delta.reasoning !== '' && { reasoning: delta.reasoning }),
    ...(delta.content !== '' && { content: delta.content }),
  };
}

/** `tool_calls` and `content_filter` end the answer as a stop does. */
function finishReasonOf(finish: string | null): FinishReason {
  return finish === 'length' ? 'length' : 'stop';
}

import OpenAI from 'openai';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, type CompleteParams, type CompleteResult } from '../../shared/protocol';
import type { RemoteServer } from './remoteChat';
import { remoteError } from './remoteErrors';

/**
 * Runs Hearth's raw completions on a remote server through /v1/completions: a prompt, or fill-in-the-middle as
 * `prompt` + `suffix` (the server lays out its model's FIM tokens). Greedy unless the request samples, like the
 * local engine's completions; streamed, so that a completion cut short by its time budget keeps what came.
 */
export class RemoteCompletion {
  private readonly client: OpenAI;

  constructor(private readonly server: RemoteServer) {
    this.client = new OpenAI({ baseURL: server.baseUrl, apiKey: server.apiKey ?? 'none', maxRetries: 0 });
  }

  async run(params: CompleteParams, signal: AbortSignal): Promise<CompleteResult> {
    const { sampling = {} } = params;
    const { prompt, suffix } = completionPrompt(params);
    const body = {
      model: this.server.model,
      prompt,
      ...(suffix !== undefined && { suffix }),
      // A warm-up only fills the server's prefix cache (vLLM's, SGLang's, llama.cpp's): one token is enough.
      max_tokens: params.warmUp === true ? 1 : (params.maxTokens ?? 128),
      temperature: sampling.temperature ?? 0,
      ...(params.stop !== undefined && params.stop.length > 0 && { stop: params.stop }),
      ...(sampling.seed !== undefined && { seed: sampling.seed }),
      ...(sampling.topP !== undefined && { top_p: sampling.topP }),
      ...(sampling.topK !== undefined && { top_k: sampling.topK }),
      stream: true,
      stream_options: { include_usage: true },
    } as OpenAI.CompletionCreateParamsStreaming;
    const started = performance.now();
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    let chunks = 0;
    let firstAt: number | undefined;
    let lastAt = started;
    try {
      const stream = await this.client.completions.create(body, { signal });
      for await (const chunk of stream) {
        usage = chunk.usage ?? usage;
        const [choice] = chunk.choices;
        if (choice?.text) {
          chunks++;
          firstAt ??= performance.now();
          lastAt = performance.now();
          text += choice.text;
        }
        finish = choice?.finish_reason ?? finish;
      }
    } catch (error) {
      // Cancelled (the time budget, the user typing on): what came so far is the result, as the local engine's.
      if (!signal.aborted) throw remoteError(error, { baseUrl: this.server.baseUrl, model: this.server.model });
    }
    if (!signal.aborted && finish === null) {
      throw new EngineError(
        EngineErrorCode.RemoteStreamCut,
        `The model server's stream ended before the completion did (after ${text.length} characters).`,
        'Type on to ask again.',
      );
    }
    const completionTokens = usage?.completion_tokens ?? chunks;
    return {
      text,
      finishReason: signal.aborted ? 'cancelled' : finish === 'length' ? 'length' : 'stop',
      usage: {
        promptTokens: usage?.prompt_tokens ?? 0,
        cachedTokens:
          (usage as { prompt_tokens_details?: { cached_tokens?: number } } | undefined)?.prompt_tokens_details
            ?.cached_tokens ?? 0,
        completionTokens,
        prefillTokensPerSecond: 0,
        // Measured here, so they include the network: a server reports no timings in OpenAI's API.
        decodeTokensPerSecond:
          firstAt !== undefined && lastAt > firstAt ? (completionTokens - 1) / ((lastAt - firstAt) / 1000) : 0,
        timeToFirstTokenMs: firstAt === undefined ? null : firstAt - started,
      },
    };
  }
}

const FIM_PREFIX = '<|fim_prefix|>';
const FIM_SUFFIX = '<|fim_suffix|>';
const FIM_MIDDLE = '<|fim_middle|>';

/**
 * `complete`'s prompt as /v1/completions takes it. Fill-in-the-middle (`fim`, or prompt parts in Qwen2.5-Coder's
 * layout) becomes `prompt` + `suffix`, the server laying out its own model's FIM tokens; the layout's repository
 * snippets have no place there and are left out. Other parts are joined, control tokens spelled out.
 */
export function completionPrompt(params: Pick<CompleteParams, 'prompt' | 'fim'>): { prompt: string; suffix?: string } {
  if (params.fim !== undefined) return { prompt: params.fim.prefix, suffix: params.fim.suffix };
  const parts = typeof params.prompt === 'string' ? [params.prompt] : (params.prompt ?? []);
  const at = (token: string) => parts.findIndex((part) => typeof part !== 'string' && part.token === token);
  const text = (from: number, to = parts.length) =>
    parts
      .slice(from, to)
      .map((part) => (typeof part === 'string' ? part : part.token))
      .join('');
  const [prefix, suffix, middle] = [at(FIM_PREFIX), at(FIM_SUFFIX), at(FIM_MIDDLE)];
  if (prefix < 0 || suffix < prefix || middle < suffix) return { prompt: text(0) };
  // The cursor's line as typed goes after <|fim_middle|> in the layout: it ends the prefix.
  return { prompt: text(prefix + 1, suffix) + text(middle + 1), suffix: text(suffix + 1, middle) };
}

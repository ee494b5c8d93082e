import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ModelInfo } from '../../shared/protocol';
import { parseEngineParams } from '../../shared/wire/parseEngineParams';
import { OpenAiError } from './openAiError';
import { maxTokensFrom, samplingFrom, stopFrom } from './requestMapping';
import { endedOrThrow, sendJson, usageOf } from './responseParts';
import { completionBody, parseBody } from './requestSchemas';
import type { RouteContext } from './routeContext';
import { SseWriter } from './sseWriter';

/** OpenAI's default for /v1/completions, which vLLM keeps. */
const DEFAULT_MAX_TOKENS = 16;

/**
 * POST /v1/completions: raw text continuation, or fill-in-the-middle with `suffix` on a FIM-trained model. The
 * engine completes in one piece (completions are short and served first), so a stream has one text chunk.
 */
export async function completionRoute(
  body: unknown,
  response: ServerResponse,
  context: RouteContext,
  signal: AbortSignal,
): Promise<void> {
  const request = parseBody(completionBody, body);
  context.checkModel(request.model);
  const prompt = typeof request.prompt === 'string' ? request.prompt : request.prompt[0];
  const suffix = request.suffix ?? undefined;
  if (suffix !== undefined && !isFimTrained(context.engine.modelInfo())) {
    throw OpenAiError.invalid(
      `suffix needs a fill-in-the-middle model, and ${context.modelId} is not FIM-trained (a chat model). Send the prompt alone, or serve a FIM model such as Qwen2.5-Coder.`,
      'suffix',
      'fim_unsupported',
    );
  }
  const params = parseEngineParams('complete', {
    ...(suffix === undefined ? { prompt } : { fim: { prefix: prompt, suffix } }),
    maxTokens: maxTokensFrom(request.max_tokens, 'max_tokens', context.maxTokensLimit()) ?? DEFAULT_MAX_TOKENS,
    stop: stopFrom(request.stop),
    sampling: samplingFrom(request),
  });
  const result = await context.engine.complete(params, signal);
  endedOrThrow(result, signal);
  const header = {
    id: `cmpl-${randomUUID()}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: context.modelId,
  };
  const choice = (text: string, finish: string | null) => ({ index: 0, text, logprobs: null, finish_reason: finish });
  if (request.stream !== true) {
    sendJson(response, {
      ...header,
      choices: [choice(result.text, result.finishReason)],
      usage: usageOf(result.usage),
    });
    return;
  }
  const sse = new SseWriter(response);
  if (result.text !== '') sse.send({ ...header, choices: [choice(result.text, null)] });
  sse.send({ ...header, choices: [choice('', result.finishReason)] });
  if (request.stream_options?.include_usage === true)
    sse.send({ ...header, choices: [], usage: usageOf(result.usage) });
  sse.done();
}

/**
 * The extension's rule (promptStyle.ts): a checkpoint with the FIM tokens and no chat template is a base coder
 * model. Qwen3 chat models have the tokens in their vocabulary but were not trained to fill in the middle.
 */
function isFimTrained(model: ModelInfo | null): boolean {
  return model !== null && model.hasFimTokens && model.kind === null;
}

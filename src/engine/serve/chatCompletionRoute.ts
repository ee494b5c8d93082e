import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { ChatResult } from '../../shared/protocol';
import { OpenAiError } from './openAiError';
import { parseEngineParams } from '../../shared/wire/parseEngineParams';
import { chatParamsFrom } from './requestMapping';
import { endedOrThrow, sendJson, usageOf } from './responseParts';
import { chatCompletionBody, parseBody } from './requestSchemas';
import type { RouteContext } from './routeContext';
import { SseWriter } from './sseWriter';
import { ToolCallParser, type ToolCallEvent } from './toolCallParser';

type WireToolCall = { index: number; id?: string; type?: 'function'; function: { name?: string; arguments: string } };

/** POST /v1/chat/completions: one chat turn on the engine, streamed as SSE chunks or answered whole. */
export async function chatCompletionRoute(
  body: unknown,
  response: ServerResponse,
  context: RouteContext,
  signal: AbortSignal,
): Promise<void> {
  const request = parseBody(chatCompletionBody, body);
  context.checkModel(request.model);
  const id = `chatcmpl-${randomUUID()}`;
  const params = parseEngineParams('chat', chatParamsFrom(request, id, context.maxTokensLimit()));
  const header = { id, created: Math.floor(Date.now() / 1000), model: context.modelId };
  const parser = params.tools === undefined ? undefined : new ToolCallParser();

  if (request.stream !== true) {
    const result = await context.engine.chat(params, () => undefined, signal);
    endedOrThrow(result, signal);
    const parsed =
      parser === undefined ? { content: result.content, toolCalls: [] } : ToolCallParser.parse(result.content);
    const toolCalls = parsed.toolCalls.map((call) => ({ id: callId(), type: 'function' as const, function: call }));
    const message = {
      role: 'assistant' as const,
      content: toolCalls.length > 0 && parsed.content === '' ? null : parsed.content,
      ...(result.reasoning !== '' && { reasoning_content: result.reasoning }),
      ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
    };
    const choice = { index: 0, message, logprobs: null, finish_reason: finishReason(result, toolCalls.length) };
    sendJson(response, { ...header, object: 'chat.completion', choices: [choice], usage: usageOf(result.usage) });
    return;
  }

  const sse = new SseWriter(response);
  const chunk = (delta: object, finish: string | null = null): void =>
    sse.send({
      ...header,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    });
  const toolChunk = (call: WireToolCall): void => chunk({ tool_calls: [call] });
  // OpenAI's streamed calls: the first delta names the function and its id, the next ones add arguments.
  const toolDelta = (events: ToolCallEvent[]): void => {
    for (const event of events) {
      if (event.kind === 'content') chunk({ content: event.text });
      else if (event.kind === 'call')
        toolChunk({
          index: event.index,
          id: callId(),
          type: 'function',
          function: { name: event.name, arguments: '' },
        });
      else toolChunk({ index: event.index, function: { arguments: event.text } });
    }
  };
  let result: ChatResult;
  try {
    result = await context.engine.chat(
      params,
      ({ reasoning, content }) => {
        if (!sse.started) chunk({ role: 'assistant', content: '' });
        if (reasoning !== undefined) chunk({ reasoning_content: reasoning });
        if (content !== undefined) {
          if (parser === undefined) chunk({ content });
          else toolDelta(parser.push(content));
        }
      },
      signal,
    );
    endedOrThrow(result, signal);
  } catch (error) {
    // Before the first event the client gets a plain status; after it, an error event in the stream.
    if (!sse.started) throw error;
    if (!signal.aborted) sse.fail(OpenAiError.from(error).toBody());
    return;
  }
  if (!sse.started) chunk({ role: 'assistant', content: '' });
  if (parser !== undefined) toolDelta(parser.end());
  chunk({}, finishReason(result, parser?.callCount ?? 0));
  if (request.stream_options?.include_usage === true) {
    sse.send({ ...header, object: 'chat.completion.chunk', choices: [], usage: usageOf(result.usage) });
  }
  sse.done();
}

function finishReason(result: ChatResult, toolCalls: number): string {
  return toolCalls > 0 && result.finishReason === 'stop' ? 'tool_calls' : result.finishReason;
}

function callId(): string {
  return `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
}

import type { ChatMessage, ChatParams, SamplingOverrides, ThinkingMode } from '../../shared/protocol';
import { validateSamplingOverrides } from '../text/samplingParams';
import { OpenAiError } from './openAiError';
import type { ChatCompletionBody, ChatCompletionMessage, CompletionBody } from './requestSchemas';

/** Sampling fields of the wire, with the engine's name for each. */
const SAMPLING_FIELDS = [
  ['temperature', 'temperature'],
  ['top_p', 'topP'],
  ['top_k', 'topK'],
  ['min_p', 'minP'],
  ['presence_penalty', 'presencePenalty'],
  ['repetition_penalty', 'repetitionPenalty'],
  ['seed', 'seed'],
] as const;

/** Sampling as the engine takes it; each field is checked on its own, so a 400 names the one at fault. */
export function samplingFrom(body: ChatCompletionBody | CompletionBody): SamplingOverrides {
  const sampling: SamplingOverrides = {};
  for (const [wire, engine] of SAMPLING_FIELDS) {
    let value = body[wire];
    if (value === undefined || value === null) continue;
    // vLLM and SGLang spell "no top-k" as -1.
    if (wire === 'top_k' && value === -1) value = 0;
    try {
      Object.assign(sampling, validateSamplingOverrides({ [engine]: value }));
    } catch (error) {
      throw OpenAiError.invalid(`${wire}: ${(error as Error).message.replace(engine, wire)}`, wire);
    }
  }
  return sampling;
}

/** The output limit asked for, checked against the server's. Undefined: up to the end of the context. */
export function maxTokensFrom(requested: number | null | undefined, param: string, limit: number): number | undefined {
  if (requested === undefined || requested === null) return undefined;
  if (requested > limit)
    throw OpenAiError.invalid(`${param} is ${requested}; this server generates at most ${limit} tokens.`, param);
  return requested;
}

export function stopFrom(stop: string | string[] | null | undefined): string[] {
  if (stop === undefined || stop === null) return [];
  return (typeof stop === 'string' ? [stop] : stop).filter((text) => text !== '');
}

/**
 * A chat completion request as the engine's chat params. `tool_choice` none leaves the tools out; required and
 * named functions would need constrained decoding, which the engine does not do, so they are refused.
 */
export function chatParamsFrom(body: ChatCompletionBody, requestId: string, maxTokensLimit: number): ChatParams {
  const { tool_choice: toolChoice } = body;
  if (toolChoice !== undefined && toolChoice !== null && toolChoice !== 'none' && toolChoice !== 'auto') {
    throw OpenAiError.invalid(
      'tool_choice may be "auto" or "none": this server cannot force a tool call. Leave it out, or send "auto".',
      'tool_choice',
    );
  }
  const tools = toolChoice === 'none' ? undefined : (body.tools ?? undefined);
  const maxTokens =
    maxTokensFrom(body.max_completion_tokens, 'max_completion_tokens', maxTokensLimit) ??
    maxTokensFrom(body.max_tokens, 'max_tokens', maxTokensLimit);
  const enableThinking = body.chat_template_kwargs?.enable_thinking;
  const thinking: ThinkingMode =
    enableThinking === undefined || enableThinking === null ? 'auto' : enableThinking ? 'on' : 'off';
  return {
    requestId,
    messages: body.messages.map(messageFrom),
    thinking,
    sampling: samplingFrom(body),
    stop: stopFrom(body.stop),
    ...(maxTokens !== undefined && { maxTokens }),
    ...(tools !== undefined &&
      tools.length > 0 && { tools: tools.map(({ type, function: fn }) => ({ type, function: fn })) }),
  };
}

function messageFrom(message: ChatCompletionMessage): ChatMessage {
  const content = textOf(message.content);
  switch (message.role) {
    case 'developer':
      return { role: 'system', content };
    case 'assistant': {
      const calls = message.tool_calls ?? [];
      if (calls.length === 0) return { role: 'assistant', content };
      const toolCalls = calls.map((call) => ({ name: call.function.name, arguments: call.function.arguments }));
      return { role: 'assistant', content, toolCalls };
    }
    default:
      return { role: message.role, content };
  }
}

function textOf(content: string | { text: string }[] | null | undefined): string {
  if (content === undefined || content === null) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

import type { ChatDeltaParams, ChatResult } from '../../shared/protocol';
import { GeneratedText } from '../text/generatedText';
import { reasoningStartFor, resolveThinking } from '../text/modelKind';
import { resolveSampling } from '../text/samplingDefaults';
import { SpecialToken } from '../text/tokenizer';
import { encodeChatPrompt } from './chatPrompt';
import type { ChatRequest } from './requestParams';
import type { ServedModel } from './servedModel';

/**
 * Runs one chat turn: decides thinking, renders and encodes the conversation, and streams the answer and the
 * reasoning as they are generated. Chat yields the model to completions at step boundaries.
 */
export async function runChat(
  model: ServedModel,
  request: ChatRequest,
  onDelta: (delta: ChatDeltaParams) => void,
  signal: AbortSignal,
): Promise<ChatResult> {
  const receivedAt = performance.now();
  const template = model.chatTemplate();
  const thinking = resolveThinking(template.kind, request.thinking, request.messages);
  const prompt = encodeChatPrompt(template, model.prompts, request.messages, {
    addGenerationPrompt: true,
    enableThinking: thinking.enabled,
    ...(request.tools !== undefined && { tools: request.tools }),
  });
  const maxTokens = model.maxTokensFor(prompt.length, request.maxTokens);
  const sampling = resolveSampling(template.kind, thinking.enabled, model.generationConfig, request.sampling);
  // The end of the assistant's turn ends the answer, whatever the checkpoint lists as its end tokens.
  const turnEnd = model.tokenizer.tokenId(SpecialToken.imEnd);
  const output = new GeneratedText(model.tokenizer, {
    eosTokenIds: turnEnd === undefined ? model.eosTokenIds : [...model.eosTokenIds, turnEnd],
    stopStrings: request.stop,
    maxTokens,
    reasoningStart: reasoningStartFor(template.kind),
  });
  const { requestId } = request;
  const outcome = await model.generate(
    {
      prompt,
      receivedAt,
      priority: 'chat',
      sampling,
      output,
      onDelta: ({ reasoning, content }) =>
        onDelta({ requestId, ...(reasoning !== '' && { reasoning }), ...(content !== '' && { content }) }),
    },
    signal,
  );
  return {
    finishReason: outcome.finishReason,
    content: output.content,
    reasoning: output.reasoning,
    usage: outcome.usage,
    thinking,
    seed: sampling.seed,
  };
}

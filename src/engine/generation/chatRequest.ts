import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, type ChatDeltaParams, type ChatResult } from '../../shared/protocol';
import { GeneratedText } from '../text/generatedText';
import { reasoningStartFor, resolveThinking } from '../text/modelKind';
import { resolveSampling } from '../text/samplingDefaults';
import { SpecialToken } from '../text/tokenizer';
import { encodeAnswerContinuation, encodeChatPrompt } from './chatPrompt';
import type { ChatRequest } from '../../shared/wire/generationParamsSchemas';
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
  // The end of the assistant's turn ends the answer, whatever the checkpoint lists as its end tokens.
  const turnEnd = model.tokenizer.tokenId(SpecialToken.imEnd);
  const renderOptions = {
    enableThinking: thinking.enabled,
    ...(request.tools !== undefined && { tools: request.tools }),
  };
  const continuing = request.continueAnswer === true;
  if (continuing && turnEnd === undefined)
    throw new EngineError(
      EngineErrorCode.UnsupportedModel,
      'This model has no end-of-turn token, so an answer cannot be continued in place.',
      'Ask the model to go on in a new question instead.',
    );
  const prompt =
    continuing && turnEnd !== undefined
      ? encodeAnswerContinuation(template, model.prompts, request.messages, renderOptions, turnEnd)
      : encodeChatPrompt(template, model.prompts, request.messages, { ...renderOptions, addGenerationPrompt: true });
  const maxTokens = model.maxTokensFor(prompt.length, request.maxTokens);
  const sampling = resolveSampling(template.kind, thinking.enabled, model.generationConfig, request.sampling);
  const output = new GeneratedText(model.tokenizer, {
    eosTokenIds: turnEnd === undefined ? model.eosTokenIds : [...model.eosTokenIds, turnEnd],
    stopStrings: request.stop,
    maxTokens,
    // A continued answer is past any reasoning: all it writes is answer text.
    reasoningStart: continuing ? 'content' : reasoningStartFor(template.kind),
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

import type { CompleteResult } from '../../shared/protocol';
import { validateSamplingOverrides, type SamplingParams } from '../text/samplingParams';
import { SeededRandom } from '../text/seededRandom';
import { encodeCompletionPrompt } from './completionPrompt';
import { CompletionText } from './completionText';
import type { CompletionRequest } from '../../shared/wire/generationParamsSchemas';
import type { ServedModel } from './servedModel';

/** Raw completion is greedy unless asked otherwise: the most likely continuation, the same on every keystroke. */
const COMPLETION_SAMPLING: SamplingParams = {
  temperature: 0,
  topK: 0,
  topP: 1,
  minP: 0,
  presencePenalty: 0,
  repetitionPenalty: 1,
};

/**
 * Runs one raw completion on a prompt the client built (the inline-completion provider owns prompt policy).
 * Completions take the model before chats at the next step boundary, on their own KV sequence when it holds
 * them; a warm-up waits for both, stops after one token, and has its prompt stored as a KV snapshot.
 */
export async function runCompletion(
  model: ServedModel,
  request: CompletionRequest,
  signal: AbortSignal,
): Promise<CompleteResult> {
  const receivedAt = performance.now();
  const { tokens, stopTokenIds } = encodeCompletionPrompt(model.prompts, request.prompt);
  const maxTokens = model.maxTokensFor(tokens.length, request.warmUp ? 1 : request.maxTokens);
  const { seed, ...overrides } = validateSamplingOverrides(request.sampling);
  const output = new CompletionText(model.tokenizer, {
    eosTokenIds: [...model.eosTokenIds, ...stopTokenIds],
    stopStrings: request.stop,
    maxTokens,
  });
  const sequence = model.completionSequence(tokens.length + maxTokens);
  const outcome = await model.generate(
    {
      prompt: tokens,
      receivedAt,
      sequence,
      priority: request.warmUp ? 'background' : 'completion',
      sampling: { ...COMPLETION_SAMPLING, ...overrides, seed: seed ?? SeededRandom.randomSeed() },
      output,
    },
    signal,
  );
  // A warm-up prefills a prefix that requests will share: worth keeping on disk for the next engine too.
  if (request.warmUp && outcome.finishReason !== 'cancelled') model.snapshotWriter?.offer(tokens, sequence);
  return { text: output.content, finishReason: outcome.finishReason, usage: outcome.usage };
}

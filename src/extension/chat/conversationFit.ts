/**
 * Which earlier turns a chat request keeps so that the prompt and the answer's room fit the model's context:
 * the newest that fit, never a gap. Pure, so the numbers are unit-tested.
 */

/** Template tokens around one message (start and end markers, role, newlines, an empty think block): an upper bound. */
export const MESSAGE_OVERHEAD_TOKENS = 10;

export interface ConversationFitInput {
  contextLength: number;
  /** The system message's tokens (repository block and instructions). */
  systemTokens: number;
  /** The new user message's tokens. */
  questionTokens: number;
  /** Each earlier turn's question and answer tokens, oldest first. */
  turnTokens: readonly (readonly [question: number, answer: number])[];
  /** Tokens kept free for the answer. */
  answerTokens: number;
}

export interface ConversationFit {
  /** The oldest earlier turns left out. */
  turnsLeftOut: number;
  /** Tokens of the earlier turns kept, their template included. */
  historyTokens: number;
  /** An upper bound on the prompt's tokens with the turns kept. */
  promptTokens: number;
}

/** Keeps the newest earlier turns whose tokens fit beside the system message, the question and the answer's room. */
export function fitConversation(input: ConversationFitInput): ConversationFit {
  // System, question, and the assistant header that starts the answer.
  const fixed = input.systemTokens + input.questionTokens + 3 * MESSAGE_OVERHEAD_TOKENS;
  const room = input.contextLength - input.answerTokens - fixed;
  let historyTokens = 0;
  let kept = 0;
  for (let index = input.turnTokens.length - 1; index >= 0; index--) {
    const [question, answer] = input.turnTokens[index];
    const tokens = question + answer + 2 * MESSAGE_OVERHEAD_TOKENS;
    if (historyTokens + tokens > room) break;
    historyTokens += tokens;
    kept++;
  }
  return { turnsLeftOut: input.turnTokens.length - kept, historyTokens, promptTokens: fixed + historyTokens };
}

/** The answer's room: the answer limit when one is set, else an eighth of the context, at most 4,096. */
export function answerRoom(maxTokens: number | undefined, contextLength: number): number {
  return maxTokens !== undefined && maxTokens > 0 ? maxTokens : Math.min(4_096, Math.floor(contextLength / 8));
}

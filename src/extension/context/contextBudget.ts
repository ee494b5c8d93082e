/**
 * How many tokens of repository context a question gets (`hearth.context.maxTokens`). Pure, so the numbers are
 * unit-tested. The prompt also holds the instructions, the conversation and the question, and the answer needs
 * room after it: the block takes three quarters of the context less the answer's room by default, and never
 * more than what leaves that room.
 */

/** What `context/pack` accepts. */
export const MIN_CONTEXT_BUDGET = 256;
export const MAX_CONTEXT_BUDGET = 262_144;

/** Tokens kept free for the answer: an eighth of the context, at most 4,096. */
export function answerReserve(contextLength: number): number {
  return Math.min(4_096, Math.floor(contextLength / 8));
}

/** Tokens kept free for instructions, the conversation so far and the question: a sixteenth, at most 2,048. */
export function conversationReserve(contextLength: number): number {
  return Math.min(2_048, Math.floor(contextLength / 16));
}

/** The default budget for a model loaded with `contextLength` positions. */
export function defaultContextBudget(contextLength: number): number {
  return clampBudget(
    Math.min(Math.floor(contextLength * 0.75) - answerReserve(contextLength), largestBudget(contextLength)),
  );
}

/** The budget to pack at: the setting (0 = the default), capped to what fits beside the answer and conversation. */
export function contextBudget(setting: number, contextLength: number): number {
  if (!Number.isFinite(setting) || setting <= 0) return defaultContextBudget(contextLength);
  return clampBudget(Math.min(Math.floor(setting), largestBudget(contextLength)));
}

function largestBudget(contextLength: number): number {
  return contextLength - answerReserve(contextLength) - conversationReserve(contextLength);
}

function clampBudget(tokens: number): number {
  return Math.max(MIN_CONTEXT_BUDGET, Math.min(MAX_CONTEXT_BUDGET, tokens));
}

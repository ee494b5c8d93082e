import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { MAX_BUDGET_TOKENS, MIN_BUDGET_TOKENS } from '../context/contextPacker';

/**
 * Tokens the chat template adds around the messages (turn markers, an empty thinking block), with slack for
 * the few tokens that merge where the block meets the instructions after it.
 */
export const TEMPLATE_TOKENS = 32;

export interface ExplainBudgetInput {
  /** Positions the model serves (prompt and output together). */
  contextLength: number;
  /** Output the explanation may use. */
  maxTokens: number;
  /** Tokens of the prompt's own text: the messages with an empty repository block. */
  promptTokens: number;
}

/**
 * The repository block's budget when none is given: whatever the context leaves once the prompt's own text,
 * the template and the answer have their room, at most the packer's maximum. Throws ContextTooLarge when
 * that leaves less than the smallest block.
 */
export function explainBudget({ contextLength, maxTokens, promptTokens }: ExplainBudgetInput): number {
  const left = contextLength - maxTokens - promptTokens - TEMPLATE_TOKENS;
  if (left < MIN_BUDGET_TOKENS) {
    throw new EngineError(
      EngineErrorCode.ContextTooLarge,
      `A context of ${contextLength} tokens leaves ${Math.max(left, 0)} for the repository once ${maxTokens} are kept for the answer and ${promptTokens + TEMPLATE_TOKENS} for the prompt: fewer than ${MIN_BUDGET_TOKENS}.`,
      'Load the model with a larger --context, or ask for fewer --max-tokens.',
    );
  }
  return Math.min(left, MAX_BUDGET_TOKENS);
}

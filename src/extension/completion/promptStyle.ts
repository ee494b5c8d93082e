import type { ModelInfo, ModelKind } from '../../shared/protocol';
import { chatInsertionPrompt } from './chatInsertionPrompt';
import type { CompletionPrompt, CompletionPromptInput } from './completionPrompt';
import { fimPrompt } from './fimPrompt';

/**
 * How a completion prompt is written for a model:
 * - `fim`: fill-in-the-middle with Qwen2.5-Coder's repository-level layout, for models trained on it;
 * - `chat`: a non-thinking chat turn that asks for the insertion only. Plain Qwen3 chat models are not FIM-trained
 *   (asked to fill in the middle they think at length and return nothing), although their vocabulary has the
 *   FIM tokens.
 */
export type PromptStyle = 'fim' | 'chat';

/** The model in the completion role is the one `hearth.model.completionPath` names: a FIM model by definition. */
export function promptStyleFor(model: Pick<ModelInfo, 'role' | 'architecture' | 'kind' | 'hasFimTokens'>): PromptStyle {
  if (!model.hasFimTokens) return 'chat';
  if (model.role === 'completion') return 'fim';
  // A Qwen2 checkpoint with the FIM tokens and no chat template is a base coder model (Qwen2.5-Coder).
  return model.architecture === 'qwen2' && model.kind === null ? 'fim' : 'chat';
}

export function buildCompletionPrompt(
  style: PromptStyle,
  kind: ModelKind | null,
  input: CompletionPromptInput,
): CompletionPrompt {
  return style === 'fim' ? fimPrompt(input) : chatInsertionPrompt(input, kind);
}

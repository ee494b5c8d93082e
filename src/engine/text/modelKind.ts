/**
 * How a chat model thinks (ModelKind), read from its own chat template:
 * - `hybrid`: Qwen3 (April 2025). Thinks by default; `enable_thinking: false` closes an empty think block in
 *   the prompt, and `/think`, `/no_think` in a user turn switch per turn.
 * - `instruct-2507`: Qwen3-Instruct-2507, and any template that never opens a think block: never thinks.
 * - `thinking-2507`: Qwen3-Thinking-2507: always thinks. Its generation prompt already opens `<think>`, so
 *   the output starts inside the reasoning and may hold only the closing `</think>`.
 */
import type { ModelKind, ThinkingMode } from '../../shared/protocol';
import type { ReasoningStart } from '../../shared/reasoningParser';

export interface ThinkingDecision {
  /** Whether the model thinks for this request; the template's `enable_thinking`. */
  enabled: boolean;
  /** What decided: the model (it can only do one), a soft switch in the last user turn, or the request. */
  decidedBy: 'model' | 'soft-switch' | 'request';
}

/**
 * Classifies a template by what it does: a template that reads `enable_thinking` is hybrid; one whose
 * generation prompt opens `<think>` always thinks; anything else never does.
 *
 * @param templateText the Jinja source
 * @param generationPrompt what `add_generation_prompt` appends after a one-user-turn conversation
 */
export function detectModelKind(templateText: string, generationPrompt: string): ModelKind {
  if (/\benable_thinking\b/.test(templateText)) return 'hybrid';
  if (generationPrompt.trimEnd().endsWith('<think>')) return 'thinking-2507';
  return 'instruct-2507';
}

/**
 * Decides whether a request thinks. On a hybrid model the last `/think` or `/no_think` in the latest user
 * turn wins over the request's mode, as the Qwen3 model card describes; the other kinds can do only one
 * thing, whatever was asked.
 */
export function resolveThinking(
  kind: ModelKind,
  requested: ThinkingMode,
  messages: readonly { role: string; content: string }[],
): ThinkingDecision {
  if (kind === 'instruct-2507') return { enabled: false, decidedBy: 'model' };
  if (kind === 'thinking-2507') return { enabled: true, decidedBy: 'model' };
  const softSwitch = lastSoftSwitch(messages);
  if (softSwitch !== undefined) return { enabled: softSwitch, decidedBy: 'soft-switch' };
  return { enabled: requested !== 'off', decidedBy: 'request' };
}

export function reasoningStartFor(kind: ModelKind): ReasoningStart {
  switch (kind) {
    case 'hybrid':
      return 'optional';
    case 'instruct-2507':
      return 'content';
    case 'thinking-2507':
      return 'inside';
  }
}

/** true for `/think`, false for `/no_think`, from the last one in the latest user turn. */
function lastSoftSwitch(messages: readonly { role: string; content: string }[]): boolean | undefined {
  let lastUser: { content: string } | undefined;
  for (const message of messages) if (message.role === 'user') lastUser = message;
  if (lastUser === undefined) return undefined;
  // A switch is a word of its own: "/think" in "src/think.ts", "/think.md" or "/thinking" is not one.
  const switches = [...lastUser.content.matchAll(/(?<![\w/.-])\/(think|no_think)(?![\w/-]|\.\w)/g)];
  const last = switches.at(-1);
  return last === undefined ? undefined : last[1] === 'think';
}

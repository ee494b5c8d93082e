import type { ModelKind, PromptPart } from '../../shared/protocol';
import {
  compactParts,
  MAX_TOKENS,
  shapeStops,
  withFinalNewline,
  type CompletionPrompt,
  type CompletionPromptInput,
} from './completionPrompt';

/** Where the missing code goes: the start of the cursor's line (the answer begins with that line). */
export const FILL_MARKER = '<FILL>';

export const CHAT_SYSTEM_PROMPT =
  `You are a code completion engine in a code editor. The user shows a file in which ${FILL_MARKER} marks where code is missing; ` +
  `the missing code starts at the beginning of that line. Reply with one fenced code block that holds only the missing code, ` +
  `starting at the beginning of the line. Never repeat code that comes after ${FILL_MARKER}. No explanations.`;

const INSTRUCTION = {
  'single-line': 'Write only the rest of this one line.',
  'multi-line': 'Write the missing lines, up to the end of the current block.',
} as const;

const token = (text: string): PromptPart => ({ token: text });

/**
 * The non-thinking chat prompt for models that are not FIM-trained, in Qwen's chat format with control tokens
 * placed as tokens. It renders what the checkpoint's template renders for [system, user] with
 * `add_generation_prompt` and `enable_thinking: false` — the empty think block — then starts the answer itself:
 * the opening fence and the cursor's line as typed so far, so the model continues the code at the cursor.
 *
 * Order for the prefix cache: system, repository snippets, lines above, then what changes as the user types.
 */
export function chatInsertionPrompt(input: CompletionPromptInput, kind: ModelKind | null): CompletionPrompt {
  const { windows } = input;
  const fence = fenceFor([windows.before, windows.lineSuffix, windows.after, ...input.snippets.map((s) => s.text)]);
  const language = input.languageId === 'plaintext' ? '' : input.languageId;
  const parts: PromptPart[] = [
    token('<|im_start|>'),
    `system\n${CHAT_SYSTEM_PROMPT}`,
    token('<|im_end|>'),
    '\n',
    token('<|im_start|>'),
    'user\n',
  ];
  if (input.snippets.length > 0) {
    parts.push(`Code from the repository ${input.repoName}:\n\n`);
    for (const snippet of input.snippets)
      parts.push(`${snippet.path}\n${fence}\n${withFinalNewline(snippet.text)}${fence}\n\n`);
  }
  parts.push(
    `Complete the code at ${FILL_MARKER} in ${input.path}:\n${fence}${language}\n`,
    windows.before,
    `${FILL_MARKER}${windows.lineSuffix}${windows.after}\n${fence}\n\n${INSTRUCTION[input.shape]}`,
    token('<|im_end|>'),
    '\n',
    token('<|im_start|>'),
    'assistant\n',
  );
  // Qwen3's template closes an empty think block when thinking is off; Thinking-2507 opens one itself.
  if (kind === 'hybrid' || kind === 'thinking-2507') parts.push(token('<think>'), '\n\n', token('</think>'), '\n\n');
  parts.push(`${fence}${language}\n${windows.linePrefix}`);
  return {
    parts: compactParts(parts),
    stop: [fence, ...shapeStops(input.shape)],
    maxTokens: MAX_TOKENS[input.shape],
    fence,
  };
}

/** Three backticks, or one more than the longest run in the text shown, so the text cannot close the fence. */
export function fenceFor(texts: readonly string[]): string {
  let longest = 0;
  for (const text of texts) for (const run of text.match(/`{3,}/g) ?? []) longest = Math.max(longest, run.length);
  return '`'.repeat(Math.max(3, longest + 1));
}

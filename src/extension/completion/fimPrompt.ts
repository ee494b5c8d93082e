import type { PromptPart } from '../../shared/protocol';
import {
  compactParts,
  MAX_TOKENS,
  shapeStops,
  withFinalNewline,
  type CompletionPrompt,
  type CompletionPromptInput,
} from './completionPrompt';

const token = (text: string): PromptPart => ({ token: text });

/**
 * Qwen2.5-Coder's repository-level fill-in-the-middle prompt:
 *
 *   <|repo_name|>repo\n <|file_sep|>path\ncontent ... <|file_sep|>current/path\n
 *   <|fim_prefix|>lines above<|fim_suffix|>rest of the line + lines below<|fim_middle|>line up to the cursor
 *
 * The current line's typed part goes after `<|fim_middle|>` (as llama.cpp's /infill and llama.vscode do), so
 * that a keystroke changes only the last few tokens and the engine's prefix cache holds everything before them.
 */
export function fimPrompt(input: CompletionPromptInput): CompletionPrompt {
  const { windows } = input;
  const parts: PromptPart[] = [token('<|repo_name|>'), `${input.repoName}\n`];
  for (const snippet of input.snippets)
    parts.push(token('<|file_sep|>'), `${snippet.path}\n${withFinalNewline(snippet.text)}`);
  parts.push(
    token('<|file_sep|>'),
    `${input.path}\n`,
    token('<|fim_prefix|>'),
    windows.before,
    token('<|fim_suffix|>'),
    windows.lineSuffix + windows.after,
    token('<|fim_middle|>'),
    windows.linePrefix,
  );
  return { parts: compactParts(parts), stop: shapeStops(input.shape), maxTokens: MAX_TOKENS[input.shape] };
}

import type { PromptPart } from '../../shared/protocol';
import type { CompletionShape } from './completionShape';
import type { CursorWindows } from './cursorWindows';

/** A piece of another file (or of a distant part of this one) that the prompt shows before the current file. */
export interface ContextSnippet {
  /** Workspace-relative. */
  readonly path: string;
  readonly text: string;
}

export interface CompletionPromptInput {
  /** The workspace folder's name. */
  readonly repoName: string;
  /** In prompt order, the slowest-changing first: repository context, then recently edited chunks, oldest first. */
  readonly snippets: readonly ContextSnippet[];
  /** The current file, workspace-relative. */
  readonly path: string;
  readonly languageId: string;
  readonly windows: CursorWindows;
  readonly shape: CompletionShape;
}

/** A `complete` request's prompt, stop strings and output budget. */
export interface CompletionPrompt {
  readonly parts: PromptPart[];
  readonly stop: string[];
  readonly maxTokens: number;
  /** The chat prompt's code fence, which the answer closes; undefined for FIM. */
  readonly fence?: string;
}

/** Enough for a long line; a block of about a dozen lines. Generation past the insertion is wasted latency. */
export const MAX_TOKENS: Record<CompletionShape, number> = { 'single-line': 48, 'multi-line': 160 };

/** A single-line answer ends at its newline; a block ends at an empty line pair at the latest. */
export function shapeStops(shape: CompletionShape): string[] {
  return shape === 'single-line' ? ['\n'] : ['\n\n\n'];
}

export function withFinalNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/** Drops empty text parts: they add no tokens, and leaving them out keeps prompts easy to compare. */
export function compactParts(parts: readonly PromptPart[]): PromptPart[] {
  return parts.filter((part) => part !== '');
}

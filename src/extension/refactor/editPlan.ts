/**
 * Where a code block from the model goes in a file (pure, on offsets): in place of the selection if there is
 * one; in place of the whole file when the block looks like a whole new version of it; else at the cursor.
 * The new text has `\n` line breaks, whatever the model wrote (ChangeProposals gives it the document's).
 */
import { withLineEnding } from '../lineBreaks';

export type ApplyMode = 'selection' | 'file' | 'cursor';

export interface ApplyInput {
  /** The document's text. */
  text: string;
  /** The selection as offsets into `text`; empty (start = end) is the cursor. */
  selection: { start: number; end: number };
  code: string;
}

export interface ApplyPlan {
  mode: ApplyMode;
  start: number;
  end: number;
  newText: string;
}

export function planApply({ text, selection, code }: ApplyInput): ApplyPlan {
  if (selection.end > selection.start) return { mode: 'selection', ...replacementFor(text, selection, code) };
  const lfCode = withLineEnding(code, '\n');
  if (looksLikeWholeFile(lfCode, text))
    return { mode: 'file', start: 0, end: text.length, newText: withNewlineLike(lfCode, text) };
  return { mode: 'cursor', start: selection.start, end: selection.start, newText: lfCode };
}

/** The replacement of a selection: indented like the selected lines, ending like the selection does. */
export function replacementFor(
  text: string,
  selection: { start: number; end: number },
  code: string,
): { start: number; end: number; newText: string } {
  const selected = text.slice(selection.start, selection.end);
  let newText = withLineEnding(code, '\n');
  // Code blocks end with a newline: a selection that does not would gain a blank line, and one of whole lines
  // would lose its line break to code without one.
  if (!selected.endsWith('\n') && newText.endsWith('\n')) newText = newText.slice(0, -1);
  else if (selected.endsWith('\n') && !newText.endsWith('\n')) newText += '\n';
  const startsLine = selection.start === 0 || text[selection.start - 1] === '\n';
  if (startsLine) newText = reindent(newText, commonIndent(selected));
  return { start: selection.start, end: selection.end, newText };
}

/**
 * True when `code` reads as a new version of the whole file rather than a piece of it: the file is empty, or
 * the block is at least half the file's length in lines and shares at least half of its distinct lines.
 */
export function looksLikeWholeFile(code: string, fileText: string): boolean {
  const fileLines = meaningfulLines(fileText);
  if (fileLines.length === 0) return true;
  const codeLines = meaningfulLines(code);
  if (codeLines.length < fileLines.length / 2) return false;
  const fileSet = new Set(fileLines);
  const shared = new Set(codeLines.filter((line) => fileSet.has(line)));
  return shared.size >= fileSet.size / 2;
}

/** The indentation every non-blank line of `text` starts with. */
export function commonIndent(text: string): string {
  let common: string | undefined;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (common === undefined) common = indent;
    else while (!indent.startsWith(common)) common = common.slice(0, -1);
  }
  return common ?? '';
}

/** Indents `code` by `indent` when it has no indentation of its own (models often drop the base indent). */
export function reindent(code: string, indent: string): string {
  if (indent === '' || commonIndent(code) !== '') return code;
  return code
    .split('\n')
    .map((line) => (line.trim() === '' ? line : `${indent}${line}`))
    .join('\n');
}

function meaningfulLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/** A whole-file replacement keeps the file's final-newline convention. */
function withNewlineLike(code: string, fileText: string): string {
  if (fileText === '' || fileText.endsWith('\n') === code.endsWith('\n')) return code;
  return fileText.endsWith('\n') ? `${code}\n` : code.slice(0, -1);
}

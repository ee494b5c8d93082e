import type { CursorWindows } from './cursorWindows';

/**
 * How much a suggestion may hold: the rest of the current line, or a block of lines. Decided from the syntax at
 * the cursor, as Copilot does: a block only where one is clearly wanted — the body of a block just opened and
 * still empty, or a blank line under a comment that says what comes next; anywhere else the rest of the line.
 */
export type CompletionShape = 'single-line' | 'multi-line';

/** A line that opens a block: ends with `{`, `=>`, or a keyword that starts a body. */
const BLOCK_OPENER = /(?:\{|=>|\b(?:do|then|else|begin))\s*$/;
/** On the line above the cursor, an open bracket starts a list of lines too (arguments, elements). */
const LIST_OPENER = /[([]\s*$/;
/** Python's (and similar) `:` opens a block only after a compound-statement keyword; `x: number` does not. */
const COLON_BLOCK_OPENER =
  /^\s*(?:async\s+)?(?:def|class|if|elif|else|for|while|try|except|finally|with|match|case)\b.*:\s*$/;
/** A comment line, or the end of a block comment or docstring. */
const COMMENT_LINE = /^\s*(?:\/\/|#(?!include|define|if|endif|pragma)|--|\*|\/\*|"""|''')|\*\/\s*$/;
/** What may follow the cursor on its line without making the insertion a mid-line one. */
const CLOSERS_ONLY = /^[\s)\]}>;,'"`]*$/;

export function completionShape(windows: CursorWindows): CompletionShape {
  const { linePrefix, lineSuffix } = windows;
  if (!CLOSERS_ONLY.test(lineSuffix)) return 'single-line'; // mid-line: finish this line only
  if (linePrefix.trim() !== '')
    return opensBlock(linePrefix) ? emptyBlockShape(windows, indentation(linePrefix)) : 'single-line';

  const above = lastNonBlankLine(windows.before);
  if (above === undefined) return 'multi-line'; // the start of a file
  if (COMMENT_LINE.test(above)) return 'multi-line';
  return opensBlock(above) || LIST_OPENER.test(above) ? emptyBlockShape(windows, indentation(above)) : 'single-line';
}

/** The line ends by opening a block whose body comes on the next lines. */
export function opensBlock(line: string): boolean {
  return BLOCK_OPENER.test(line) || COLON_BLOCK_OPENER.test(line);
}

/** Multi-line when the block opened at `openerIndent` has no body yet: what follows closes it or is outside it. */
function emptyBlockShape(windows: CursorWindows, openerIndent: number): CompletionShape {
  if (windows.lineSuffix.trim() !== '') return 'multi-line'; // `{|}`
  const next = firstNonBlankLine(windows.after);
  return next === undefined || indentation(next) <= openerIndent ? 'multi-line' : 'single-line';
}

export function indentation(line: string): number {
  return line.length - line.trimStart().length;
}

function lastNonBlankLine(text: string): string | undefined {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i].trim() !== '') return lines[i];
  return undefined;
}

function firstNonBlankLine(text: string): string | undefined {
  return text.split('\n').find((line) => line.trim() !== '');
}

/**
 * The text around the cursor that a completion prompt shows, cut so that consecutive requests share as long a
 * token prefix as possible (the engine then prefills only the changed tail):
 * - `before`: whole lines above the cursor's line. Its first line is aligned to a multiple of `alignLines`,
 *   so that typing new lines moves the window's start only now and then, not on every line.
 * - `linePrefix`: the cursor's line up to the cursor — the only part that changes on most keystrokes, so the
 *   prompts put it last.
 * - `lineSuffix` + `after`: the rest of the line and the lines below, which typing at the cursor leaves alone.
 */
export interface CursorWindows {
  /** Whole lines, each ending in `\n`. */
  readonly before: string;
  /** The document line where `before` starts. */
  readonly beforeStartLine: number;
  readonly linePrefix: string;
  readonly lineSuffix: string;
  /** The lines after the cursor's line, each starting with `\n`; empty at the end of the document. */
  readonly after: string;
}

/** A document's lines without their line endings (a VS Code TextDocument through a thin adapter). */
export interface TextLines {
  readonly lineCount: number;
  line(index: number): string;
}

export interface WindowLimits {
  /** Most characters of `before` (about 4 characters a token for code). */
  readonly beforeChars: number;
  /** Most characters of `lineSuffix` + `after`. */
  readonly afterChars: number;
  /** `before` starts on a multiple of this many lines. */
  readonly alignLines: number;
}

export const DEFAULT_WINDOW_LIMITS: WindowLimits = { beforeChars: 6000, afterChars: 1500, alignLines: 16 };

export function cursorWindows(
  lines: TextLines,
  position: { line: number; character: number },
  limits: WindowLimits = DEFAULT_WINDOW_LIMITS,
): CursorWindows {
  const cursorLine = lines.line(position.line);
  const character = Math.min(position.character, cursorLine.length);

  // The earliest start that fits the budget, then the next aligned line at or after it.
  let used = 0;
  let earliest = position.line;
  while (earliest > 0 && used + lines.line(earliest - 1).length + 1 <= limits.beforeChars) {
    used += lines.line(earliest - 1).length + 1;
    earliest--;
  }
  const align = Math.max(1, limits.alignLines);
  const start = Math.min(position.line, Math.ceil(earliest / align) * align);
  let before = '';
  for (let i = start; i < position.line; i++) before += `${lines.line(i)}\n`;

  const lineSuffix = cursorLine.slice(character);
  let after = '';
  let budget = limits.afterChars - lineSuffix.length;
  for (let i = position.line + 1; i < lines.lineCount; i++) {
    const text = lines.line(i);
    if (text.length + 1 > budget) break;
    after += `\n${text}`;
    budget -= text.length + 1;
  }
  return { before, beforeStartLine: start, linePrefix: cursorLine.slice(0, character), lineSuffix, after };
}

/** Lines of a string, for tests and for text that is not in an editor. */
export function linesOf(text: string): TextLines {
  const split = text.split(/\r?\n/);
  return { lineCount: split.length, line: (index) => split[index] ?? '' };
}

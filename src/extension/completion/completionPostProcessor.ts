import { withLineEnding } from '../lineBreaks';
import { indentation, opensBlock, type CompletionShape } from './completionShape';
import type { CursorWindows } from './cursorWindows';
import type { PromptStyle } from './promptStyle';

export interface PostProcessContext {
  readonly windows: CursorWindows;
  readonly shape: CompletionShape;
  readonly style: PromptStyle;
  /** The generation was cut short (time budget, cancellation): its last line may be unfinished. */
  readonly truncated: boolean;
}

/** A prefix echoed back is removed only when it is long enough not to be a plausible continuation itself. */
const MIN_ECHO_LENGTH = 4;

/**
 * Turns a model's raw output into the text to insert at the cursor, or undefined when nothing useful is left:
 * strips reasoning and code fences (chat answers), an echo of the typed line, text that the suffix already has,
 * and cuts at the end of the line or block the shape allows. A suggestion that only repeats the text after the
 * cursor is dropped.
 */
export function postProcessCompletion(raw: string, context: PostProcessContext): string | undefined {
  const { windows, shape } = context;
  // Every line break an editor counts (a lone \r too), so that the cut at the end of the line holds.
  let text = withLineEnding(raw, '\n');
  if (context.style === 'chat') {
    const answer = stripReasoning(text);
    if (answer === undefined) return undefined;
    text = stripFences(answer, windows.linePrefix);
  }
  text = stripEchoedPrefix(text, windows, context.style);
  text = shape === 'single-line' ? firstLine(text) : blockOnly(text, windows, context.truncated);
  text = stripSuffixOverlap(text, windows, shape).trimEnd();
  if (text.trim() === '' || repeatsFollowingText(text, windows)) return undefined;
  return text;
}

/** The answer after a think block; undefined when the output is reasoning that never ended. */
export function stripReasoning(text: string): string | undefined {
  const close = text.lastIndexOf('</think>');
  if (close >= 0) return text.slice(close + '</think>'.length).replace(/^\n+/, '');
  return /^\s*<think>/.test(text) ? undefined : text;
}

/** A fence the model opened again (the prompt opened one already), and everything from the closing fence on. */
function stripFences(text: string, linePrefix: string): string {
  if (linePrefix.trim() === '') text = text.replace(/^\s*`{3,}[\w+#.-]*[ \t]*\n/, '');
  const closing = /^[ \t]*`{3,}/m.exec(text);
  return closing ? text.slice(0, closing.index) : text;
}

/**
 * The typed part of the line, or the line above, written again at the start of the answer. A chat model that
 * starts its line over repeats the indentation the line already has, too.
 */
function stripEchoedPrefix(text: string, { linePrefix, before }: CursorWindows, style: PromptStyle): string {
  const typed = linePrefix.trimStart();
  if (typed.length >= MIN_ECHO_LENGTH) {
    if (text.startsWith(linePrefix)) return text.slice(linePrefix.length);
    if (text.startsWith(typed)) return text.slice(typed.length);
  }
  if (typed !== '') return text;
  const previous = before.trimEnd().split('\n').at(-1)?.trim() ?? '';
  const [first, ...rest] = text.split('\n');
  if (previous.length >= MIN_ECHO_LENGTH && first.trim() === previous && rest.length > 0)
    return withoutIndent(rest.join('\n'), linePrefix);
  return style === 'chat' ? withoutIndent(text, linePrefix) : text;
}

/** `text` without the indentation the cursor's line already has, when it starts with it. */
function withoutIndent(text: string, indent: string): string {
  return indent !== '' && text.startsWith(indent) ? text.slice(indent.length) : text;
}

function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end < 0 ? text : text.slice(0, end);
}

/**
 * The lines up to the end of the block being written: the first line (after the first) indented less than the
 * block's body closes it, and the editor already has what comes after. A cut-short last line is dropped.
 */
function blockOnly(text: string, windows: CursorWindows, truncated: boolean): string {
  const lines = text.split('\n');
  if (truncated && lines.length > 1) lines.pop();
  const bodyIndent = blockBodyIndent(windows, lines[0]);
  const end = lines.findIndex((line, i) => i > 0 && line.trim() !== '' && indentation(line) < bodyIndent);
  return (end < 0 ? lines : lines.slice(0, end)).join('\n');
}

function blockBodyIndent({ linePrefix }: CursorWindows, firstLineOfAnswer: string): number {
  if (linePrefix.trim() === '') return indentation(linePrefix + firstLineOfAnswer);
  // After an opener (`{`, `:`), anything back at the line's own indentation ends the body.
  return indentation(linePrefix) + (opensBlock(linePrefix) ? 1 : 0);
}

/** The end of the answer that the text after the cursor starts with: `foo(a)` before `)` becomes `foo(a`. */
function stripSuffixOverlap(text: string, { lineSuffix, after }: CursorWindows, shape: CompletionShape): string {
  if (shape === 'single-line') {
    const suffix = lineSuffix.trimEnd();
    for (let k = Math.min(suffix.length, text.length); k > 0; k--) {
      if (text.endsWith(suffix.slice(0, k))) return text.slice(0, text.length - k);
    }
    return text;
  }
  // Whole closing lines (`}`) the document already has after the cursor.
  const following = nonBlankLines(lineSuffix + after);
  const lines = text.trimEnd().split('\n');
  for (let k = Math.min(following.length, lines.length - 1); k > 0; k--) {
    const tail = nonBlankLines(lines.slice(lines.length - k).join('\n'));
    if (tail.length === k && tail.every((line, i) => line === following[i]))
      return lines.slice(0, lines.length - k).join('\n');
  }
  return text;
}

/** The answer, whitespace aside, is what the document already has right after the cursor. */
function repeatsFollowingText(text: string, { lineSuffix, after }: CursorWindows): boolean {
  const normalize = (value: string) => nonBlankLines(value).join('\n');
  const answer = normalize(text);
  return answer !== '' && normalize(lineSuffix + after).startsWith(answer);
}

function nonBlankLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

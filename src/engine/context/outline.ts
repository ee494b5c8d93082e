/**
 * A file's outline: the signature lines of its definitions, each with its 1-based line number, and `⋮` where
 * lines are left out. Rendered once when the file is parsed, so packing needs no file read for outlines.
 */
import type { SymbolDefinition } from './fileSymbols';

export const ELISION = '⋮';
export const LINE_NUMBER_SEPARATOR = '│';
/** Signature lines longer than this are cut: a header that long is data, not an interface. */
const MAX_OUTLINE_LINE_CHARS = 240;

/** Inclusive 1-based line range; `whole` lines are never cut. */
export interface LineRange {
  readonly from: number;
  readonly to: number;
  readonly whole?: boolean;
}

export function renderOutline(content: string, definitions: readonly SymbolDefinition[]): string {
  if (definitions.length === 0) return '';
  return renderLines(
    content,
    definitions.map((d) => ({ from: d.line, to: d.endLine })),
  );
}

/** The lines of `ranges`, numbered, with `⋮` for each run of lines left out (also before and after). */
export function renderLines(content: string, ranges: readonly LineRange[]): string {
  const lines = content.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const shown = new Map<number, boolean>();
  for (const { from, to, whole = false } of ranges) {
    for (let line = from; line <= to && line <= lines.length; line++)
      shown.set(line, whole || shown.get(line) === true);
  }
  const out: string[] = [];
  let previous = 0;
  for (const line of [...shown.keys()].sort((a, b) => a - b)) {
    if (line > previous + 1) out.push(ELISION);
    const text = lines[line - 1].replace(/\r$/, '');
    out.push(`${line}${LINE_NUMBER_SEPARATOR}${shown.get(line) === true ? text : clip(text)}`);
    previous = line;
  }
  if (previous < lines.length) out.push(ELISION);
  return out.join('\n') + '\n';
}

function clip(line: string): string {
  return line.length <= MAX_OUTLINE_LINE_CHARS ? line : `${line.slice(0, MAX_OUTLINE_LINE_CHARS)}…`;
}

/**
 * A file's outline: the signature lines of its definitions, each with its 1-based line number, and `⋮` where
 * lines are left out. Rendered once when the file is parsed, so packing needs no file read for outlines.
 */
import type { SymbolDefinition } from './fileSymbols';

export const ELISION = '⋮';
const LINE_NUMBER_SEPARATOR = '│';
/** Signature lines longer than this are cut: a header that long is data, not an interface. */
const MAX_OUTLINE_LINE_CHARS = 240;

export function renderOutline(content: string, definitions: readonly SymbolDefinition[]): string {
  if (definitions.length === 0) return '';
  const lines = content.split('\n');
  if (lines.at(-1) === '') lines.pop();
  const shown = new Set<number>();
  for (const definition of definitions) {
    for (let line = definition.line; line <= definition.endLine && line <= lines.length; line++) shown.add(line);
  }
  const out: string[] = [];
  let previous = 0;
  for (const line of [...shown].sort((a, b) => a - b)) {
    if (line > previous + 1) out.push(ELISION);
    out.push(`${line}${LINE_NUMBER_SEPARATOR}${clip(lines[line - 1].replace(/\r$/, ''))}`);
    previous = line;
  }
  if (previous < lines.length) out.push(ELISION);
  return out.join('\n') + '\n';
}

function clip(line: string): string {
  return line.length <= MAX_OUTLINE_LINE_CHARS ? line : `${line.slice(0, MAX_OUTLINE_LINE_CHARS)}…`;
}

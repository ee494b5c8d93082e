/**
 * The excerpt tier, between a whole file and its outline: the definitions that match the question shown
 * whole, inside the outline of the rest; for a file without definitions, its first lines.
 */
import type { SymbolDefinition } from '../fileSymbols';
import { renderLines, type LineRange } from '../outline';
import type { LexicalIndex } from './lexicalIndex';
import { addTextTerms } from './searchTerms';

/** Source averages about 3.5 characters per token; an excerpt is sized by this before it is counted. */
const CHARS_PER_TOKEN = 3.5;
/** A definition's name counts this many times over its body, as a file's path and names do (searchBag.ts). */
const NAME_WEIGHT = 3;

export interface ExcerptInput {
  readonly content: string;
  readonly definitions: readonly SymbolDefinition[];
}

/**
 * Definitions of the file by how well they match `terms`, best first, leaving out any that contains or sits
 * inside a better one (a class whose method matched shows the method, not itself whole).
 */
export function matchingDefinitions(
  file: ExcerptInput,
  terms: readonly string[],
  lexical: LexicalIndex,
): SymbolDefinition[] {
  if (terms.length === 0) return [];
  const lines = file.content.split('\n');
  const scored = file.definitions
    .map((definition) => {
      const bag = addTextTerms(lines.slice(definition.line - 1, definition.lastLine).join('\n'));
      addTextTerms(definition.name, bag, NAME_WEIGHT);
      return { definition, score: lexical.scoreBag(bag, terms) };
    })
    .filter(({ score }) => score > 0)
    .sort((a, b) => b.score - a.score || a.definition.line - b.definition.line);
  const chosen: SymbolDefinition[] = [];
  for (const { definition } of scored) {
    const overlaps = chosen.some((c) => c.line <= definition.lastLine && definition.line <= c.lastLine);
    if (!overlaps) chosen.push(definition);
  }
  return chosen;
}

/**
 * The outline with `shown` definitions whole, as many of them as fit about `maxTokens` in order; without the
 * outline when even the first does not fit beside it; undefined when it does not fit alone.
 */
export function renderExcerpt(
  file: ExcerptInput,
  shown: readonly SymbolDefinition[],
  maxTokens: number,
): string | undefined {
  const signatures = file.definitions.map((d): LineRange => ({ from: d.line, to: d.endLine }));
  return excerptWith(file.content, signatures, shown, maxTokens) ?? excerptWith(file.content, [], shown, maxTokens);
}

function excerptWith(
  content: string,
  context: readonly LineRange[],
  shown: readonly SymbolDefinition[],
  maxTokens: number,
): string | undefined {
  const whole: LineRange[] = [];
  let text: string | undefined;
  for (const definition of shown) {
    const range: LineRange = { from: definition.line, to: definition.lastLine, whole: true };
    const candidate = renderLines(content, [...context, ...whole, range]);
    if (candidate.length / CHARS_PER_TOKEN > maxTokens) continue;
    whole.push(range);
    text = candidate;
  }
  return text;
}

/** The first lines of a file that fit about `maxTokens`, numbered, with `⋮` for the rest; undefined if none fit. */
export function renderHead(content: string, maxTokens: number): string | undefined {
  const maxChars = maxTokens * CHARS_PER_TOKEN;
  let end = 0;
  let lines = 0;
  while (end < content.length) {
    const next = content.indexOf('\n', end);
    const lineEnd = next === -1 ? content.length : next + 1;
    // Each line gains its number and separator.
    if (lineEnd + (lines + 1) * 6 > maxChars) break;
    end = lineEnd;
    lines++;
  }
  return lines === 0 ? undefined : renderLines(content, [{ from: 1, to: lines, whole: true }]);
}

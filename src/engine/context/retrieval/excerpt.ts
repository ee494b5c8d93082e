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
/** A numbered line's number, separator and newline. */
const LINE_NUMBER_CHARS = 6;

export interface ExcerptInput {
  readonly content: string;
  readonly definitions: readonly SymbolDefinition[];
}

/** Per definitions list (one per parse of a file), the search bag of each definition. */
const definitionBags = new WeakMap<readonly SymbolDefinition[], Map<string, number>[]>();

/** The innermost definitions of the file that match `terms`, best first; none overlaps another. */
export function matchingDefinitions(
  file: ExcerptInput,
  terms: readonly string[],
  lexical: LexicalIndex,
): SymbolDefinition[] {
  if (terms.length === 0 || file.definitions.length === 0) return [];
  let bags = definitionBags.get(file.definitions);
  if (bags === undefined) {
    const lines = file.content.split('\n');
    bags = file.definitions.map((definition) =>
      addTextTerms(
        definition.name,
        addTextTerms(lines.slice(definition.line - 1, definition.lastLine).join('\n')),
        NAME_WEIGHT,
      ),
    );
    definitionBags.set(file.definitions, bags);
  }
  const matching = file.definitions
    .map((definition, i) => ({ definition, score: lexical.scoreBag(bags[i], terms) }))
    .filter(({ score }) => score > 0);
  const inside = (inner: SymbolDefinition, outer: SymbolDefinition): boolean =>
    inner !== outer && outer.line <= inner.line && inner.lastLine <= outer.lastLine;
  const chosen: SymbolDefinition[] = [];
  // The innermost matches: a class whose method matched shows the method, not itself whole.
  for (const { definition } of matching
    .filter(({ definition }) => !matching.some((other) => inside(other.definition, definition)))
    .sort((a, b) => b.score - a.score || a.definition.line - b.definition.line)) {
    if (!chosen.some((c) => c.line <= definition.lastLine && definition.line <= c.lastLine)) chosen.push(definition);
  }
  return chosen;
}

/**
 * The outline with `shown` definitions whole, as many of them as fit about `maxTokens` in order; without the
 * outline when asked, or when even the first does not fit beside it; undefined when it does not fit alone.
 */
export function renderExcerpt(
  file: ExcerptInput,
  shown: readonly SymbolDefinition[],
  maxTokens: number,
  options: { outline?: boolean } = {},
): string | undefined {
  const lines = file.content.split('\n');
  const signatures = file.definitions.map((d): LineRange => ({ from: d.line, to: d.endLine }));
  const wholes =
    (options.outline === false ? undefined : excerptRanges(lines, signatures, shown, maxTokens)) ??
    excerptRanges(lines, [], shown, maxTokens);
  return wholes === undefined ? undefined : renderLines(file.content, wholes);
}

/** `context` and as many of `shown` whole as fit, by the characters they render to; undefined if none fits. */
function excerptRanges(
  lines: readonly string[],
  context: readonly LineRange[],
  shown: readonly SymbolDefinition[],
  maxTokens: number,
): LineRange[] | undefined {
  const maxChars = maxTokens * CHARS_PER_TOKEN;
  const taken = new Set<number>();
  const lastOf = (to: number): number => Math.min(to, lines.length);
  const cost = (from: number, to: number): number => {
    let chars = 0;
    for (let line = from; line <= lastOf(to); line++)
      if (!taken.has(line)) chars += lines[line - 1].length + LINE_NUMBER_CHARS;
    return chars;
  };
  const take = (from: number, to: number): void => {
    for (let line = from; line <= lastOf(to); line++) taken.add(line);
  };
  let chars = 0;
  for (const range of context) {
    chars += cost(range.from, range.to);
    take(range.from, range.to);
  }
  const ranges = [...context];
  let any = false;
  for (const definition of shown) {
    const added = cost(definition.line, definition.lastLine);
    if (chars + added > maxChars) continue;
    chars += added;
    take(definition.line, definition.lastLine);
    ranges.push({ from: definition.line, to: definition.lastLine, whole: true });
    any = true;
  }
  return any ? ranges : undefined;
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
    if (lineEnd + (lines + 1) * LINE_NUMBER_CHARS > maxChars) break;
    end = lineEnd;
    lines++;
  }
  return lines === 0 ? undefined : renderLines(content, [{ from: 1, to: lines, whole: true }]);
}

/**
 * The excerpt tier, between a whole file and its outline: the definitions that match the question shown
 * whole, inside the outline of the rest; for a file without definitions, its first lines.
 */
import type { SymbolDefinition, SymbolKind } from '../fileSymbols';
import { renderLines, type LineRange } from '../outline';
import { bagLength, type LexicalIndex } from './lexicalIndex';
import { addTextTerms } from './searchTerms';

/** Source averages about 3.5 characters per token; an excerpt is sized by this before it is counted. */
const CHARS_PER_TOKEN = 3.5;
/** A definition's name counts this many times over its body, as a file's path and names do (searchBag.ts). */
const NAME_WEIGHT = 3;
/** Definitions longer than this are shown after the shorter matches that fit. */
const LARGE_DEFINITION_LINES = 80;
/** A numbered line's number, separator and newline. */
const LINE_NUMBER_CHARS = 6;

export interface ExcerptInput {
  readonly content: string;
  readonly definitions: readonly SymbolDefinition[];
}

/** Per definitions list (one per parse of a file), the search bag of each definition. */
const definitionBags = new WeakMap<readonly SymbolDefinition[], Map<string, number>[]>();

/** Each definition of the file with its BM25 score for `terms` (0 when nothing matches), in file order. */
export function definitionScores(
  file: ExcerptInput,
  terms: readonly string[],
  lexical: LexicalIndex,
): { definition: SymbolDefinition; score: number }[] {
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
  const averageLength = bags.reduce((sum, bag) => sum + bagLength(bag), 0) / bags.length;
  return file.definitions.map((definition, i) => ({
    definition,
    score: lexical.scoreBag(bags[i], terms, averageLength),
  }));
}

/** Definitions scoring below this share of the file's best match are left to the outline. */
const MIN_RELATIVE_SCORE = 0.5;
/** Kinds that hold other definitions as members: a match inside one is shown instead of the whole. */
const CONTAINER_KINDS: ReadonlySet<SymbolKind> = new Set(['class', 'struct', 'interface', 'enum', 'module', 'impl']);

/**
 * The definitions of the file that match `terms`, best first. A container (class, namespace) yields to its
 * matching members; a function's matching inner definitions stay listed, for when it is too large to show.
 */
export function matchingDefinitions(
  file: ExcerptInput,
  terms: readonly string[],
  lexical: LexicalIndex,
): SymbolDefinition[] {
  const scores = definitionScores(file, terms, lexical);
  const floor = Math.max(0, ...scores.map(({ score }) => score)) * MIN_RELATIVE_SCORE;
  const matching = scores.filter(({ score }) => score > 0 && score >= floor);
  const inside = (inner: SymbolDefinition, outer: SymbolDefinition): boolean =>
    inner !== outer && outer.line <= inner.line && inner.lastLine <= outer.lastLine;
  const shownAsMembers = (outer: SymbolDefinition): boolean =>
    CONTAINER_KINDS.has(outer.kind) && matching.some(({ definition }) => inside(definition, outer));
  return matching
    .filter(({ definition }) => !shownAsMembers(definition))
    .sort((a, b) => b.score - a.score || a.definition.line - b.definition.line)
    .map(({ definition }) => definition);
}

/**
 * `shown` definitions whole, as many as fit about `maxTokens` (the best first, then the short ones), then as
 * many of the file's signature lines as still fit (unless `outline` is false); undefined if none fits, or
 * with `requireBest` if the best does not.
 */
export function renderExcerpt(
  file: ExcerptInput,
  shown: readonly SymbolDefinition[],
  maxTokens: number,
  options: { outline?: boolean; requireBest?: boolean } = {},
): string | undefined {
  if (shown.length === 0) return undefined;
  const lines = file.content.split('\n');
  const maxChars = maxTokens * CHARS_PER_TOKEN;
  const taken = new Set<number>();
  let chars = 0;
  /** Takes lines from…to if they fit, all or none. */
  const take = (from: number, to: number): boolean => {
    const last = Math.min(to, lines.length);
    let added = 0;
    for (let line = from; line <= last; line++)
      if (!taken.has(line)) added += lines[line - 1].length + LINE_NUMBER_CHARS;
    if (chars + added > maxChars) return false;
    chars += added;
    for (let line = from; line <= last; line++) taken.add(line);
    return true;
  };
  // The best match, then the other short ones, so that one long definition does not crowd out the rest.
  const isLarge = (d: SymbolDefinition): boolean => d.lastLine - d.line + 1 > LARGE_DEFINITION_LINES;
  const [best, ...rest] = shown;
  if (options.requireBest === true && !take(best.line, best.lastLine)) return undefined;
  const ranges: LineRange[] = [best, ...rest.filter((d) => !isLarge(d)), ...rest.filter(isLarge)]
    .filter((d) => take(d.line, d.lastLine))
    .map((d) => ({ from: d.line, to: d.lastLine, whole: true }));
  if (ranges.length === 0) return undefined;
  if (options.outline !== false) {
    for (const d of file.definitions) if (take(d.line, d.endLine)) ranges.push({ from: d.line, to: d.endLine });
  }
  return renderLines(file.content, ranges);
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

/**
 * Parses a file with its language's grammar and runs the queries of symbolQueries.ts: definitions with the
 * line range of their header, and the identifiers the file uses. A grammar that cannot load, throws or runs
 * past the time limit leaves the file as plain text (`outcome: 'failed'`); it is never an error.
 */
import { Parser, type Node } from 'web-tree-sitter';
import {
  FAILED_SYMBOLS,
  PLAIN_TEXT_SYMBOLS,
  type FileSymbols,
  type SymbolDefinition,
  type SymbolKind,
  type SymbolSource,
} from './fileSymbols';
import { GrammarLoader, type LoadedGrammar } from './grammarLoader';
import { languageById } from './languages';
import { NameInterner } from './nameInterner';
import { renderOutline } from './outline';
import { addTextTerms } from './retrieval/searchTerms';

export interface SymbolExtractorOptions {
  /** A parse that takes longer is abandoned and the file read as plain text (default 5 s). */
  parseTimeoutMs?: number;
  /**
   * Shared with whatever else holds names of the same index (default: one of its own). A parser thread passes
   * one that keeps names as they are: posting them to the index thread copies them anyway.
   */
  names?: Pick<NameInterner, 'intern'>;
}

/** A header longer than this is cut: the outline should show an interface, not a body. */
const MAX_SIGNATURE_LINES = 10;
/** How deep below a declaration to look for its body when the grammar has no `body` field for it. */
const BODY_SEARCH_DEPTH = 3;
/** Longer "identifiers" are literals or generated names, useless for linking files. */
const MAX_REFERENCE_CHARS = 100;

/** The parser of this thread: one file at a time, synchronously once its grammar is loaded. */
export class SymbolExtractor implements SymbolSource {
  private parser: Parser | undefined;
  private readonly parseTimeoutMs: number;
  private readonly names: Pick<NameInterner, 'intern'>;

  constructor(
    private readonly grammars: GrammarLoader = new GrammarLoader(),
    options: SymbolExtractorOptions = {},
  ) {
    this.parseTimeoutMs = options.parseTimeoutMs ?? 5000;
    this.names = options.names ?? new NameInterner();
  }

  async extract(content: string, languageId: string): Promise<FileSymbols> {
    const terms = addTextTerms(content);
    const grammarName = languageById(languageId).grammar;
    if (grammarName === undefined) return { ...PLAIN_TEXT_SYMBOLS, terms };
    let grammar: LoadedGrammar;
    try {
      grammar = await this.grammars.load(grammarName);
    } catch {
      return { ...FAILED_SYMBOLS, terms };
    }
    return { ...this.extractWith(grammar, content), terms };
  }

  /** Frees the parser; grammars stay loaded in the shared runtime. */
  dispose(): Promise<void> {
    this.parser?.delete();
    this.parser = undefined;
    return Promise.resolve();
  }

  private extractWith(grammar: LoadedGrammar, content: string): Omit<FileSymbols, 'terms'> {
    this.parser ??= new Parser();
    const parser = this.parser;
    parser.setLanguage(grammar.language);
    const deadline = performance.now() + this.parseTimeoutMs;
    let tree;
    try {
      tree = parser.parse(content, null, { progressCallback: () => performance.now() > deadline });
    } catch {
      tree = null;
    }
    if (tree === null) {
      parser.reset();
      return FAILED_SYMBOLS;
    }
    try {
      const { definitions, references } = collectSymbols(grammar, tree.rootNode, content, this.names);
      const outline = renderOutline(content, definitions);
      return { outcome: 'structured', definitions, references, outline };
    } catch {
      return FAILED_SYMBOLS;
    } finally {
      tree.delete();
    }
  }
}

interface DefinitionMatch {
  readonly patternIndex: number;
  readonly kind: SymbolKind;
  readonly name: Node;
  readonly declaration: Node;
}

function collectSymbols(
  grammar: LoadedGrammar,
  root: Node,
  content: string,
  names: Pick<NameInterner, 'intern'>,
): { definitions: SymbolDefinition[]; references: Map<string, number> } {
  // Several patterns may capture one name (a method is also a function): the pattern written first wins.
  const byName = new Map<number, DefinitionMatch>();
  const referenceNodes: Node[] = [];
  for (const match of grammar.query.matches(root)) {
    if (match.patternIndex >= grammar.definitionPatterns) {
      referenceNodes.push(match.captures[0].node);
      continue;
    }
    let name: Node | undefined;
    let declaration: Node | undefined;
    let kind: SymbolKind | undefined;
    for (const capture of match.captures) {
      if (capture.name === 'name') name = capture.node;
      else {
        declaration = capture.node;
        kind = capture.name.slice('definition.'.length) as SymbolKind;
      }
    }
    if (name === undefined || declaration === undefined || kind === undefined) continue;
    const previous = byName.get(name.startIndex);
    if (previous === undefined || match.patternIndex < previous.patternIndex) {
      byName.set(name.startIndex, { patternIndex: match.patternIndex, kind, name, declaration });
    }
  }
  const definitions = [...byName.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, { kind, name, declaration }]) => ({
      name: names.intern(name.text),
      kind,
      line: declaration.startPosition.row + 1,
      endLine: signatureEndRow(declaration, kind, grammar.bodyTypes) + 1,
      lastLine: lastRow(declaration) + 1,
    }));
  // A definition's own name is not a use of it. Uses are counted by their text first, so that each distinct
  // name is interned once per file rather than once per use.
  const uses = new Map<string, number>();
  for (const node of referenceNodes) {
    if (byName.has(node.startIndex)) continue;
    // The parse read `content` whole, so node indices are indices into it (Node.text takes a longer way).
    const text = content.slice(node.startIndex, node.endIndex);
    if (text.length === 0 || text.length > MAX_REFERENCE_CHARS) continue;
    uses.set(text, (uses.get(text) ?? 0) + 1);
  }
  const references = new Map<string, number>();
  for (const [text, count] of uses) references.set(names.intern(text), count);
  return { definitions, references };
}

/**
 * The last row of a declaration's header: the row where the token before its body ends. Variables, constants
 * and properties show their first line only; searching their values for a body costs time and finds none.
 */
function signatureEndRow(declaration: Node, kind: SymbolKind, bodyTypes: ReadonlySet<string>): number {
  const start = declaration.startPosition.row;
  if (kind === 'variable' || kind === 'constant' || kind === 'property') return start;
  const body = declaration.childForFieldName('body') ?? findDescendant(declaration, bodyTypes, BODY_SEARCH_DEPTH);
  let end: number;
  if (body !== null) {
    end = body.previousSibling?.endPosition.row ?? body.startPosition.row;
  } else if (kind === 'function' || kind === 'method' || kind === 'macro') {
    // Body-less functions are prototypes and signatures: the whole node is the header.
    end = lastRow(declaration);
  } else {
    end = start;
  }
  return Math.min(Math.max(end, start), start + MAX_SIGNATURE_LINES - 1);
}

/** The last row holding the declaration's text (a node ending at column 0 ends on the row before). */
function lastRow(declaration: Node): number {
  const { row, column } = declaration.endPosition;
  return column === 0 && row > declaration.startPosition.row ? row - 1 : row;
}

function findDescendant(node: Node, types: ReadonlySet<string>, depth: number): Node | null {
  if (depth === 0) return null;
  for (const child of node.namedChildren) {
    if (child === null) continue;
    if (types.has(child.type)) return child;
    const found = findDescendant(child, types, depth - 1);
    if (found !== null) return found;
  }
  return null;
}

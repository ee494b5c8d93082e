/**
 * Every definition of a file with the full line range of its declaration (header and body), found with the
 * index's own grammars and definition queries, so a label names a definition the way the index names it.
 */
import { Parser } from 'web-tree-sitter';
import { GrammarLoader } from '../../src/engine/context/grammarLoader';
import { languageForPath } from '../../src/engine/context/languages';

export interface DefinitionSpan {
  readonly name: string;
  /** 1-based, inclusive. */
  readonly line: number;
  readonly endLine: number;
}

/** Parses files one at a time on this thread; `dispose` frees the parser. */
export class DefinitionSpans {
  private readonly grammars = new GrammarLoader();
  private parser: Parser | undefined;

  /** The file's definitions in source order; empty for a language without a grammar. */
  async of(path: string, content: string): Promise<DefinitionSpan[]> {
    const grammarName = languageForPath(path).grammar;
    if (grammarName === undefined) return [];
    const grammar = await this.grammars.load(grammarName);
    this.parser ??= new Parser();
    this.parser.setLanguage(grammar.language);
    const tree = this.parser.parse(content);
    if (tree === null) throw new Error(`tree-sitter could not parse ${path}`);
    try {
      const spans: DefinitionSpan[] = [];
      for (const match of grammar.query.matches(tree.rootNode)) {
        if (match.patternIndex >= grammar.definitionPatterns) continue;
        const name = match.captures.find((c) => c.name === 'name')?.node;
        const declaration = match.captures.find((c) => c.name.startsWith('definition.'))?.node;
        if (name === undefined || declaration === undefined) continue;
        const { row, column } = declaration.endPosition;
        const endRow = column === 0 && row > declaration.startPosition.row ? row - 1 : row;
        spans.push({ name: name.text, line: declaration.startPosition.row + 1, endLine: endRow + 1 });
      }
      return spans.sort((a, b) => a.line - b.line || a.endLine - b.endLine);
    } finally {
      tree.delete();
    }
  }

  dispose(): void {
    this.parser?.delete();
    this.parser = undefined;
  }
}

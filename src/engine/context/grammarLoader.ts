/**
 * Loads web-tree-sitter and the grammars of @vscode/tree-sitter-wasm on first use. Both packages stay external
 * to the engine bundle, so their files are found through require.resolve from node_modules in tests and in
 * dist/engine.js alike. The grammars are built with tree-sitter-cli 0.25 (ABI 14 and 15), the ABI range of
 * web-tree-sitter 0.25 (13–15); we use web-tree-sitter's runtime, not the copy the grammar package carries.
 */
import { Language, Parser, Query } from 'web-tree-sitter';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { SYMBOL_KINDS } from './fileSymbols';
import type { GrammarName } from './languages';
import { GRAMMAR_QUERIES } from './symbolQueries';

export interface LoadedGrammar {
  readonly name: GrammarName;
  readonly language: Language;
  /**
   * Definition patterns, then reference patterns, in one query: one walk of the tree finds both (a third
   * faster than two queries). A match with `patternIndex < definitionPatterns` is a definition.
   */
  readonly query: Query;
  readonly definitionPatterns: number;
  readonly bodyTypes: ReadonlySet<string>;
}

const KNOWN_KINDS: ReadonlySet<string> = new Set(SYMBOL_KINDS);

/** The wasm runtime is process-wide state inside web-tree-sitter: initialise it once, whoever asks first. */
let runtimeReady: Promise<void> | undefined;

function initRuntime(): Promise<void> {
  runtimeReady ??= Parser.init({ locateFile: () => require.resolve('web-tree-sitter/tree-sitter.wasm') }).catch(
    (error: unknown) => {
      runtimeReady = undefined;
      throw new EngineError(
        EngineErrorCode.InternalError,
        `The tree-sitter runtime did not load: ${(error as Error).message}`,
        'Reinstall Hearth: its web-tree-sitter package is missing or damaged.',
      );
    },
  );
  return runtimeReady;
}

export function grammarPath(name: GrammarName): string {
  return require.resolve(`@vscode/tree-sitter-wasm/wasm/tree-sitter-${name}.wasm`);
}

/** Grammars and their compiled queries, each loaded once; a grammar that fails to load fails every time. */
export class GrammarLoader {
  private readonly grammars = new Map<GrammarName, Promise<LoadedGrammar>>();

  load(name: GrammarName): Promise<LoadedGrammar> {
    let grammar = this.grammars.get(name);
    if (grammar === undefined) {
      grammar = this.loadUncached(name);
      this.grammars.set(name, grammar);
    }
    return grammar;
  }

  private async loadUncached(name: GrammarName): Promise<LoadedGrammar> {
    await initRuntime();
    const language = await Language.load(grammarPath(name));
    const queries = GRAMMAR_QUERIES[name];
    // Compiling a query is slow (tree-sitter analyses every pattern): compile once, count after.
    const query = new Query(language, `${queries.definitions}\n${queries.references}`);
    checkDefinitionCaptures(name, query);
    let definitionPatterns = 0;
    while (
      definitionPatterns < query.patternCount() &&
      query.startIndexForPattern(definitionPatterns) < queries.definitions.length
    )
      definitionPatterns++;
    return { name, language, query, definitionPatterns, bodyTypes: new Set(queries.bodyTypes) };
  }
}

/** Catches a misspelt kind in a query when the grammar loads rather than in a half-built index. */
function checkDefinitionCaptures(name: GrammarName, query: Query): void {
  for (const capture of query.captureNames) {
    if (capture === 'name' || capture === 'ref') continue;
    const kind = capture.startsWith('definition.') ? capture.slice('definition.'.length) : undefined;
    if (kind === undefined || !KNOWN_KINDS.has(kind))
      throw new Error(`The ${name} definitions query has an unknown capture @${capture}`);
  }
}

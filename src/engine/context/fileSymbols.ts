/** What the parser learns about one file: the names it defines and the names it uses. */

/** Every kind of definition, in a fixed order (a parser thread sends a kind as its index here). */
export const SYMBOL_KINDS = [
  'class',
  'struct',
  'interface',
  'enum',
  'type',
  'function',
  'method',
  'property',
  'variable',
  'constant',
  'module',
  'macro',
  'impl',
] as const;

export type SymbolKind = (typeof SYMBOL_KINDS)[number];

export interface SymbolDefinition {
  readonly name: string;
  readonly kind: SymbolKind;
  /** First line of the declaration header, 1-based. */
  readonly line: number;
  /** Last line of the header (before the body), 1-based and inclusive; equals `line` for one-line headers. */
  readonly endLine: number;
  /** Last line of the whole definition, body included, 1-based and inclusive. */
  readonly lastLine: number;
}

/**
 * How a file was read: `structured` through its grammar, `plain` for languages without one, `failed` when the
 * grammar threw or timed out (the file is then treated as plain text).
 */
export type ParseOutcome = 'structured' | 'plain' | 'failed';

export interface FileSymbols {
  readonly outcome: ParseOutcome;
  /** In source order. */
  readonly definitions: readonly SymbolDefinition[];
  /** Identifier → number of uses in the file; the file's own definition names are not counted. */
  readonly references: ReadonlyMap<string, number>;
  /** Signature lines with line numbers and `⋮` elisions (see outline.ts); empty without definitions. */
  readonly outline: string;
  /** Search terms of the whole text (retrieval/searchTerms.ts) → occurrences; empty when it was not read. */
  readonly terms: ReadonlyMap<string, number>;
}

export const PLAIN_TEXT_SYMBOLS: FileSymbols = {
  outcome: 'plain',
  definitions: [],
  references: new Map(),
  outline: '',
  terms: new Map(),
};
export const FAILED_SYMBOLS: FileSymbols = { ...PLAIN_TEXT_SYMBOLS, outcome: 'failed' };

/**
 * Reads the symbols of file contents: the parser on this thread (symbolExtractor.ts) or a pool of parser
 * threads (parserPool.ts). Never rejects: a file that cannot be parsed is `failed`.
 */
export interface SymbolSource {
  extract(content: string, languageId: string): Promise<FileSymbols>;
  /** Frees the parsers (and ends their threads). */
  dispose(): Promise<void>;
}

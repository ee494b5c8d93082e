/**
 * The messages between the index thread (parserPool.ts) and a parser thread (parserThread.ts), and the flat
 * form symbols take between them. Both sides use these types and functions, so they cannot drift apart.
 */
import {
  FAILED_SYMBOLS,
  PLAIN_TEXT_SYMBOLS,
  SYMBOL_KINDS,
  type FileSymbols,
  type ParseOutcome,
  type SymbolDefinition,
  type SymbolKind,
} from './fileSymbols';
import type { NameInterner } from './nameInterner';
import type { FileToParse, ParsedFile, SourceTextSkip } from './sourceText';

/** Given to each parser thread as its `workerData`. */
export interface ParserWorkerData {
  readonly parseTimeoutMs: number;
}

/**
 * Index thread → parser thread: parse contents (`text`), or read a file and parse it unless its contents hash
 * to `knownHash` (`file`: the thread reads, so that the index thread does not spend its time on it).
 */
export type ParseRequest =
  | { readonly kind: 'text'; readonly id: number; readonly languageId: string; readonly content: string }
  | ({ readonly kind: 'file'; readonly id: number } & FileToParse);

/** The answer to a request: `parsed` for text; `read` (no symbols when the hash was known) or `skipped` for a file. */
export type ParseAnswer =
  | { readonly kind: 'parsed'; readonly symbols: PackedSymbols }
  | { readonly kind: 'read'; readonly size: number; readonly hash: string; readonly symbols?: PackedSymbols }
  | { readonly kind: 'skipped'; readonly reason: SourceTextSkip };

/**
 * Parser thread → index thread: `ready` once the thread can take requests, then one answer per request in the
 * order the requests came (the thread parses one file at a time).
 */
export type ParserWorkerMessage =
  { readonly type: 'ready' } | { readonly type: 'answer'; readonly id: number; readonly answer: ParseAnswer };

/**
 * FileSymbols as two strings and two number arrays. Cloning a Map of a file's few hundred names, and an object
 * per definition, took a parser thread about a tenth of its time; flat strings and typed arrays copy at
 * memory speed.
 */
export interface PackedSymbols {
  readonly outcome: ParseOutcome;
  /** Definition names, then referenced names, end to end. */
  readonly names: string;
  /** Where each name of `names` ends. */
  readonly nameEnds: Uint32Array;
  /** Per definition: SYMBOL_KINDS index, line, endLine, lastLine; then per reference: uses. */
  readonly numbers: Uint32Array;
  readonly definitions: number;
  readonly outline: string;
  /** Search terms joined by spaces (a term has none), and their occurrences. */
  readonly terms: string;
  readonly termCounts: Uint32Array;
}

const EMPTY = new Uint32Array(0);
const DEFINITION_NUMBERS = 4;
const KIND_INDEX: ReadonlyMap<SymbolKind, number> = new Map(SYMBOL_KINDS.map((kind, i) => [kind, i]));

export function packSymbols(symbols: FileSymbols): PackedSymbols {
  const { outcome, definitions, references, outline } = symbols;
  const terms = { terms: [...symbols.terms.keys()].join(' '), termCounts: Uint32Array.from(symbols.terms.values()) };
  if (outcome !== 'structured')
    return { outcome, names: '', nameEnds: EMPTY, numbers: EMPTY, definitions: 0, outline: '', ...terms };
  const names: string[] = [];
  const nameEnds = new Uint32Array(definitions.length + references.size);
  const numbers = new Uint32Array(definitions.length * DEFINITION_NUMBERS + references.size);
  let end = 0;
  let at = 0;
  for (const definition of definitions) {
    end += definition.name.length;
    nameEnds[names.push(definition.name) - 1] = end;
    numbers[at++] = KIND_INDEX.get(definition.kind)!;
    numbers[at++] = definition.line;
    numbers[at++] = definition.endLine;
    numbers[at++] = definition.lastLine;
  }
  for (const [name, uses] of references) {
    end += name.length;
    nameEnds[names.push(name) - 1] = end;
    numbers[at++] = uses;
  }
  return { outcome, names: names.join(''), nameEnds, numbers, definitions: definitions.length, outline, ...terms };
}

/** The symbols again, each name interned (a copy of its own, not a slice of `names`). */
export function unpackSymbols(packed: PackedSymbols, names: Pick<NameInterner, 'intern'>): FileSymbols {
  const terms = new Map<string, number>();
  if (packed.terms !== '')
    packed.terms.split(' ').forEach((term, i) => terms.set(names.intern(term), packed.termCounts[i]));
  if (packed.outcome === 'failed') return { ...FAILED_SYMBOLS, terms };
  if (packed.outcome === 'plain') return { ...PLAIN_TEXT_SYMBOLS, terms };
  const { nameEnds, numbers } = packed;
  const definitions: SymbolDefinition[] = [];
  const references = new Map<string, number>();
  let start = 0;
  for (let i = 0; i < nameEnds.length; i++) {
    const name = names.intern(packed.names.slice(start, nameEnds[i]));
    start = nameEnds[i];
    if (i < packed.definitions)
      definitions.push({
        name,
        kind: SYMBOL_KINDS[numbers[i * DEFINITION_NUMBERS]],
        line: numbers[i * DEFINITION_NUMBERS + 1],
        endLine: numbers[i * DEFINITION_NUMBERS + 2],
        lastLine: numbers[i * DEFINITION_NUMBERS + 3],
      });
    else references.set(name, numbers[packed.definitions * DEFINITION_NUMBERS + (i - packed.definitions)]);
  }
  return { outcome: 'structured', definitions, references, outline: packed.outline, terms };
}

/** A file's answer packed for the index thread. */
export function packParsedFile(file: ParsedFile): ParseAnswer {
  if ('skip' in file) return { kind: 'skipped', reason: file.skip };
  return {
    kind: 'read',
    size: file.size,
    hash: file.hash,
    ...(file.symbols !== undefined && { symbols: packSymbols(file.symbols) }),
  };
}

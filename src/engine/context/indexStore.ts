/**
 * The context index on disk: one JSON file per set of roots in `<cacheDir>/context/`, written atomically
 * (temporary file + rename), so a crash leaves the previous file. It holds what parsing produced, not file
 * contents; on the next start each file is trusted while its size and mtime match, re-read and kept while its
 * content hash matches, and re-parsed otherwise.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { writeFileAtomic } from '../base/atomicFile';
import { makePrivateFolder } from '../base/privateFolder';
import type { FileSymbols, ParseOutcome, SymbolDefinition, SymbolKind } from './fileSymbols';
import type { NameInterner } from './nameInterner';
import { SYMBOL_QUERIES_VERSION } from './symbolQueries';

/** Bump when the stored shape or the outline rendering changes. */
const STORE_FORMAT_VERSION = 2;
const STORE_KIND = 'hearth-context-index';

export interface StoredFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly hash: string;
  readonly languageId: string;
  readonly symbols: FileSymbols;
}

type DefinitionRecord = [name: string, kind: SymbolKind, line: number, endLine: number, lastLine: number];

interface FileRecord {
  path: string;
  size: number;
  mtimeMs: number;
  hash: string;
  languageId: string;
  outcome: ParseOutcome;
  definitions: DefinitionRecord[];
  references: [name: string, uses: number][];
  outline: string;
  /** Search terms joined by spaces, and their occurrences in the same order. */
  terms: string;
  termCounts: number[];
}

interface StoreRecord {
  kind: typeof STORE_KIND;
  version: number;
  queriesVersion: number;
  roots: string[];
  files: FileRecord[];
}

/** The store file for a set of roots: the same roots in any order share one file. */
export function indexStorePath(cacheDir: string, roots: readonly string[]): string {
  const key = createHash('sha256')
    .update(JSON.stringify([...roots].sort()))
    .digest('hex')
    .slice(0, 20);
  return join(cacheDir, 'context', `index-${key}.json`);
}

/**
 * The stored files by path, or undefined when there is no usable store: missing, or discarded (corrupt, of
 * another version) and then `onDiscard` is told why, so that a rebuild is never silent.
 */
export async function loadIndexStore(
  file: string,
  roots: readonly string[],
  names: NameInterner,
  onDiscard?: (reason: string) => void,
): Promise<Map<string, StoredFile> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      onDiscard?.(`it cannot be read (${(error as Error).message})`);
    return undefined;
  }
  let record: Partial<StoreRecord>;
  try {
    record = JSON.parse(text) as Partial<StoreRecord>;
  } catch {
    onDiscard?.('it is not valid JSON (cut short, or edited)');
    return undefined;
  }
  const sameRoots =
    Array.isArray(record.roots) && JSON.stringify([...record.roots].sort()) === JSON.stringify([...roots].sort());
  if (
    record.kind !== STORE_KIND ||
    record.version !== STORE_FORMAT_VERSION ||
    record.queriesVersion !== SYMBOL_QUERIES_VERSION ||
    !sameRoots ||
    !Array.isArray(record.files)
  ) {
    onDiscard?.(
      record.kind === STORE_KIND && sameRoots && Array.isArray(record.files)
        ? 'it was written by another version of Hearth'
        : 'it is not an index of these folders',
    );
    return undefined;
  }
  const files = new Map<string, StoredFile>();
  for (const entry of record.files) {
    const stored = fromRecord(entry, names);
    if (stored !== undefined) files.set(stored.path, stored);
  }
  return files;
}

export function saveIndexStore(file: string, roots: readonly string[], files: Iterable<StoredFile>): void {
  const record: StoreRecord = {
    kind: STORE_KIND,
    version: STORE_FORMAT_VERSION,
    queriesVersion: SYMBOL_QUERIES_VERSION,
    roots: [...roots],
    files: [...files].map(toRecord),
  };
  try {
    makePrivateFolder(dirname(file), { tighten: true }); // the index holds outlines of the user's code
    writeFileAtomic(file, JSON.stringify(record));
  } catch (error) {
    throw new EngineError(
      EngineErrorCode.CacheUnwritable,
      `Cannot write the repository index to ${file}: ${(error as Error).message}`,
      'Check that the cache folder is writable and the disk is not full; the index still works, it is rebuilt on the next start.',
    );
  }
}

function toRecord(file: StoredFile): FileRecord {
  const { symbols } = file;
  return {
    path: file.path,
    size: file.size,
    mtimeMs: file.mtimeMs,
    hash: file.hash,
    languageId: file.languageId,
    outcome: symbols.outcome,
    definitions: symbols.definitions.map((d) => [d.name, d.kind, d.line, d.endLine, d.lastLine]),
    references: [...symbols.references],
    outline: symbols.outline,
    terms: [...symbols.terms.keys()].join(' '),
    termCounts: [...symbols.terms.values()],
  };
}

/** Entries written by another build or edited by hand are dropped one by one, not trusted. */
function fromRecord(record: Partial<FileRecord>, names: NameInterner): StoredFile | undefined {
  const { path, size, mtimeMs, hash, languageId, outcome, definitions, references, outline, terms, termCounts } =
    record;
  if (
    typeof path !== 'string' ||
    typeof size !== 'number' ||
    typeof mtimeMs !== 'number' ||
    typeof hash !== 'string' ||
    typeof languageId !== 'string'
  )
    return undefined;
  if (
    (outcome !== 'structured' && outcome !== 'plain' && outcome !== 'failed') ||
    !Array.isArray(definitions) ||
    !Array.isArray(references) ||
    typeof outline !== 'string' ||
    typeof terms !== 'string' ||
    !Array.isArray(termCounts)
  )
    return undefined;
  const termList = terms === '' ? [] : terms.split(' ');
  if (termList.length !== termCounts.length) return undefined;
  const symbols: FileSymbols = {
    outcome,
    definitions: definitions.map(([name, kind, line, endLine, lastLine]): SymbolDefinition => ({
      name: names.intern(name),
      kind,
      line,
      endLine,
      lastLine,
    })),
    references: new Map(references.map(([name, uses]) => [names.intern(name), uses])),
    outline,
    terms: new Map(termList.map((term, i) => [names.intern(term), termCounts[i]])),
  };
  return { path, size, mtimeMs, hash, languageId, symbols };
}

/**
 * A file's bytes as indexable source text, or why they are not: the same checks whichever thread reads the
 * file (this one for the scanner and small scans, a parser thread for the pool).
 */
import { createHash } from 'node:crypto';
import { readBoundedFile, readBoundedFileSync } from './boundedFileRead';
import type { FileSymbols, SymbolSource } from './fileSymbols';
import { decodeSourceText, type ContentSkipReason } from './textFileClassifier';

export interface SourceText {
  readonly content: string;
  /** Of the contents (see contentHash). */
  readonly hash: string;
  /** Bytes on disk. */
  readonly size: number;
}

export type SourceTextSkip = ContentSkipReason | 'tooLarge' | 'unreadable';

/** A file to read and parse, unless its contents hash to `knownHash` (what the stored index has for it). */
export interface FileToParse {
  readonly path: string;
  readonly languageId: string;
  readonly maxFileBytes: number;
  readonly knownHash?: string;
}

/** A file read and parsed: why it was skipped, or its size, hash and symbols (none when its hash was known). */
export type ParsedFile =
  | { readonly skip: SourceTextSkip }
  | { readonly size: number; readonly hash: string; readonly symbols: FileSymbols | undefined };

export function contentHash(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('base64url');
}

function sourceTextOf(bytes: Buffer): SourceText | SourceTextSkip {
  const decoded = decodeSourceText(bytes);
  if ('skip' in decoded) return decoded.skip;
  return { content: decoded.text, hash: contentHash(decoded.text), size: bytes.length };
}

/** Over `maxFileBytes` is too large (the file may have grown since it was listed); that is found unread. */
export async function readSourceText(path: string, maxFileBytes: number): Promise<SourceText | SourceTextSkip> {
  const bytes = await readBoundedFile(path, maxFileBytes);
  return typeof bytes === 'string' ? bytes : sourceTextOf(bytes);
}

/**
 * For a parser thread, which may block: a synchronous read takes a fifth of the CPU time of an asynchronous
 * one, and the thread has nothing else to do meanwhile.
 */
export function readSourceTextSync(path: string, maxFileBytes: number): SourceText | SourceTextSkip {
  const bytes = readBoundedFileSync(path, maxFileBytes);
  return typeof bytes === 'string' ? bytes : sourceTextOf(bytes);
}

/** Reads a file with `read` and parses it with `parser`, unless its contents hash to `knownHash`. */
export async function readAndExtract(
  read: (path: string, maxFileBytes: number) => SourceText | SourceTextSkip | Promise<SourceText | SourceTextSkip>,
  parser: Pick<SymbolSource, 'extract'>,
  file: FileToParse,
): Promise<ParsedFile> {
  const text = await read(file.path, file.maxFileBytes);
  if (typeof text === 'string') return { skip: text };
  const symbols = text.hash === file.knownHash ? undefined : await parser.extract(text.content, file.languageId);
  return { size: text.size, hash: text.hash, symbols };
}

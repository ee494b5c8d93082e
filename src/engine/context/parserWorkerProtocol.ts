/**
 * The messages between the index thread (parserPool.ts) and a parser thread (parserWorker.ts): one type per
 * direction, so both sides are checked against the same shapes.
 */
import type { FileSymbols } from './fileSymbols';

/** Given to each parser thread as its `workerData`. */
export interface ParserWorkerData {
  readonly parseTimeoutMs: number;
}

/** Index thread → parser thread: parse one file's contents. */
export interface ParseRequest {
  readonly id: number;
  readonly content: string;
  readonly languageId: string;
}

/**
 * Parser thread → index thread: `ready` once the thread can take requests, then one `parsed` per request in
 * the order the requests came (the thread parses one file at a time).
 */
export type ParserWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'parsed'; readonly id: number; readonly symbols: FileSymbols };

/**
 * Parses files on worker threads, so that a cold index uses every core and the engine's event loop stays free
 * while a large workspace is parsed. Each thread runs parserWorker.ts with a tree-sitter runtime of its own;
 * results are those of SymbolExtractor on this thread, names interned here.
 *
 * Threads are not trusted to stay up: a thread that dies while parsing leaves that file as plain text
 * (`failed`) and is replaced; threads that cannot start, or keep dying, hand the parsing to the parser of this
 * thread.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FAILED_SYMBOLS, PLAIN_TEXT_SYMBOLS, type FileSymbols, type SymbolSource } from './fileSymbols';
import { languageById } from './languages';
import { addTextTerms } from './retrieval/searchTerms';
import type { NameInterner } from './nameInterner';
import {
  packParsedFile,
  packSymbols,
  unpackSymbols,
  type PackedSymbols,
  type ParseAnswer,
  type ParseRequest,
  type ParserWorkerData,
  type ParserWorkerMessage,
} from './parserWorkerProtocol';
import { readAndExtract, readSourceText, type FileToParse, type ParsedFile } from './sourceText';
import type { SymbolExtractor } from './symbolExtractor';

/** Where a parser thread's script is, and the Node options it needs to run. */
export interface ParserWorkerEntry {
  readonly filename: string;
  /** Default: the process's own. */
  readonly execArgv?: readonly string[];
}

export interface ParserPoolOptions {
  /** At least 1. */
  readonly threads: number;
  /** The names of the index the results go to. */
  readonly names: NameInterner;
  /** The parser of this thread, which takes over when threads cannot be used; the pool does not dispose it. */
  readonly local: SymbolExtractor;
  /** See SymbolExtractorOptions (default 5 s). */
  readonly parseTimeoutMs?: number;
  /** Default: defaultParserWorkerEntry(). */
  readonly worker?: ParserWorkerEntry;
}

/**
 * More threads add a runtime and grammars each (tens of MiB) but little speed: past four, reading and interning
 * on the index thread is the limit.
 */
export const MAX_PARSER_THREADS = 4;
/** Requests queued in each thread, so that it never waits for the index thread between files. */
const REQUESTS_PER_THREAD = 4;
/** Threads that die this many times in a row, with no file parsed in between, are given up for this thread. */
const MAX_CONSECUTIVE_CRASHES = 3;

/** One per core, at most MAX_PARSER_THREADS. */
export function defaultParserThreads(): number {
  return Math.max(1, Math.min(availableParallelism(), MAX_PARSER_THREADS));
}

/** A development dependency, resolved only when running from sources; a name esbuild does not try to bundle. */
const TSX_COMMONJS_HOOK: string = 'tsx/cjs';

/**
 * The parser thread's script beside this code: dist/parserWorker.js beside the engine and CLI bundles, or the
 * TypeScript source when running from sources under tsx. tsx's `--import` hook does not reach worker threads,
 * so a TypeScript worker gets tsx's CommonJS hook through `--require` instead, without the parent's `--import`
 * (which would make Node load the entry as an ES module, and refuse `.ts`).
 */
export function defaultParserWorkerEntry(): ParserWorkerEntry {
  if (!__filename.endsWith('.ts')) return { filename: join(__dirname, 'parserWorker.js') };
  return { filename: join(__dirname, 'parserWorker.ts'), execArgv: ['--require', require.resolve(TSX_COMMONJS_HOOK)] };
}

interface Job {
  readonly request: ParseRequest;
  readonly finish: (answer: ParseAnswer) => void;
}

/** What a file that killed its thread is parsed with when it is read again here: it stays plain text. */
const NO_PARSER = { extract: () => Promise.resolve(FAILED_SYMBOLS) };
/** The answer to requests of a pool that is being disposed. */
const DROPPED: ParseAnswer = { kind: 'skipped', reason: 'unreadable' };

interface Thread {
  readonly worker: Worker;
  ready: boolean;
  /** Sent and not answered yet, oldest first: the first is the file being parsed. */
  readonly running: Job[];
}

export class ParserPool implements SymbolSource {
  private readonly threadLimit: number;
  private readonly parseTimeoutMs: number;
  private readonly names: NameInterner;
  private readonly local: SymbolExtractor;
  private readonly entry: ParserWorkerEntry | undefined;
  private readonly queue: Job[] = [];
  private readonly threads = new Set<Thread>();
  private nextId = 0;
  private consecutiveCrashes = 0;
  /** Set once the threads are given up: everything is parsed on this thread from then on. */
  private gaveUp = false;
  private disposed = false;

  constructor(options: ParserPoolOptions) {
    this.threadLimit = Math.max(1, Math.floor(options.threads));
    this.names = options.names;
    this.local = options.local;
    this.parseTimeoutMs = options.parseTimeoutMs ?? 5000;
    this.entry = options.worker;
  }

  /** Threads running now (they start on demand). */
  get threadCount(): number {
    return this.threads.size;
  }

  /** True once the threads were given up and files are parsed on this thread. */
  get parsesInProcess(): boolean {
    return this.gaveUp;
  }

  extract(content: string, languageId: string): Promise<FileSymbols> {
    // Plain text needs no parser: no round trip to a thread.
    if (languageById(languageId).grammar === undefined)
      return Promise.resolve({ ...PLAIN_TEXT_SYMBOLS, terms: addTextTerms(content) });
    return new Promise((resolve) => {
      this.submit({ kind: 'text', id: this.nextId++, languageId, content }, (answer) =>
        resolve(answer.kind === 'parsed' ? this.unpack(answer.symbols) : FAILED_SYMBOLS),
      );
    });
  }

  /** Reads a file on a thread and parses it there, unless its contents hash to `knownHash`. */
  readAndExtract(file: FileToParse): Promise<ParsedFile> {
    return new Promise((resolve) => {
      this.submit({ kind: 'file', id: this.nextId++, ...file }, (answer) => {
        if (answer.kind === 'read')
          resolve({
            size: answer.size,
            hash: answer.hash,
            symbols: answer.symbols === undefined ? undefined : this.unpack(answer.symbols),
          });
        else resolve({ skip: answer.kind === 'skipped' ? answer.reason : 'unreadable' });
      });
    });
  }

  /** Ends the threads; requests still waiting are answered as failed or unreadable (their index is going away). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const threads = [...this.threads];
    this.threads.clear();
    for (const job of [...threads.flatMap((thread) => thread.running.splice(0)), ...this.queue.splice(0)])
      job.finish(DROPPED);
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  private submit(request: ParseRequest, finish: (answer: ParseAnswer) => void): void {
    if (this.disposed) return finish(DROPPED);
    this.queue.push({ request, finish });
    this.dispatch();
  }

  /** Symbols from a thread with this index's names; an answer of another shape (another build's worker) is `failed`. */
  private unpack(symbols: PackedSymbols): FileSymbols {
    try {
      return unpackSymbols(symbols, this.names);
    } catch {
      return FAILED_SYMBOLS;
    }
  }

  private dispatch(): void {
    while (!this.gaveUp && this.threads.size < this.threadLimit && this.queue.length > this.freeSlots()) this.spawn();
    if (this.gaveUp) {
      for (const job of this.queue.splice(0)) this.answerHere(job, this.local);
      return;
    }
    for (const thread of this.threads) {
      if (!thread.ready) continue;
      while (thread.running.length < REQUESTS_PER_THREAD && this.queue.length > 0) {
        const job = this.queue.shift()!;
        thread.running.push(job);
        thread.worker.postMessage(job.request);
      }
      // A thread with work keeps the process alive until it answers; an idle one must not.
      if (thread.running.length > 0) thread.worker.ref();
      else thread.worker.unref();
    }
  }

  /** Requests the threads can take now, counting those still starting. */
  private freeSlots(): number {
    let free = 0;
    for (const thread of this.threads) free += REQUESTS_PER_THREAD - thread.running.length;
    return free;
  }

  private spawn(): void {
    let worker: Worker;
    try {
      const entry = this.entry ?? defaultParserWorkerEntry();
      const workerData: ParserWorkerData = { parseTimeoutMs: this.parseTimeoutMs };
      worker = new Worker(entry.filename, {
        workerData,
        ...(entry.execArgv !== undefined && { execArgv: [...entry.execArgv] }),
      });
    } catch {
      this.giveUpThreads();
      return;
    }
    const thread: Thread = { worker, ready: false, running: [] };
    this.threads.add(thread);
    worker.on('message', (message: ParserWorkerMessage) => this.onMessage(thread, message));
    // Errors end the thread and are handled on 'exit'; without a listener they would be thrown on this thread.
    worker.on('error', () => undefined);
    // An answer that cannot be read leaves its request waiting: end the thread, which settles it as a crash.
    worker.on('messageerror', () => void worker.terminate());
    worker.on('exit', () => this.onExit(thread));
  }

  private onMessage(thread: Thread, message: ParserWorkerMessage): void {
    if (!this.threads.has(thread)) return;
    if (message.type === 'ready') thread.ready = true;
    else {
      const at = thread.running.findIndex((job) => job.request.id === message.id);
      if (at === -1) return;
      const [job] = thread.running.splice(at, 1);
      this.consecutiveCrashes = 0;
      job.finish(message.answer);
    }
    this.dispatch();
  }

  private onExit(thread: Thread): void {
    // Threads ended on purpose were removed first.
    if (!this.threads.delete(thread)) return;
    const [parsing, ...waiting] = thread.running;
    if (!thread.ready || parsing !== undefined) this.consecutiveCrashes++;
    // It parses in order, so it died on the oldest file it had: that one is read here and stays plain text,
    // the rest go on.
    if (parsing !== undefined) this.answerHere(parsing, NO_PARSER);
    this.queue.unshift(...waiting);
    if (this.consecutiveCrashes >= MAX_CONSECUTIVE_CRASHES) this.giveUpThreads();
    this.dispatch();
  }

  /** From now on every file is parsed on this thread; requests sent to threads are taken back. */
  private giveUpThreads(): void {
    this.gaveUp = true;
    const threads = [...this.threads];
    this.threads.clear();
    this.queue.unshift(...threads.flatMap((thread) => thread.running.splice(0)));
    for (const thread of threads) void thread.worker.terminate();
  }

  /** Answers a request on this thread, as a thread would (packed, so that both give the same). */
  private answerHere(job: Job, parser: Pick<SymbolSource, 'extract'>): void {
    const { request } = job;
    const answer =
      request.kind === 'text'
        ? parser
            .extract(request.content, request.languageId)
            .then((symbols): ParseAnswer => ({ kind: 'parsed', symbols: packSymbols(symbols) }))
        : readAndExtract(readSourceText, parser, request).then(packParsedFile);
    answer.then(job.finish, () => job.finish(DROPPED));
  }
}

/**
 * The parsers of one repository index: the parser of this thread, and a pool of parser threads used for scans
 * big enough to pay for starting them. Both give the same symbols; the choice is only about time.
 */
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import type { SymbolSource } from './fileSymbols';
import { GrammarLoader } from './grammarLoader';
import type { NameInterner } from './nameInterner';
import { defaultParserThreads, ParserPool, type ParserWorkerEntry } from './parserPool';
import { readAndExtract, readSourceText, type FileToParse, type ParsedFile } from './sourceText';
import { SymbolExtractor } from './symbolExtractor';

export interface IndexParserOptions {
  /** Threads that parse files: 0 parses on this thread; default one per core, at most MAX_PARSER_THREADS. */
  readonly parserThreads?: number;
  /**
   * The fewest files a scan must read to start the parser threads (default MIN_FILES_FOR_PARSER_THREADS);
   * once started, they parse every update too.
   */
  readonly parserThreadsFrom?: number;
  /** The parser threads' script; default beside this code (see defaultParserWorkerEntry). */
  readonly parserWorker?: ParserWorkerEntry;
}

/**
 * Below this, starting threads (each loads the runtime and compiles its grammars and queries: a few hundred
 * ms) costs more than parsing on this thread saves.
 */
export const MIN_FILES_FOR_PARSER_THREADS = 1000;

/** Reads and parses one file of a scan, unless its contents hash to `knownHash`. */
export type ScanReader = (file: Omit<FileToParse, 'maxFileBytes'>) => Promise<ParsedFile>;

export class IndexParsers {
  private readonly local: SymbolExtractor;
  private readonly pool: ParserPool | undefined;
  private readonly threadsFrom: number;

  /** Throws InvalidParams for a thread count that is not a whole number from 0. */
  constructor(options: IndexParserOptions, names: NameInterner) {
    const threads = options.parserThreads ?? defaultParserThreads();
    if (!Number.isSafeInteger(threads) || threads < 0) {
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        `The number of parser threads must be a whole number from 0, not ${threads}`,
        'Pass 0 to parse on the engine thread, or leave it out for one thread per core.',
      );
    }
    this.local = new SymbolExtractor(new GrammarLoader(), { names });
    this.pool =
      threads === 0
        ? undefined
        : new ParserPool({
            threads,
            names,
            local: this.local,
            ...(options.parserWorker !== undefined && { worker: options.parserWorker }),
          });
    this.threadsFrom = options.parserThreadsFrom ?? MIN_FILES_FOR_PARSER_THREADS;
  }

  /** How many files to parse a scan must find before it can choose where to parse them (0: no choice to make). */
  get filesToChoose(): number {
    return this.pool === undefined || this.pool.threadCount > 0 ? 0 : this.threadsFrom;
  }

  /** For contents to parse (file events): the threads when they run, else this thread. */
  forContents(): SymbolSource {
    return this.threadsFor(0) ?? this.local;
  }

  /**
   * For a scan that parses `files` files: the threads read and parse when they run already or the files are
   * worth starting them for; else this thread does.
   */
  readerFor(files: number, maxFileBytes: number): ScanReader {
    const pool = this.threadsFor(files);
    if (pool !== undefined) return (file) => pool.readAndExtract({ ...file, maxFileBytes });
    return (file) => readAndExtract(readSourceText, this.local, { ...file, maxFileBytes });
  }

  private threadsFor(files: number): ParserPool | undefined {
    return this.pool !== undefined && (this.pool.threadCount > 0 || files >= this.threadsFrom) ? this.pool : undefined;
  }

  /** Ends the threads (files still waiting for them come back `failed`) and frees this thread's parser. */
  async dispose(): Promise<void> {
    await this.pool?.dispose();
    await this.local.dispose();
  }
}

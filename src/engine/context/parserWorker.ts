/**
 * The entry of a parser thread of parserPool.ts (bundled as dist/parserWorker.js): a tree-sitter runtime and
 * grammars of its own. Names are left as they are: the index thread interns what it receives.
 */
import { Console } from 'node:console';
import { parentPort, workerData } from 'node:worker_threads';
import { GrammarLoader } from './grammarLoader';
import { serveParseRequests } from './parserThread';
import type { ParserWorkerData } from './parserWorkerProtocol';
import { SymbolExtractor } from './symbolExtractor';

if (parentPort === null) throw new Error('parserWorker runs as a worker thread of ParserPool.');
// A thread's stdout is the engine's (its JSON-RPC stream) or the CLI's: what this thread prints goes to stderr,
// the log. web-tree-sitter calls console.log, so the console is replaced as well as the stream it would use.
Object.defineProperty(process, 'stdout', { get: () => process.stderr, configurable: true });
globalThis.console = new Console(process.stderr, process.stderr);
const { parseTimeoutMs } = workerData as ParserWorkerData;
serveParseRequests(
  parentPort,
  new SymbolExtractor(new GrammarLoader(), { parseTimeoutMs, names: { intern: (name) => name } }),
);

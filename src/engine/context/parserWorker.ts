/**
 * The entry of a parser thread of parserPool.ts (bundled as dist/parserWorker.js): a tree-sitter runtime and
 * grammars of its own. Names are left as they are: the index thread interns what it receives.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { GrammarLoader } from './grammarLoader';
import { serveParseRequests } from './parserThread';
import type { ParserWorkerData } from './parserWorkerProtocol';
import { SymbolExtractor } from './symbolExtractor';

if (parentPort === null) throw new Error('parserWorker runs as a worker thread of ParserPool.');
const { parseTimeoutMs } = workerData as ParserWorkerData;
serveParseRequests(
  parentPort,
  new SymbolExtractor(new GrammarLoader(), { parseTimeoutMs, names: { intern: (name) => name } }),
);

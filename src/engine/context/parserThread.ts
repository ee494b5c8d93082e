/**
 * The loop of a parser thread (see parserWorker.ts): answers parse requests from its port one file at a time,
 * in the order they came. A request whose grammar is still loading must not be overtaken by the next, so that
 * the pool knows which file was being parsed if the thread dies.
 */
import type { MessagePort } from 'node:worker_threads';
import { FAILED_SYMBOLS, type FileSymbols, type SymbolSource } from './fileSymbols';
import type { ParseRequest, ParserWorkerMessage } from './parserWorkerProtocol';

export function serveParseRequests(port: MessagePort, parser: SymbolSource): void {
  const post = (message: ParserWorkerMessage): void => port.postMessage(message);
  let previous: Promise<void> = Promise.resolve();
  port.on('message', (request: ParseRequest) => {
    previous = previous.then(async () => {
      let symbols: FileSymbols;
      try {
        symbols = await parser.extract(request.content, request.languageId);
      } catch {
        symbols = FAILED_SYMBOLS;
      }
      post({ type: 'parsed', id: request.id, symbols });
    });
  });
  post({ type: 'ready' });
}

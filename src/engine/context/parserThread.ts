/**
 * The loop of a parser thread (see parserWorker.ts): answers requests from its port one at a time, in the
 * order they came. A request whose grammar is still loading must not be overtaken by the next, so that the pool
 * knows which file was being parsed if the thread dies.
 */
import type { MessagePort } from 'node:worker_threads';
import { FAILED_SYMBOLS, type SymbolSource } from './fileSymbols';
import {
  packParsedFile,
  packSymbols,
  type ParseAnswer,
  type ParseRequest,
  type ParserWorkerMessage,
} from './parserWorkerProtocol';
import { readAndExtract, readSourceTextSync } from './sourceText';

export function serveParseRequests(port: MessagePort, parser: Pick<SymbolSource, 'extract'>): void {
  const post = (message: ParserWorkerMessage): void => port.postMessage(message);
  let previous: Promise<void> = Promise.resolve();
  port.on('message', (request: ParseRequest) => {
    previous = previous.then(async () =>
      post({ type: 'answer', id: request.id, answer: await answer(request, parser) }),
    );
  });
  post({ type: 'ready' });
}

async function answer(request: ParseRequest, parser: Pick<SymbolSource, 'extract'>): Promise<ParseAnswer> {
  try {
    if (request.kind === 'text')
      return { kind: 'parsed', symbols: packSymbols(await parser.extract(request.content, request.languageId)) };
    return packParsedFile(await readAndExtract(readSourceTextSync, parser, request));
  } catch {
    // Not expected (the parser turns its own errors into `failed`): the file stays plain text.
    return request.kind === 'text'
      ? { kind: 'parsed', symbols: packSymbols(FAILED_SYMBOLS) }
      : { kind: 'skipped', reason: 'unreadable' };
  }
}

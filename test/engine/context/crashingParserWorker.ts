/**
 * A parser thread for parserPool.test.ts: the real one, except that it dies when its turn comes to parse
 * contents holding PARSER_CRASH_MARKER, the way a thread killed by a runaway grammar would.
 */
import { parentPort } from 'node:worker_threads';
import { GrammarLoader } from '../../../src/engine/context/grammarLoader';
import { serveParseRequests } from '../../../src/engine/context/parserThread';
import { SymbolExtractor } from '../../../src/engine/context/symbolExtractor';
import { PARSER_CRASH_MARKER } from './contextFixtures';

const extractor = new SymbolExtractor(new GrammarLoader(), { names: { intern: (name) => name } });
serveParseRequests(parentPort!, {
  extract: (content, languageId) =>
    content.includes(PARSER_CRASH_MARKER) ? process.exit(3) : extractor.extract(content, languageId),
});

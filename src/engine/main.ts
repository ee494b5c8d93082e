/**
 * The engine subprocess: JSON-RPC over stdio. stdout carries protocol only; logs go to stderr.
 * Started by the extension (and later by the `hearth` CLI and tests) as `node dist/engine.js`.
 */
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { ContextService } from './context/contextService';
import { TokenCounterChoice } from './context/tokenCounterChoice';
import { bundledQwen3Counter } from './text/bundledTokenizer';
import { ModelLibrary } from './library/modelLibrary';
import { EngineServer } from './rpc/engineServer';
import { GenerationService } from './generation/generationService';
import { Logger } from './base/logger';
import { defaultCacheDir } from './base/defaultCacheDir';
import { loadModel } from './model/modelLoader';
import { ENGINE_VERSION } from './base/version';

const logger = new Logger();
// Anything that still calls console.log must not corrupt the protocol stream.
console.log = console.info = (...args: unknown[]) => logger.info(args.map(String).join(' '));

const connection = createMessageConnection(
  new StreamMessageReader(process.stdin),
  new StreamMessageWriter(process.stdout),
);

const generation = new GenerationService({
  logger,
  loadModel: (dir, options) =>
    loadModel(dir, {
      ...options,
      onCacheDiscard: (path, reason) => logger.warn(`converting the weights again: ${path} was discarded (${reason})`),
    }),
});
// The repository index persists beside the converted weights; its token counts are the served model's, or the
// tokenizer a request names while a remote server generates (the bundled Qwen3 one, or an estimate).
const tokenCounters = new TokenCounterChoice(() => generation.tokenCounter(), bundledQwen3Counter);
const context = new ContextService({
  cacheDir: defaultCacheDir(),
  tokenCounter: (name) => tokenCounters.counter(name),
  log: (message) => logger.warn(message),
});
const server = new EngineServer(connection, {
  version: ENGINE_VERSION,
  logger,
  generation,
  context,
  tokenCounters,
  // Downloads read HF_ENDPOINT and HF_TOKEN from the environment the extension started the engine with.
  library: new ModelLibrary({ logger }),
  onShutdown: () => exit(0),
});

let exiting = false;
function exit(code: number): void {
  if (exiting) return;
  exiting = true;
  process.exitCode = code;
  server.dispose();
  // Running generations end as cancelled and the model is freed; a stuck one must not keep the process alive.
  const done = () => process.exit(code);
  Promise.all([generation.dispose(), context.dispose()]).then(done, done);
  setTimeout(done, 2000).unref();
}

// The parent closed our stdin or died: nobody can talk to us any more.
connection.onClose(() => exit(0));
process.on('uncaughtException', (error) => {
  logger.error(`uncaught exception: ${error.stack ?? error.message}`);
  exit(1);
});
process.on('unhandledRejection', (reason) => {
  logger.error(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`);
});

connection.listen();
logger.info(`engine ${ENGINE_VERSION} started (pid ${process.pid}, node ${process.version})`);

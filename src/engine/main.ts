/**
 * The engine subprocess: JSON-RPC over stdio. stdout carries protocol only; logs go to stderr.
 * Started by the extension (and later by the `hearth` CLI and tests) as `node dist/engine.js`.
 */
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { EngineServer } from './engineServer';
import { Logger } from './logger';
import { ENGINE_VERSION } from './version';

const logger = new Logger();
// Anything that still calls console.log must not corrupt the protocol stream.
console.log = console.info = (...args: unknown[]) => logger.info(args.map(String).join(' '));

const connection = createMessageConnection(new StreamMessageReader(process.stdin), new StreamMessageWriter(process.stdout));

const server = new EngineServer(connection, {
  version: ENGINE_VERSION,
  logger,
  onShutdown: () => exit(0),
});

function exit(code: number): void {
  server.dispose();
  process.exit(code);
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

import type { MessageConnection } from 'vscode-jsonrpc';
import { EngineError } from '../shared/engineError';
import { registerEngineHandlers, type EngineHandlers } from '../shared/engineRpc';
import { EngineErrorCode, PROTOCOL_VERSION, type EngineMethod, type InitializeParams, type InitializeResult, type PingResult } from '../shared/protocol';
import type { Logger } from './logger';
import { runtimeSelfCheck } from './runtimeSelfCheck';

export interface EngineServerOptions {
  version: string;
  logger: Logger;
  /** Called once `shutdown` has been answered; main.ts exits the process there. */
  onShutdown: () => void;
}

/**
 * Serves the engine's JSON-RPC methods on a connection. Transport-agnostic: main.ts wires it to stdio,
 * tests to in-memory streams.
 */
export class EngineServer {
  private initialized = false;
  private shuttingDown = false;
  private readonly startedAt = Date.now();

  constructor(
    private readonly connection: MessageConnection,
    private readonly options: EngineServerOptions,
  ) {
    const handlers: EngineHandlers = {
      initialize: (params) => this.initialize(params),
      ping: () => (this.requireInitialized('ping'), this.ping()),
      'runtime/selfCheck': () => (this.requireInitialized('runtime/selfCheck'), runtimeSelfCheck()),
      shutdown: () => (this.requireInitialized('shutdown'), this.shutdown()),
    };
    registerEngineHandlers(connection, handlers);
  }

  private requireInitialized(method: EngineMethod): void {
    if (this.shuttingDown) throw new EngineError(EngineErrorCode.ShuttingDown, `The engine is shutting down; "${method}" was not run.`);
    if (!this.initialized) {
      throw new EngineError(EngineErrorCode.NotInitialized, `"${method}" arrived before "initialize".`, 'Send "initialize" first.');
    }
  }

  private initialize(params: InitializeParams): InitializeResult {
    if (typeof params !== 'object' || params === null || typeof params.protocolVersion !== 'number') {
      throw new EngineError(EngineErrorCode.InvalidParams, 'initialize needs { clientName, clientVersion, protocolVersion }.');
    }
    if (params.protocolVersion !== PROTOCOL_VERSION) {
      throw new EngineError(
        EngineErrorCode.ProtocolMismatch,
        `The client speaks protocol ${params.protocolVersion}, this engine ${PROTOCOL_VERSION}.`,
        'Reinstall Hearth so that the extension and its engine come from the same build.',
      );
    }
    if (params.logLevel) this.options.logger.setLevel(params.logLevel);
    this.initialized = true;
    this.options.logger.info(`initialized by ${params.clientName} ${params.clientVersion}`);
    return { engineVersion: this.options.version, protocolVersion: PROTOCOL_VERSION, pid: process.pid };
  }

  private ping(): PingResult {
    const memory = process.memoryUsage();
    return {
      engineVersion: this.options.version,
      pid: process.pid,
      uptimeMs: Date.now() - this.startedAt,
      memory: {
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        externalBytes: memory.external,
        arrayBuffersBytes: memory.arrayBuffers,
      },
    };
  }

  private shutdown(): void {
    this.shuttingDown = true;
    this.options.logger.info('shutdown requested');
    // Answer first, then let main.ts exit once the response is on the wire.
    setImmediate(() => this.options.onShutdown());
  }

  dispose(): void {
    this.connection.dispose();
  }
}

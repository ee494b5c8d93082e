import type { CancellationToken, MessageConnection } from 'vscode-jsonrpc';
import { EngineError } from '../../shared/engineError';
import { registerEngineHandlers, sendEngineNotification, type EngineHandlers } from '../../shared/engineRpc';
import {
  EngineErrorCode,
  PROTOCOL_VERSION,
  type EngineMethod,
  type EngineNotification,
  type EngineNotificationParams,
  type InitializeParams,
  type InitializeResult,
  type PingResult,
} from '../../shared/protocol';
import type { ContextService } from '../context/contextService';
import { estimatedTokenCounter } from '../context/estimatedTokenCounter';
import { TokenCounterChoice } from '../context/tokenCounterChoice';
import { bundledQwen3Counter } from '../text/bundledTokenizer';
import { ModelLibrary } from '../library/modelLibrary';
import type { GenerationService } from '../generation/generationService';
import type { Logger } from '../base/logger';
import { collectGarbage, memoryUsage } from '../base/memoryReading';
import { runtimeSelfCheck } from '../base/runtimeSelfCheck';
import { parseInitializeParams } from './initializeParams';
import { parseEngineParams } from '../../shared/wire/parseEngineParams';

/** The generation endpoints the server exposes. */
export type GenerationEndpoints = Pick<
  GenerationService,
  'loadModel' | 'unloadModel' | 'modelInfo' | 'chat' | 'complete' | 'prefillRepository' | 'tokenize' | 'countTokens'
>;

/** The repository-context endpoints the server exposes. */
export type ContextEndpoints = Pick<ContextService, 'index' | 'update' | 'pack'>;

/** The endpoints for getting a model: catalogue, hardware fit, download. */
export type ModelLibraryEndpoints = Pick<ModelLibrary, 'catalogue' | 'fit' | 'download'>;

export interface EngineServerOptions {
  version: string;
  logger: Logger;
  generation: GenerationEndpoints;
  context: ContextEndpoints;
  /** Default: a ModelLibrary that downloads from HF_ENDPOINT with HF_TOKEN into the user's cache folder. */
  library?: ModelLibraryEndpoints;
  /** The counters countTokens names besides the served model's; main.ts shares them with the context packer. */
  tokenCounters?: TokenCounterChoice;
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
  private readonly tokenCounters: TokenCounterChoice;

  constructor(
    private readonly connection: MessageConnection,
    private readonly options: EngineServerOptions,
  ) {
    const { generation, context } = options;
    // Asked only for the counters other than the served model's (that one is generation.countTokens).
    this.tokenCounters =
      options.tokenCounters ?? new TokenCounterChoice(() => estimatedTokenCounter, bundledQwen3Counter);
    const library = options.library ?? new ModelLibrary({ logger: options.logger });
    const notify = this.notify.bind(this);
    const handlers: EngineHandlers = {
      initialize: (params) => this.initialize(params),
      ping: () => (this.requireInitialized('ping'), this.ping()),
      'memory/collect': () => (this.requireInitialized('memory/collect'), collectGarbage(), memoryUsage()),
      'runtime/selfCheck': () => (this.requireInitialized('runtime/selfCheck'), runtimeSelfCheck()),
      'model/load': (params, token) => (
        this.requireInitialized('model/load'),
        generation.loadModel(
          parseEngineParams('model/load', params),
          (progress) => notify('model/progress', progress),
          abortSignalFor(token),
        )
      ),
      'model/info': (params) => (
        this.requireInitialized('model/info'),
        generation.modelInfo(parseEngineParams('model/info', params))
      ),
      'model/unload': (params) => (
        this.requireInitialized('model/unload'),
        generation.unloadModel(parseEngineParams('model/unload', params))
      ),
      'model/catalogue': (params) => (
        this.requireInitialized('model/catalogue'),
        library.catalogue(parseEngineParams('model/catalogue', params))
      ),
      'model/fit': (params) => (
        this.requireInitialized('model/fit'),
        library.fit(parseEngineParams('model/fit', params))
      ),
      'model/download': (params, token) => (
        this.requireInitialized('model/download'),
        library.download(
          parseEngineParams('model/download', params),
          (progress) => notify('model/downloadProgress', progress),
          abortSignalFor(token),
        )
      ),
      chat: (params, token) => (
        this.requireInitialized('chat'),
        generation.chat(
          parseEngineParams('chat', params),
          (delta) => notify('chat/delta', delta),
          abortSignalFor(token),
        )
      ),
      complete: (params, token) => (
        this.requireInitialized('complete'),
        generation.complete(parseEngineParams('complete', params), abortSignalFor(token))
      ),
      tokenize: (params) => (
        this.requireInitialized('tokenize'),
        generation.tokenize(parseEngineParams('tokenize', params))
      ),
      countTokens: (params) => {
        this.requireInitialized('countTokens');
        const request = parseEngineParams('countTokens', params);
        if (request.tokenizer === undefined || request.tokenizer === 'served') return generation.countTokens(request);
        const counter = this.tokenCounters.counter(request.tokenizer);
        return { counts: request.texts.map((text) => counter.count(text)) };
      },
      'context/index': (params, token) => (
        this.requireInitialized('context/index'),
        context.index(
          parseEngineParams('context/index', params),
          (progress) => notify('context/progress', progress),
          abortSignalFor(token),
        )
      ),
      'context/update': (params, token) => (
        this.requireInitialized('context/update'),
        context.update(parseEngineParams('context/update', params).changes, abortSignalFor(token))
      ),
      'context/pack': (params, token) => (
        this.requireInitialized('context/pack'),
        context.pack(parseEngineParams('context/pack', params), abortSignalFor(token))
      ),
      'context/prefill': (params, token) => (
        this.requireInitialized('context/prefill'),
        generation.prefillRepository(
          parseEngineParams('context/prefill', params),
          (request, signal) => context.pack(request, signal),
          (progress) => notify('context/prefillProgress', progress),
          abortSignalFor(token),
        )
      ),
      shutdown: () => (this.requireInitialized('shutdown'), this.shutdown()),
    };
    registerEngineHandlers(connection, handlers);
  }

  private requireInitialized(method: EngineMethod): void {
    if (this.shuttingDown)
      throw new EngineError(EngineErrorCode.ShuttingDown, `The engine is shutting down; "${method}" was not run.`);
    if (!this.initialized) {
      throw new EngineError(
        EngineErrorCode.NotInitialized,
        `"${method}" arrived before "initialize".`,
        'Send "initialize" first.',
      );
    }
  }

  /** Progress and deltas are best effort: a client that went away cannot be told, and the request ends anyway. */
  private notify<N extends EngineNotification>(method: N, params: EngineNotificationParams<N>): void {
    sendEngineNotification(this.connection, method, params).catch((error: unknown) =>
      this.options.logger.debug(`${method} not sent: ${String(error)}`),
    );
  }

  private initialize(wire: InitializeParams): InitializeResult {
    const params = parseInitializeParams(wire);
    if (params.logLevel) this.options.logger.setLevel(params.logLevel);
    this.initialized = true;
    this.options.logger.info(`initialized by ${params.clientName} ${params.clientVersion}`);
    return { engineVersion: this.options.version, protocolVersion: PROTOCOL_VERSION, pid: process.pid };
  }

  private ping(): PingResult {
    return {
      engineVersion: this.options.version,
      pid: process.pid,
      uptimeMs: Date.now() - this.startedAt,
      memory: memoryUsage(),
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

/** JSON-RPC's `$/cancelRequest` arrives as a CancellationToken; everything inside the engine takes an AbortSignal. */
function abortSignalFor(token: CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  else {
    const listener = token.onCancellationRequested(() => {
      listener.dispose();
      controller.abort();
    });
  }
  return controller.signal;
}

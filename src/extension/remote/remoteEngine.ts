import { Emitter, type CancellationToken, type Disposable } from 'vscode-jsonrpc';
import { EngineError } from '../../shared/engineError';
import {
  EngineErrorCode,
  type ChatDeltaParams,
  type ChatParams,
  type ChatResult,
  type CompleteParams,
  type CompleteResult,
  type ContextPackParams,
  type CountTokensParams,
  type EngineMethod,
  type EngineNotification,
  type EngineNotificationParams,
  type EngineParams,
  type EngineResult,
} from '../../shared/protocol';
import type { ChatEngine } from '../chat/chatStream';
import { estimateTokens } from '../../shared/tokenEstimate';
import { RemoteChat, type RemoteServer } from './remoteChat';
import { completionPrompt, RemoteCompletion } from './remoteCompletion';
import { remoteTokenizer } from './remoteModelInfo';
import { RemoteTokenCounter } from './remoteTokenCounter';

export interface RemoteEngineOptions {
  /** Whether the server generates now (hearth.engine.kind); when not, every request goes to the local engine. */
  active?: () => boolean;
  /** The server refused `suffix` for its model: completions should use the chat form from now on. */
  onFimRefused?: (server: RemoteServer) => void;
}

/**
 * The engine as the extension talks to it when a remote server generates: `chat` and `complete` go to the
 * server (with `chat/delta` notifications as the local engine sends them) and `countTokens` to its tokenizer
 * (else the model's own, or an estimate); everything else (indexing, packing, downloads) goes to the local
 * engine process, which needs no model for it. Drop-in where the supervisor was; the server is asked for per request, and while it is
 * not `active` (hearth.engine.kind is local) every request goes to the local engine.
 */
export class RemoteEngine implements ChatEngine, Disposable {
  private readonly deltas = new Emitter<ChatDeltaParams>();
  private clients:
    { key: string; chat: RemoteChat; completion: RemoteCompletion; counter: RemoteTokenCounter } | undefined;

  constructor(
    private readonly local: ChatEngine,
    private readonly server: () => Promise<RemoteServer>,
    private readonly options: RemoteEngineOptions = {},
  ) {}

  async request<M extends EngineMethod>(
    method: M,
    params: EngineParams<M>,
    token?: CancellationToken,
  ): Promise<EngineResult<M>> {
    if (this.options.active?.() === false) return this.local.request(method, params, token);
    if (method === 'context/pack')
      return this.local.request(method, await this.packedForServer(params as ContextPackParams), token);
    const remote = method === 'chat' || method === 'complete' || method === 'countTokens';
    if (!remote) return this.local.request(method, params, token);
    const abort = abortSignalOf(token);
    try {
      const server = await this.server();
      const clients = this.clientsFor(server);
      let result: EngineResult<'chat' | 'complete' | 'countTokens'>;
      if (method === 'complete')
        result = await this.complete(clients.completion, server, params as CompleteParams, abort.signal);
      else if (method === 'chat') result = await this.runChat(clients.chat, params as ChatParams, abort.signal);
      else result = await this.countTokens(clients.counter, server, params as CountTokensParams, token, abort.signal);
      return result;
    } finally {
      abort.dispose();
    }
  }

  /**
   * Counts with the server's /tokenize where it has one; else the local engine counts with the model's tokenizer
   * when Hearth bundles it (Qwen3), and an estimate stands in for any other model.
   */
  private async countTokens(
    counter: RemoteTokenCounter,
    server: RemoteServer,
    { texts }: CountTokensParams,
    token: CancellationToken | undefined,
    signal: AbortSignal,
  ): Promise<{ counts: number[] }> {
    const counts: number[] = [];
    for (const text of texts) {
      const count = await counter.count(text, signal);
      if (count === undefined) break;
      counts.push(count);
    }
    const rest = texts.slice(counts.length);
    if (rest.length === 0) return { counts };
    const tokenizer = remoteTokenizer(server.model);
    if (tokenizer === 'estimate') return { counts: [...counts, ...rest.map(estimateTokens)] };
    const local = await this.local.request('countTokens', { texts: rest, tokenizer }, token);
    return { counts: [...counts, ...local.counts] };
  }

  /**
   * The local engine has no model while a server generates: a pack names the tokenizer to count with, that of
   * the server's model (see countTokens). A server that cannot be asked leaves the engine's default, the estimate.
   */
  private async packedForServer(params: ContextPackParams): Promise<ContextPackParams> {
    if (params.tokenizer !== undefined) return params;
    try {
      return { ...params, tokenizer: remoteTokenizer((await this.server()).model) };
    } catch {
      return params; // the chat that packs next says what is wrong with the server
    }
  }

  private clientsFor(server: RemoteServer) {
    const key = JSON.stringify([server.baseUrl, server.model, server.apiKey]);
    if (this.clients?.key !== key) {
      this.clients = {
        key,
        chat: new RemoteChat(server),
        completion: new RemoteCompletion(server),
        counter: new RemoteTokenCounter(server),
      };
    }
    return this.clients;
  }

  private runChat(chat: RemoteChat, { requestId, ...params }: ChatParams, signal: AbortSignal): Promise<ChatResult> {
    return chat.run(
      params,
      (delta) => {
        this.deltas.fire({ requestId, ...delta });
      },
      signal,
    );
  }

  private async complete(
    completion: RemoteCompletion,
    server: RemoteServer,
    params: CompleteParams,
    signal: AbortSignal,
  ): Promise<CompleteResult> {
    try {
      return await completion.run(params, signal);
    } catch (error) {
      const fim = completionPrompt(params).suffix !== undefined;
      if (fim && error instanceof EngineError && error.code === EngineErrorCode.UnsupportedModel)
        this.options.onFimRefused?.(server);
      throw error;
    }
  }

  onNotification<N extends EngineNotification>(
    method: N,
    handler: (params: EngineNotificationParams<N>) => void,
  ): Disposable {
    const local = this.local.onNotification(method, handler);
    if (method !== 'chat/delta') return local;
    // Both: the local engine answers chat while the server is not active.
    const remote = this.deltas.event((delta) => handler(delta as EngineNotificationParams<N>));
    return { dispose: () => (local.dispose(), remote.dispose()) };
  }

  dispose(): void {
    this.deltas.dispose();
  }
}

/** The token as an AbortSignal, for the HTTP client: the one place the two vocabularies meet here. */
function abortSignalOf(token: CancellationToken | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (token?.isCancellationRequested) controller.abort();
  const subscription = token?.onCancellationRequested(() => controller.abort());
  return { signal: controller.signal, dispose: () => subscription?.dispose() };
}

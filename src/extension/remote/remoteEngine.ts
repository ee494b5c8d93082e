import { Emitter, type CancellationToken, type Disposable } from 'vscode-jsonrpc';
import type {
  ChatDeltaParams,
  ChatParams,
  ChatResult,
  CompleteParams,
  EngineMethod,
  EngineNotification,
  EngineNotificationParams,
  EngineParams,
  EngineResult,
} from '../../shared/protocol';
import type { ChatEngine } from '../chat/chatStream';
import { RemoteChat, type RemoteServer } from './remoteChat';
import { RemoteCompletion } from './remoteCompletion';

/**
 * The engine as the extension talks to it when a remote server generates: `chat` and `complete` go to the
 * server (with `chat/delta` notifications as the local engine sends them), everything else (indexing, packing,
 * downloads) to the local engine process, which needs no model for it. Drop-in where the supervisor was.
 */
export class RemoteEngine implements ChatEngine, Disposable {
  private readonly deltas = new Emitter<ChatDeltaParams>();
  private readonly remoteChat: RemoteChat;
  private readonly completion: RemoteCompletion;

  constructor(
    private readonly local: ChatEngine,
    server: RemoteServer,
  ) {
    this.remoteChat = new RemoteChat(server);
    this.completion = new RemoteCompletion(server);
  }

  async request<M extends EngineMethod>(
    method: M,
    params: EngineParams<M>,
    token?: CancellationToken,
  ): Promise<EngineResult<M>> {
    if (method !== 'chat' && method !== 'complete') return this.local.request(method, params, token);
    const abort = abortSignalOf(token);
    try {
      const result: EngineResult<'chat' | 'complete'> =
        method === 'complete'
          ? await this.completion.run(params as CompleteParams, abort.signal)
          : await this.runChat(params as ChatParams, abort.signal);
      return result;
    } finally {
      abort.dispose();
    }
  }

  private runChat({ requestId, ...chat }: ChatParams, signal: AbortSignal): Promise<ChatResult> {
    return this.remoteChat.run(
      chat,
      (delta) => {
        this.deltas.fire({ requestId, ...delta });
      },
      signal,
    );
  }

  onNotification<N extends EngineNotification>(
    method: N,
    handler: (params: EngineNotificationParams<N>) => void,
  ): Disposable {
    if (method !== 'chat/delta') return this.local.onNotification(method, handler);
    return this.deltas.event((delta) => handler(delta as EngineNotificationParams<N>));
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

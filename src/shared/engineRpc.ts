import { CancellationToken, ResponseError, type Disposable, type MessageConnection } from 'vscode-jsonrpc';
import { EngineError } from './engineError';
import {
  EngineErrorCode,
  type EngineMethod,
  type EngineNotification,
  type EngineNotificationParams,
  type EngineParams,
  type EngineResult,
} from './protocol';

/** One handler per engine method; a missing one fails to compile. */
export type EngineHandlers = {
  [M in EngineMethod]: (
    params: EngineParams<M>,
    token: CancellationToken,
  ) => EngineResult<M> | Promise<EngineResult<M>>;
};

/** Registers the engine's handlers; thrown EngineErrors become typed error responses. */
export function registerEngineHandlers(connection: MessageConnection, handlers: EngineHandlers): void {
  for (const method of Object.keys(handlers) as EngineMethod[]) {
    const handler = handlers[method] as (params: unknown, token: CancellationToken) => unknown;
    connection.onRequest(method, async (...args: unknown[]) => {
      // A request sent without params reaches the handler with the token alone.
      const [params, token] = (args.length === 1 ? [undefined, args[0]] : args) as [unknown, CancellationToken];
      try {
        return await handler(params, token);
      } catch (error) {
        if (error instanceof EngineError) return error.toResponseError();
        if (error instanceof ResponseError) return error;
        const message = error instanceof Error ? error.message : String(error);
        return new EngineError(
          EngineErrorCode.InternalError,
          `Engine error in ${method}: ${message}`,
        ).toResponseError();
      }
    });
  }
}

/** Sends a typed request; error responses are rethrown as EngineError. */
export async function sendEngineRequest<M extends EngineMethod>(
  connection: MessageConnection,
  method: M,
  params: EngineParams<M>,
  token: CancellationToken = CancellationToken.None,
): Promise<EngineResult<M>> {
  try {
    return params === undefined
      ? await connection.sendRequest<EngineResult<M>>(method, token)
      : await connection.sendRequest<EngineResult<M>>(method, params, token);
  } catch (error) {
    if (error instanceof ResponseError) throw EngineError.fromResponseError(error);
    throw error;
  }
}

/** Sends a typed notification from the engine to the client. */
export function sendEngineNotification<N extends EngineNotification>(
  connection: MessageConnection,
  method: N,
  params: EngineNotificationParams<N>,
): Promise<void> {
  return connection.sendNotification(method, params);
}

/** Listens for a typed engine notification on the client; dispose the result to stop. */
export function onEngineNotification<N extends EngineNotification>(
  connection: MessageConnection,
  method: N,
  handler: (params: EngineNotificationParams<N>) => void,
): Disposable {
  return connection.onNotification(method, (params: EngineNotificationParams<N>) => handler(params));
}

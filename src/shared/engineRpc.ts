import { CancellationToken, ErrorCodes, ResponseError, type Disposable, type MessageConnection } from 'vscode-jsonrpc';
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

/**
 * Registers the engine's handlers; thrown EngineErrors become typed error responses. One handler takes every
 * request: vscode-jsonrpc spreads an array of params into a method handler's arguments, token included.
 */
export function registerEngineHandlers(connection: MessageConnection, handlers: EngineHandlers): void {
  connection.onRequest(async (method: string, params: unknown, token: CancellationToken) => {
    if (!Object.hasOwn(handlers, method))
      return new ResponseError(ErrorCodes.MethodNotFound, `Unhandled method ${method}`);
    const handler = handlers[method as EngineMethod] as (params: unknown, token: CancellationToken) => unknown;
    try {
      if (Array.isArray(params)) {
        throw new EngineError(
          EngineErrorCode.InvalidParams,
          `Invalid ${method} params: the params must be an object, not an array.`,
          'Send the params as a JSON object (by name), or none.',
        );
      }
      return await handler(params, token);
    } catch (error) {
      if (error instanceof EngineError) return error.toResponseError();
      if (error instanceof ResponseError) return error;
      const message = error instanceof Error ? error.message : String(error);
      return new EngineError(EngineErrorCode.InternalError, `Engine error in ${method}: ${message}`).toResponseError();
    }
  });
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

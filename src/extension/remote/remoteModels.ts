import OpenAI from 'openai';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { remoteError } from './remoteErrors';
import type { RemoteServer } from './remoteChat';

/** A model a remote server offers, for Select Model and the repository budget. */
export interface RemoteModel {
  id: string;
  /** The server's context length where it says (vLLM's and hearth serve's `max_model_len`), else undefined. */
  contextLength: number | undefined;
}

/**
 * The models of an OpenAI-compatible server (GET /v1/models), with their context length where reported. A
 * `signal` from AbortSignal.timeout that fires means the server did not answer in time.
 */
export async function listRemoteModels(
  server: Omit<RemoteServer, 'model'>,
  signal: AbortSignal,
): Promise<RemoteModel[]> {
  const client = new OpenAI({ baseURL: server.baseUrl, apiKey: server.apiKey ?? 'none', maxRetries: 0 });
  try {
    const models: RemoteModel[] = [];
    for await (const model of client.models.list({ signal })) {
      const { max_model_len: length } = model as OpenAI.Model & { max_model_len?: unknown };
      models.push({ id: model.id, contextLength: typeof length === 'number' ? length : undefined });
    }
    return models;
  } catch (error) {
    if (signal.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError') {
      throw new EngineError(
        EngineErrorCode.RemoteUnreachable,
        `The model server at ${server.baseUrl} did not list its models in time.`,
        'Check that the server is up and not overloaded, or fix hearth.engine.url.',
      );
    }
    throw remoteError(error, { baseUrl: server.baseUrl, model: '' });
  }
}

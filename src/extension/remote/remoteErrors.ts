import OpenAI from 'openai';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { API_KEY_TARGET, EngineErrorWithSetting } from '../errorDescription';

/** Where a remote request failed, for messages: the server's base URL and the model asked for. */
export interface RemoteTarget {
  baseUrl: string;
  model: string;
}

/**
 * A failed request to an OpenAI-compatible server as the typed error the extension shows: what happened and
 * what to do, for each way such servers fail (down, wrong URL or key, unknown model, busy, 5xx, context too long).
 */
export function remoteError(error: unknown, target: RemoteTarget): EngineError {
  if (error instanceof EngineError) return error;
  const { baseUrl, model } = target;
  if (error instanceof OpenAI.APIConnectionError) {
    return new EngineError(
      EngineErrorCode.RemoteUnreachable,
      `The model server at ${baseUrl} did not answer (${error.cause instanceof Error ? error.cause.message : error.message}).`,
      'Start the server, or fix hearth.engine.url (the base URL ends with /v1).',
    );
  }
  if (!(error instanceof OpenAI.APIError)) {
    return new EngineError(EngineErrorCode.RemoteStreamCut, `The model server's answer broke off: ${String(error)}.`);
  }
  const detail = error.message.replace(/^\d{3} /, '');
  switch (error.status) {
    case 401:
    case 403:
      return new EngineErrorWithSetting(
        new EngineError(
          EngineErrorCode.Unauthorized,
          `The model server at ${baseUrl} refused the API key (${error.status}).`,
          'Run "Hearth: Set API Key" with the key the server expects.',
        ),
        API_KEY_TARGET,
      );
    case 404:
      return new EngineErrorWithSetting(
        new EngineError(
          EngineErrorCode.ModelNotFound,
          `The model server at ${baseUrl} has no model "${model}" (or no such route): ${detail}`,
          'Choose one of its models with "Hearth: Select Model", or check that hearth.engine.url ends with /v1.',
        ),
        'hearth.engine.model',
      );
    case 429: {
      // fetch's Headers; the extension's typings have no DOM, so its shape is spelled out.
      const headers = error.headers as { get(name: string): string | null } | undefined;
      const retryAfter = headers?.get('retry-after');
      return new EngineError(
        EngineErrorCode.TooManyRequests,
        `The model server at ${baseUrl} is busy (429)${retryAfter ? `; it asks to retry after ${retryAfter} s` : ''}.`,
        'Retry in a moment.',
      );
    }
    default:
      break;
  }
  if (error.status === 400 && (error.param === 'suffix' || /\b(suffix|infill|fill-in-the-middle)\b/i.test(detail))) {
    return new EngineError(
      EngineErrorCode.UnsupportedModel,
      `The model "${model}" at ${baseUrl} cannot fill in the middle: ${detail}`,
      'Completions then use the chat form; for FIM, serve a FIM-trained model such as Qwen2.5-Coder.',
    );
  }
  if (
    error.status === 400 &&
    /context.?length|maximum context|too long|exceeds/i.test(`${error.code ?? ''} ${detail}`)
  ) {
    return new EngineError(
      EngineErrorCode.ContextTooLarge,
      `The conversation is longer than the model server's context: ${detail}`,
      'Lower hearth.context.maxTokens, shorten the conversation, or serve the model with a longer context.',
    );
  }
  if (error.status !== undefined && error.status >= 500) {
    return new EngineError(
      EngineErrorCode.RemoteServerError,
      `The model server at ${baseUrl} failed the request (${error.status}): ${detail}`,
      "Retry; if it keeps failing, the server's own log says why.",
    );
  }
  if (error.status === undefined) {
    return new EngineError(EngineErrorCode.RemoteStreamCut, `The model server's stream failed: ${detail}`, 'Retry.');
  }
  return new EngineError(
    EngineErrorCode.InvalidParams,
    `The model server refused the request (${error.status}): ${detail}`,
  );
}

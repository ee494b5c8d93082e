import type { ServerResponse } from 'node:http';
import type { GenerationUsage } from '../../shared/protocol';
import { OpenAiError } from './openAiError';

/** Pieces both generation routes answer with: usage, a JSON body, and the check for a server-side stop. */
export function usageOf(usage: GenerationUsage): object {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedTokens },
  };
}

export function sendJson(response: ServerResponse, body: unknown, status = 200): void {
  if (response.destroyed || response.writableEnded) return;
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** A generation cut short while its client is still there: the engine is stopping, which the client hears. */
export function endedOrThrow(result: { finishReason: string }, signal: AbortSignal): void {
  if (result.finishReason === 'cancelled' && !signal.aborted) {
    throw new OpenAiError(
      503,
      'The server stopped this request: it is shutting down.',
      'server_error',
      null,
      'unavailable',
    );
  }
}

import type { ServerResponse } from 'node:http';
import * as v from 'valibot';
import { OpenAiError } from './openAiError';
import { sendJson } from './responseParts';
import { parseBody } from './requestSchemas';
import type { RouteContext } from './routeContext';

/**
 * vLLM's /tokenize body, or llama.cpp server's (`content`, no model); the text is plain (a spelled-out control
 * token counts as its pieces).
 */
const tokenizeBody = v.looseObject({
  model: v.optional(v.pipe(v.string(), v.minLength(1))),
  prompt: v.optional(v.string()),
  content: v.optional(v.string()),
});

/**
 * POST /tokenize, as vLLM answers it: `{ count, max_model_len, tokens }`. Clients count a repository block with
 * the served model's own tokenizer, and learn the context it has to fit in.
 */
export function tokenizeRoute(body: unknown, response: ServerResponse, context: RouteContext): Promise<void> {
  const request = parseBody(tokenizeBody, body);
  if (request.model !== undefined) context.checkModel(request.model);
  const text = request.prompt ?? request.content;
  if (text === undefined) throw OpenAiError.invalid('Invalid request: prompt: send the text to count', 'prompt');
  const { ids } = context.engine.tokenize({ text, special: false });
  const contextLength = context.engine.modelInfo()?.contextLength ?? 0;
  sendJson(response, { count: ids.length, max_model_len: contextLength, tokens: ids });
  return Promise.resolve();
}

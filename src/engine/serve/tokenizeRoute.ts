import type { ServerResponse } from 'node:http';
import * as v from 'valibot';
import { sendJson } from './responseParts';
import { parseBody } from './requestSchemas';
import type { RouteContext } from './routeContext';

/** vLLM's /tokenize body; the prompt is plain text (a spelled-out control token counts as its pieces). */
const tokenizeBody = v.looseObject({ model: v.pipe(v.string(), v.minLength(1)), prompt: v.string() });

/**
 * POST /tokenize, as vLLM answers it: `{ count, max_model_len, tokens }`. Clients count a repository block with
 * the served model's own tokenizer, and learn the context it has to fit in.
 */
export function tokenizeRoute(body: unknown, response: ServerResponse, context: RouteContext): Promise<void> {
  const request = parseBody(tokenizeBody, body);
  context.checkModel(request.model);
  const { ids } = context.engine.tokenize({ text: request.prompt, special: false });
  const contextLength = context.engine.modelInfo()?.contextLength ?? 0;
  sendJson(response, { count: ids.length, max_model_len: contextLength, tokens: ids });
  return Promise.resolve();
}

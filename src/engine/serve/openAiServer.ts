// Node's own http: four routes and SSE need no router or plugins, and a framework would add its own body,
// error and streaming conventions to bend into OpenAI's; valibot does the part worth a library (validation).
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatCompletionRoute } from './chatCompletionRoute';
import { completionRoute } from './completionRoute';
import { OpenAiError } from './openAiError';
import { sendJson } from './responseParts';
import { tokenizeRoute } from './tokenizeRoute';
import type { RouteContext, ServeEngine } from './routeContext';

export interface OpenAiServerOptions {
  engine: ServeEngine;
  modelId: string;
  /** Required on every /v1 request as `Authorization: Bearer KEY` when set. */
  apiKey?: string;
  /** Largest request body; larger ones get 413. */
  maxBodyBytes?: number;
  /** Most tokens a request may ask for; default the model's context length. */
  maxTokens?: number;
}

type Route = (body: unknown, response: ServerResponse, context: RouteContext, signal: AbortSignal) => Promise<void>;

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const POST_ROUTES: Readonly<Record<string, Route>> = {
  '/v1/chat/completions': chatCompletionRoute,
  '/v1/completions': completionRoute,
  '/tokenize': tokenizeRoute,
};

/**
 * An OpenAI-compatible HTTP server over the engine's generation service: GET /v1/models and /health, POST
 * /v1/chat/completions, /v1/completions and vLLM's /tokenize. A client that disconnects cancels its request;
 * errors are OpenAI's error JSON with the matching status.
 */
export class OpenAiServer {
  private readonly server: Server;
  private readonly running = new Set<AbortController>();
  private readonly context: RouteContext;

  constructor(private readonly options: OpenAiServerOptions) {
    this.server = createServer((request, response) => void this.handle(request, response));
    this.context = {
      engine: options.engine,
      modelId: options.modelId,
      maxTokensLimit: () => options.maxTokens ?? options.engine.modelInfo()?.contextLength ?? 0,
      checkModel: (model) => {
        if (model !== options.modelId) {
          throw new OpenAiError(
            404,
            `The model "${model}" does not exist: this server serves "${options.modelId}".`,
            'not_found_error',
            'model',
            'model_not_found',
          );
        }
      },
    };
  }

  /** Generation requests in flight, from the body read to the engine's last step. */
  get requestsRunning(): number {
    return this.running.size;
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  /** Cancels the requests in flight, then stops listening and closes every connection. */
  async close(): Promise<void> {
    for (const controller of this.running) controller.abort();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    try {
      await this.route(request, response);
    } catch (error) {
      const failure = OpenAiError.from(error);
      if (!response.headersSent) sendJson(response, failure.toBody(), failure.status);
      else response.destroy();
    }
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    const loaded = this.options.engine.modelInfo();
    if (path === '/health' && request.method === 'GET') {
      sendJson(
        response,
        {
          status: loaded ? 'ok' : 'loading',
          requests_running: this.running.size,
          prefix_cache_bytes: this.options.engine.prefixCacheBytes(),
        },
        loaded ? 200 : 503,
      );
      return;
    }
    this.authorize(request);
    const post = Object.hasOwn(POST_ROUTES, path) ? POST_ROUTES[path] : undefined;
    if (path !== '/v1/models' && post === undefined) {
      throw new OpenAiError(
        404,
        `There is no route ${request.method} ${path}. This server has GET /v1/models, POST /v1/chat/completions, POST /v1/completions and POST /tokenize.`,
        'not_found_error',
        null,
        'unknown_route',
      );
    }
    const method = post === undefined ? 'GET' : 'POST';
    if (request.method !== method) {
      response.setHeader('allow', method);
      throw new OpenAiError(
        405,
        `${path} takes ${method}, not ${request.method}.`,
        'invalid_request_error',
        null,
        'method_not_allowed',
      );
    }
    if (loaded === null) {
      response.setHeader('retry-after', '5');
      throw new OpenAiError(
        503,
        'The model is still loading. Try again in a few seconds.',
        'server_error',
        null,
        'model_loading',
      );
    }
    if (post === undefined) {
      const model = {
        id: this.options.modelId,
        object: 'model',
        created: 0,
        owned_by: 'hearth',
        max_model_len: loaded.contextLength,
      };
      sendJson(response, { object: 'list', data: [model] });
      return;
    }
    const body = await this.readBody(request);
    const controller = new AbortController();
    // 'close' comes when the response is done or the connection is gone; only the second cancels.
    response.once('close', () => {
      if (!response.writableFinished) controller.abort();
    });
    this.running.add(controller);
    try {
      await post(body, response, this.context, controller.signal);
    } finally {
      this.running.delete(controller);
    }
  }

  private authorize(request: IncomingMessage): void {
    const { apiKey } = this.options;
    if (apiKey === undefined) return;
    const given = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const digest = (key: string): Buffer => createHash('sha256').update(key).digest();
    if (!timingSafeEqual(digest(given), digest(apiKey))) {
      throw new OpenAiError(
        401,
        'Missing or wrong API key: send the key hearth serve was started with as "Authorization: Bearer KEY".',
        'authentication_error',
        null,
        'invalid_api_key',
      );
    }
  }

  private async readBody(request: IncomingMessage): Promise<unknown> {
    const limit = this.options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    const tooLarge = () =>
      new OpenAiError(
        413,
        `The request body is larger than this server takes (${limit} bytes).`,
        'invalid_request_error',
        null,
        'request_too_large',
      );
    if (Number(request.headers['content-length'] ?? 0) > limit) throw tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > limit) throw tooLarge();
      chunks.push(chunk as Buffer);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      throw OpenAiError.invalid(`The request body is not JSON (${(error as Error).message}).`, null);
    }
  }
}

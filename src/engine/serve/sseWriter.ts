import type { ServerResponse } from 'node:http';
import type { OpenAiErrorBody } from './openAiError';

/**
 * Server-sent events as OpenAI streams them: one `data: {json}` per chunk and `data: [DONE]` at the end. The
 * status line goes out with the first event, so a request refused before it gets a plain error status.
 */
export class SseWriter {
  constructor(private readonly response: ServerResponse) {}

  get started(): boolean {
    return this.response.headersSent;
  }

  send(data: unknown): void {
    if (this.response.destroyed || this.response.writableEnded) return;
    if (!this.started) {
      this.response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
    }
    this.response.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  /** An error after the stream started: vLLM's shape, which the openai client raises as an APIError. */
  fail(error: OpenAiErrorBody): void {
    this.send(error);
    this.done();
  }

  done(): void {
    if (this.response.destroyed || this.response.writableEnded) return;
    this.response.end('data: [DONE]\n\n');
  }
}

import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the replay server received: its path and JSON body. */
export interface ReceivedRequest {
  path: string;
  body: Record<string, unknown>;
}

/** A local server answering every request with one scripted response, keeping the requests it received. */
export class ReplayServer {
  private readonly server: Server;
  readonly received: ReceivedRequest[] = [];
  respond: (response: ServerResponse, request: ReceivedRequest) => void = () => undefined;

  constructor() {
    this.server = createServer((request, response) => {
      let text = '';
      request.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      request.on('end', () => {
        const received = {
          path: request.url ?? '',
          body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
        };
        this.received.push(received);
        this.respond(response, received);
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((done) => this.server.listen(0, '127.0.0.1', done));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((done) => this.server.close(done));
  }

  static sse(events: object[], options: { cutAfter?: number } = {}) {
    return (response: ServerResponse): void => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      const sent = options.cutAfter === undefined ? events : events.slice(0, options.cutAfter);
      for (const event of sent) response.write(`data: ${JSON.stringify(event)}\n\n`);
      if (options.cutAfter === undefined) response.end('data: [DONE]\n\n');
      // The connection drops once the events are out, as when a server or a proxy dies mid-answer.
      else response.socket?.destroySoon();
    };
  }

  static status(status: number, body: object, headers: Record<string, string> = {}) {
    return (response: ServerResponse): void => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(JSON.stringify(body));
    };
  }
}

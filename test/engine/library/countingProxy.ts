/**
 * An HTTP proxy on 127.0.0.1 for the proxy tests: tunnels CONNECT (what undici's ProxyAgent sends, for http and
 * https targets alike) and forwards absolute-form requests, recording the target of each.
 */
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export class CountingProxy {
  /** "CONNECT host:port" or "GET http://host:port/path", in arrival order. */
  readonly seen: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<CountingProxy> {
    const server = createServer();
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const proxy = new CountingProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('connection', (socket) => proxy.track(socket));
    server.on('request', (req, res) => {
      proxy.seen.push(`${req.method} ${req.url}`);
      const upstream = request(req.url ?? '', { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    server.on('connect', (req, client: Socket, head: Buffer) => {
      proxy.seen.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = proxy.track(
        connect(Number(port), host, () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          upstream.write(head);
          upstream.pipe(client).on('error', () => client.destroy());
          client.pipe(upstream).on('error', () => upstream.destroy());
        }),
      );
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    return proxy;
  }

  /** The distinct hosts (host:port) it was asked for, sorted. */
  get targets(): string[] {
    const host = (line: string) => (line.startsWith('CONNECT ') ? line.slice(8) : new URL(line.split(' ')[1]).host);
    return [...new Set(this.seen.map(host))].sort();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((done) => this.server.close(done));
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  }
}

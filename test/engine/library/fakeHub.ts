/**
 * A Hugging Face Hub on 127.0.0.1, close enough to the real one for the downloader: the revision and tree
 * APIs (paged with Link headers, LFS sha256 in `lfs.oid`, git blob ids in `oid`), `resolve` URLs that
 * answer LFS files with a 302 to a second server (the CDN, on another port: another origin) carrying
 * X-Linked-Etag / X-Linked-Size / X-Repo-Commit, Range requests (206; 416 from the end of the file on), and faults on demand.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SYNTHETIC_GEOMETRIES } from '../../../src/engine/synthetic/syntheticConfig';
import { writeSyntheticCheckpoint } from '../../../src/engine/synthetic/syntheticCheckpoint';

export interface FakeHubFile {
  path: string;
  bytes: Buffer;
  /** Stored with Git LFS (served through the CDN, verified by sha256). */
  lfs: boolean;
}

export interface RecordedRequest {
  server: 'hub' | 'cdn';
  url: string;
  authorization: string | undefined;
}

export interface FakeHubOptions {
  repo: string;
  files: FakeHubFile[];
  /** When set, the Hub answers 401 to requests without `Bearer <token>` (a gated model). */
  token?: string;
  /** Tree entries per page (the real Hub pages at 1000; small here to exercise the Link header). */
  pageSize?: number;
}

export const FAKE_COMMIT = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';

export class FakeHub {
  readonly requests: RecordedRequest[] = [];
  /** Body bytes actually sent, per file path. */
  readonly bytesServed = new Map<string, number>();
  /** The first byte of every body sent, per file path (0 for a full download, N for a resume from N). */
  readonly rangeStarts = new Map<string, number[]>();
  private readonly faults = new Map<
    string,
    { kind: 'drop' | 'hold'; after: number } | { kind: 'corrupt'; times: number }
  >();
  private readonly held = new Set<ServerResponse>();
  private failures: { status: number; times: number } | undefined;
  private pageLoop: 'self' | 'new' | undefined;
  private treeEntries: Record<string, unknown>[] | undefined;
  private endpointUrl = '';
  private cdnUrl = '';

  private constructor(
    private readonly options: FakeHubOptions,
    private readonly hub: Server,
    private readonly cdn: Server,
  ) {}

  static async start(options: FakeHubOptions): Promise<FakeHub> {
    const fake: FakeHub = new FakeHub(
      options,
      createServer((req, res) => fake.handleHub(req, res)),
      createServer((req, res) => fake.handleCdn(req, res)),
    );
    fake.endpointUrl = await listen(fake.hub);
    fake.cdnUrl = await listen(fake.cdn);
    return fake;
  }

  get endpoint(): string {
    return this.endpointUrl;
  }

  /** The CDN's origin, where the Hub redirects LFS files. */
  get cdnEndpoint(): string {
    return this.cdnUrl;
  }

  /** The next response for `path` sends `after` body bytes, then the connection is destroyed. */
  dropAfter(path: string, after: number): void {
    this.faults.set(path, { kind: 'drop', after });
  }

  /** The next response for `path` sends `after` body bytes, then stalls until the hub closes. */
  holdAfter(path: string, after: number): void {
    this.faults.set(path, { kind: 'hold', after });
  }

  /** The next `times` requests to the Hub (not the CDN) answer `status`, with Retry-After: 0. */
  failNext(status: number, times: number): void {
    this.failures = { status, times };
  }

  /** Every tree page links to a next one: itself, or a new page (a listing that never ends). */
  endlessPages(next: 'self' | 'new'): void {
    this.pageLoop = next;
  }

  /** The next `times` responses for `path` have one byte flipped. */
  corrupt(path: string, times = 1): void {
    this.faults.set(path, { kind: 'corrupt', times });
  }

  async close(): Promise<void> {
    for (const res of this.held) res.destroy();
    const closed = Promise.all([this.hub, this.cdn].map((server) => new Promise((done) => server.close(done))));
    for (const server of [this.hub, this.cdn]) server.closeAllConnections();
    await closed;
  }

  private handleHub(req: IncomingMessage, res: ServerResponse): void {
    this.record('hub', req);
    const url = new URL(req.url ?? '/', this.endpointUrl);
    const repo = this.options.repo;
    if (this.failures !== undefined && this.failures.times-- > 0) {
      res.writeHead(this.failures.status, { 'retry-after': '0' }).end();
      return;
    }
    if (this.options.token !== undefined && req.headers.authorization !== `Bearer ${this.options.token}`) {
      const gated = req.headers.authorization === undefined;
      res.writeHead(
        401,
        gated ? { 'x-error-code': 'GatedRepo', 'x-error-message': `Access to model ${repo} is restricted.` } : {},
      );
      res.end('{"error":"unauthorized"}');
      return;
    }
    if (!url.pathname.startsWith(`/api/models/${repo}/`) && !url.pathname.startsWith(`/${repo}/`)) {
      res.writeHead(401, { 'x-error-code': 'RepoNotFound' }).end('{"error":"Repository not found"}');
      return;
    }
    const revisionMatch = new RegExp(`^/api/models/${repo}/revision/([^/]+)$`).exec(url.pathname);
    if (revisionMatch) {
      const revision = decodeURIComponent(revisionMatch[1]);
      if (revision !== 'main' && revision !== FAKE_COMMIT) {
        res.writeHead(404, { 'x-error-code': 'RevisionNotFound' }).end('{"error":"Invalid rev id"}');
        return;
      }
      json(res, { id: repo, sha: FAKE_COMMIT, siblings: this.options.files.map((f) => ({ rfilename: f.path })) });
      return;
    }
    if (url.pathname === `/api/models/${repo}/tree/${FAKE_COMMIT}`) {
      this.tree(url, res);
      return;
    }
    const resolvePrefix = `/${repo}/resolve/${FAKE_COMMIT}/`;
    const file = url.pathname.startsWith(resolvePrefix)
      ? this.file(decodeURIComponent(url.pathname.slice(resolvePrefix.length)))
      : undefined;
    if (file === undefined) {
      res.writeHead(404, { 'x-error-code': 'EntryNotFound' }).end();
    } else if (file.lfs) {
      const sha256 = sha256Of(file.bytes);
      res.writeHead(302, {
        location: `${this.cdnUrl}/blobs/${sha256}?path=${encodeURIComponent(file.path)}`,
        'x-linked-etag': `"${sha256}"`,
        'x-linked-size': String(file.bytes.length),
        'x-repo-commit': FAKE_COMMIT,
      });
      res.end();
    } else {
      this.serve(file, req, res, { etag: `"${gitBlobId(file.bytes)}"`, 'x-repo-commit': FAKE_COMMIT });
    }
  }

  private handleCdn(req: IncomingMessage, res: ServerResponse): void {
    this.record('cdn', req);
    const url = new URL(req.url ?? '/', this.cdnUrl);
    const file = this.file(url.searchParams.get('path') ?? '');
    if (file === undefined || url.pathname !== `/blobs/${sha256Of(file.bytes)}`) {
      res.writeHead(404).end();
      return;
    }
    // A CDN's own etag is not the Hub's: the client must use X-Linked-Etag from the redirect.
    this.serve(file, req, res, { etag: `"cdn-${sha256Of(file.bytes).slice(0, 12)}"` });
  }

  private tree(url: URL, res: ServerResponse): void {
    this.treeEntries ??= this.listTree();
    const entries = this.treeEntries;
    const pageSize = this.options.pageSize ?? 1000;
    const cursor = Number(url.searchParams.get('cursor') ?? 0);
    const nextCursor = this.pageLoop === 'new' ? cursor + 1 : cursor + pageSize;
    const next =
      this.pageLoop === 'self'
        ? `<${url.href}>; rel="next"`
        : this.pageLoop === 'new' || nextCursor < entries.length
          ? `<${url.origin}${url.pathname}?recursive=true&cursor=${nextCursor}>; rel="next"`
          : undefined;
    json(res, entries.slice(cursor, cursor + pageSize), next === undefined ? {} : { link: next });
  }

  /** The tree API's entries: folders, then files with their git blob ids and LFS hashes. */
  private listTree(): Record<string, unknown>[] {
    const entries: Record<string, unknown>[] = [
      ...new Set(
        this.options.files.flatMap((f) =>
          f.path
            .split('/')
            .slice(0, -1)
            .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
        ),
      ),
    ].map((path) => ({ type: 'directory', oid: '0'.repeat(40), size: 0, path }));
    for (const file of this.options.files) {
      const sha256 = sha256Of(file.bytes);
      entries.push({
        type: 'file',
        path: file.path,
        size: file.bytes.length,
        // An LFS file's oid is the blob id of its pointer; the content's sha256 is lfs.oid.
        oid: file.lfs
          ? gitBlobId(
              Buffer.from(
                `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${file.bytes.length}\n`,
              ),
            )
          : gitBlobId(file.bytes),
        ...(file.lfs && { lfs: { oid: sha256, size: file.bytes.length, pointerSize: 134 } }),
      });
    }
    return entries;
  }

  private serve(file: FakeHubFile, req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): void {
    const total = file.bytes.length;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    this.rangeStarts.set(file.path, [...(this.rangeStarts.get(file.path) ?? []), start]);
    if (range && start >= total) {
      // As real servers do (RFC 9110 §14.4): a range from the end of the file on is not satisfiable.
      res.writeHead(416, { ...headers, 'content-range': `bytes */${total}` }).end();
      return;
    }
    let body = file.bytes.subarray(start);
    const fault = this.faults.get(file.path);
    if (fault?.kind === 'corrupt') {
      body = Buffer.from(body);
      body[body.length >> 1] ^= 0xff;
      if (--fault.times === 0) this.faults.delete(file.path);
    }
    res.writeHead(range ? 206 : 200, {
      ...headers,
      'content-length': String(body.length),
      'accept-ranges': 'bytes',
      ...(range && { 'content-range': `bytes ${start}-${total - 1}/${total}` }),
    });
    if (fault?.kind === 'drop' || fault?.kind === 'hold') {
      this.faults.delete(file.path);
      const sent = body.subarray(0, fault.after);
      this.count(file.path, sent.length);
      res.write(sent, () => (fault.kind === 'drop' ? res.socket?.destroy() : this.held.add(res)));
      return;
    }
    this.count(file.path, body.length);
    res.end(body);
  }

  private file(path: string): FakeHubFile | undefined {
    return this.options.files.find((f) => f.path === path);
  }

  private count(path: string, bytes: number): void {
    this.bytesServed.set(path, (this.bytesServed.get(path) ?? 0) + bytes);
  }

  private record(server: 'hub' | 'cdn', req: IncomingMessage): void {
    this.requests.push({ server, url: req.url ?? '', authorization: req.headers.authorization });
  }
}

export function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

function json(res: ServerResponse, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(value));
}

function listen(server: Server): Promise<string> {
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () => done(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

/**
 * The files of a tiny synthetic FP8 checkpoint as the Hub would hold them (weights in two shards with an
 * index, the real Qwen3 tokenizer files), plus a small file in a sub-folder.
 */
export async function syntheticHubFiles(outDir: string): Promise<FakeHubFile[]> {
  await writeSyntheticCheckpoint({
    outDir,
    geometry: { ...SYNTHETIC_GEOMETRIES.tiny, vocabSize: 512 },
    dtype: 'fp8',
    seed: 3,
    arch: 'qwen3',
    tied: true,
    shardBytes: 800_000,
  });
  const files = readdirSync(outDir).map((path) => ({
    path,
    bytes: readFileSync(join(outDir, path)),
    lfs: path.endsWith('.safetensors') || path === 'tokenizer.json',
  }));
  return [...files, { path: 'docs/NOTES.md', bytes: Buffer.from('A file in a sub-folder.\n'), lfs: false }];
}

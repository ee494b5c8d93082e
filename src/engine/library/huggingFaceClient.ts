/**
 * The few Hugging Face Hub calls a download needs, over plain fetch:
 *   GET {endpoint}/api/models/{repo}/revision/{rev}           → { sha }: the revision pinned to a commit
 *   GET {endpoint}/api/models/{repo}/tree/{commit}?recursive=true
 *       → [{ type, path, size, oid, lfs?: { oid (sha256), size } }], paged by a Link: <…>; rel="next" header
 *   GET {endpoint}/{repo}/resolve/{commit}/{path}              → the bytes (LFS files via a redirect to a CDN)
 * Everything is fetched at the pinned commit, so a push to the branch mid-download cannot mix two versions.
 */
import type { Response } from 'undici';
import type { Dispatcher } from 'undici';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { ENGINE_VERSION } from '../base/version';
import { DownloadError } from './downloadError';
import type { HubTarget } from './hubErrors';
import { hubGet, normalizeEtag, type HubResponse } from './hubRequest';
import { proxyDispatcher } from './proxyDispatcher';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** A file of a repository at a commit, with what the Hub knows to verify it. */
export interface RemoteFile {
  /** Relative to the repository root, '/'-separated. */
  path: string;
  size: number;
  /** SHA-256 of the content, for files stored with Git LFS (the weights, tokenizer.json). */
  sha256?: string;
  /** Git blob id, sha1("blob <size>\0" + content), for files stored in git itself (configs). */
  gitBlobId?: string;
}

export interface RepoSnapshot {
  repo: string;
  revision: string;
  commit: string;
  files: RemoteFile[];
}

/** An open download of one file, from `start` on. */
export interface FileStream {
  /**
   * Where the body starts in the file: the requested offset, or 0 when the server ignored the Range or the
   * offset was past the file's end. An offset at the end gets an empty body (the server answered 416).
   */
  start: number;
  /** The Hub's identity for this file version (X-Linked-Etag, else ETag), to tell whether a partial is stale. */
  etag: string | undefined;
  body: ReadableStream<Uint8Array>;
}

export interface HuggingFaceClientOptions {
  endpoint?: string;
  token?: string;
  /** Where the connections go: a proxy (see proxyDispatcher.ts); default direct. */
  dispatcher?: Dispatcher;
}

/** The Hub pages its tree 1,000 entries at a time: this many pages is far beyond any model repository. */
const MAX_TREE_PAGES = 1_000;

const REPO_ID = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

export class HuggingFaceClient {
  readonly endpoint: string;
  private readonly token: string | undefined;
  private readonly origin: string;
  private readonly dispatcher: Dispatcher | undefined;

  constructor(options: HuggingFaceClientOptions = {}) {
    this.endpoint = (options.endpoint ?? DEFAULT_HUB_ENDPOINT).replace(/\/+$/, '');
    this.origin = new URL(this.endpoint).origin;
    this.token = options.token === '' ? undefined : options.token;
    this.dispatcher = options.dispatcher;
  }

  /** HF_ENDPOINT (a mirror or a local test server), HF_TOKEN and the proxy variables, as huggingface_hub reads them. */
  static fromEnvironment(env: NodeJS.ProcessEnv = process.env): HuggingFaceClient {
    return new HuggingFaceClient({
      endpoint: env.HF_ENDPOINT || DEFAULT_HUB_ENDPOINT,
      token: env.HF_TOKEN || undefined,
      dispatcher: proxyDispatcher(env),
    });
  }

  get authenticated(): boolean {
    return this.token !== undefined;
  }

  /** Pins `revision` (branch, tag or commit) to a commit and lists every file there. */
  async snapshot(repo: string, revision: string, signal?: AbortSignal): Promise<RepoSnapshot> {
    assertRepoId(repo);
    const target = this.target(repo, revision);
    const info = await this.getJson(
      `${this.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}`,
      target,
      signal,
    );
    const commit = (info as { sha?: unknown }).sha;
    if (typeof commit !== 'string' || !/^[0-9a-f]{40}$/.test(commit)) {
      throw new DownloadError('protocol', `${this.endpoint} gave no commit for ${repo} at "${revision}".`);
    }
    const files: RemoteFile[] = [];
    const pages = new Set<string>();
    let next: string | undefined = `${this.endpoint}/api/models/${repo}/tree/${commit}?recursive=true`;
    while (next !== undefined) {
      if (pages.has(next) || pages.size === MAX_TREE_PAGES)
        throw this.brokenListing(repo, `its pages do not end (${next})`);
      pages.add(next);
      const { response } = await this.get(next, target, { accept: 'application/json' }, signal);
      files.push(...parseTreePage(await readJson(response, next), next));
      next = nextPageUrl(response.headers.get('link'), next);
    }
    return { repo, revision, commit, files: this.distinctFiles(repo, files) };
  }

  /** One entry per path: a path listed twice alike is kept once; listed twice unlike, the listing is refused. */
  private distinctFiles(repo: string, files: RemoteFile[]): RemoteFile[] {
    const byPath = new Map<string, RemoteFile>();
    for (const file of files) {
      const seen = byPath.get(file.path);
      if (seen === undefined) byPath.set(file.path, file);
      else if (seen.size !== file.size || seen.sha256 !== file.sha256 || seen.gitBlobId !== file.gitBlobId)
        throw this.brokenListing(repo, `it names ${file.path} twice, with different contents`);
    }
    return [...byPath.values()];
  }

  private brokenListing(repo: string, why: string): DownloadError {
    return new DownloadError(
      'protocol',
      `${this.endpoint} gave a broken file list for ${repo}: ${why}.`,
      'Try again later; if HF_ENDPOINT names a mirror, try without it.',
    );
  }

  /** Opens `path` at `commit` from byte `start`; redirects to a CDN are followed without the token. */
  async openFile(repo: string, commit: string, path: string, start: number, signal?: AbortSignal): Promise<FileStream> {
    const url = `${this.endpoint}/${repo}/resolve/${commit}/${path.split('/').map(encodeURIComponent).join('/')}`;
    const headers: Record<string, string> = {
      'accept-encoding': 'identity',
      ...(start > 0 && { range: `bytes=${start}-` }),
    };
    const target = { ...this.target(repo, commit), path };
    const { response, hubHeaders } = await this.get(url, target, headers, signal, start > 0 ? 416 : undefined);
    const etag = normalizeEtag(
      hubHeaders.get('x-linked-etag') ?? hubHeaders.get('etag') ?? response.headers.get('etag'),
    );
    if (response.status === 416) {
      // Range Not Satisfiable, with the file's length as "bytes */<length>" (RFC 9110).
      await response.body?.cancel();
      const length = /^bytes \*\/(\d+)$/.exec(response.headers.get('content-range') ?? '')?.[1];
      if (length !== undefined && Number(length) === start) {
        return { start, etag, body: new ReadableStream({ start: (controller) => controller.close() }) };
      }
      return this.openFile(repo, commit, path, 0, signal);
    }
    if (response.body === null) throw new DownloadError('protocol', `${url} answered without a body.`);
    let bodyStart = 0;
    if (response.status === 206) {
      bodyStart = Number(/^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1] ?? NaN);
      if (bodyStart !== start) {
        await response.body.cancel();
        throw new DownloadError(
          'protocol',
          `${url} answered a request for bytes ${start}- with "${response.headers.get('content-range')}".`,
          undefined,
          { transient: true },
        );
      }
    }
    return { start: bodyStart, etag, body: response.body as ReadableStream<Uint8Array> };
  }

  private target(repo: string, revision: string): HubTarget {
    return { endpoint: this.endpoint, repo, revision, authenticated: this.authenticated };
  }

  private get(
    url: string,
    target: HubTarget,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
    acceptStatus?: number,
  ): Promise<HubResponse> {
    return hubGet({
      url,
      tokenOrigin: this.origin,
      token: this.token,
      headers: { 'user-agent': `hearth/${ENGINE_VERSION}`, ...headers },
      target,
      signal,
      acceptStatus,
      dispatcher: this.dispatcher,
    });
  }

  private async getJson(url: string, target: HubTarget, signal: AbortSignal | undefined): Promise<unknown> {
    const { response } = await this.get(url, target, { accept: 'application/json' }, signal);
    return readJson(response, url);
  }
}

function assertRepoId(repo: string): void {
  if (!REPO_ID.test(repo) || repo.includes('..')) {
    throw new EngineError(
      EngineErrorCode.InvalidParams,
      `"${repo}" is not a Hugging Face model id.`,
      'Give it as organisation/name, for example Qwen/Qwen3-4B-Instruct-2507-FP8.',
    );
  }
}

async function readJson(response: Response, url: string): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new DownloadError('protocol', `${url} did not answer JSON: ${text.slice(0, 120)}`, undefined, {
      transient: true,
    });
  }
}

function parseTreePage(json: unknown, url: string): RemoteFile[] {
  if (!Array.isArray(json)) throw new DownloadError('protocol', `${url} did not answer a file list.`);
  const files: RemoteFile[] = [];
  for (const entry of json as Record<string, unknown>[]) {
    if (entry.type !== 'file') continue;
    const { path, size, oid } = entry;
    const lfs = entry.lfs as { oid?: unknown } | null | undefined;
    if (typeof path !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new DownloadError(
        'protocol',
        `${url} listed a file without a path or size: ${JSON.stringify(entry).slice(0, 200)}`,
      );
    }
    const sha256 = typeof lfs?.oid === 'string' ? lfs.oid.replace(/^sha256:/, '') : undefined;
    files.push({
      path,
      size,
      ...(sha256 !== undefined ? { sha256 } : typeof oid === 'string' && { gitBlobId: oid }),
    });
  }
  return files;
}

/** The rel="next" URL of an RFC 8288 Link header, resolved against the current page. */
function nextPageUrl(link: string | null, current: string): string | undefined {
  const next = link?.split(',').find((part) => /;\s*rel="?next"?/.test(part));
  const target = next === undefined ? undefined : /<([^>]+)>/.exec(next)?.[1];
  return target === undefined ? undefined : new URL(target, current).href;
}

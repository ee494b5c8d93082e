/**
 * One GET to the Hub, following redirects by hand so that the token goes only where it belongs: the Hub
 * answers a `resolve` URL of a large file with a redirect to a CDN on another host, and a bearer token must
 * never reach that host (fetch would forward it on a same-scheme redirect). Relative redirects (a renamed
 * repository) stay on the Hub and keep it.
 */
import { fetch, type Dispatcher, type Response } from 'undici';
import { DownloadError } from './downloadError';
import { hubHttpError, hubNetworkError, type HubTarget } from './hubErrors';

const MAX_REDIRECTS = 10;

export interface HubRequest {
  url: string;
  /** The only origin the token is sent to: the Hub endpoint's. */
  tokenOrigin: string;
  token: string | undefined;
  headers: Record<string, string>;
  target: HubTarget;
  signal: AbortSignal | undefined;
  /** Where the connections go (a proxy); default undici's global dispatcher. */
  dispatcher?: Dispatcher;
  /** A non-2xx status the caller handles itself (416 for a range at the end of a file). */
  acceptStatus?: number;
}

export interface HubResponse {
  /** The final answer (2xx, or the accepted status); its body is unread. */
  response: Response;
  /**
   * Headers of the Hub's own last answer, before it redirected to a CDN: it carries X-Repo-Commit,
   * X-Linked-Etag and X-Linked-Size, which a CDN does not.
   */
  hubHeaders: Headers;
}

export async function hubGet(request: HubRequest): Promise<HubResponse> {
  let url = request.url;
  let hubHeaders = new Headers();
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const sameOrigin = new URL(url).origin === request.tokenOrigin;
    const headers = {
      ...request.headers,
      ...(sameOrigin && request.token !== undefined && { authorization: `Bearer ${request.token}` }),
    };
    let response: Response;
    try {
      response = await fetch(url, {
        headers,
        redirect: 'manual',
        signal: request.signal,
        dispatcher: request.dispatcher,
      });
    } catch (error) {
      if (request.signal?.aborted) throw error;
      throw hubNetworkError(error, url);
    }
    if (sameOrigin) hubHeaders = response.headers;
    if ((response.status >= 200 && response.status < 300) || response.status === request.acceptStatus)
      return { response, hubHeaders };

    // Redirect or error: the body is not wanted either way; free the connection.
    await response.body?.cancel().catch(() => undefined);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location !== null) {
      url = new URL(location, url).href;
      if (!url.startsWith('https:') && !url.startsWith('http:')) {
        throw new DownloadError(
          'protocol',
          `${request.target.endpoint} redirected ${request.target.repo} to an unsupported address: ${url}`,
        );
      }
      continue;
    }
    throw hubHttpError(response.status, response.headers, request.target);
  }
  throw new DownloadError('protocol', `More than ${MAX_REDIRECTS} redirects for ${request.url}.`);
}

/** An ETag without the weak prefix and quotes: the Hub quotes the sha256 of LFS files in X-Linked-Etag. */
export function normalizeEtag(value: string | null): string | undefined {
  if (value === null) return undefined;
  const stripped = value.replace(/^W\//, '').replace(/^"(.*)"$/, '$1');
  return stripped === '' ? undefined : stripped;
}

/**
 * Hugging Face Hub answers → DownloadError with a message that names the repository and a hint that says
 * what to do. The Hub explains itself in `X-Error-Code` (RepoNotFound, RevisionNotFound, EntryNotFound,
 * GatedRepo) and `X-Error-Message`; the status alone is ambiguous (a private repository answers 401 to an
 * anonymous client, exactly like a missing one).
 */
import { DownloadError } from './downloadError';

/** What a request was for, to name it in messages. */
export interface HubTarget {
  /** The Hub's web address, for "open this page" hints. */
  endpoint: string;
  repo: string;
  revision: string;
  path?: string;
  /** Whether the request carried a token. */
  authenticated: boolean;
}

/** The step a user without a token takes, as part of a sentence. */
function tokenStep(endpoint: string): string {
  return `create an access token with read permission at ${endpoint}/settings/tokens and set HF_TOKEN to it`;
}

export function hubHttpError(status: number, headers: Headers, target: HubTarget): DownloadError {
  const code = headers.get('x-error-code') ?? '';
  const serverMessage = headers.get('x-error-message');
  const page = `${target.endpoint}/${target.repo}`;
  const subject = target.path === undefined ? target.repo : `${target.path} in ${target.repo}`;

  if (code === 'RevisionNotFound') {
    return new DownloadError(
      'notFound',
      `Revision "${target.revision}" of ${target.repo} was not found.`,
      `Check the branch, tag or commit on ${page}/tree/main.`,
    );
  }
  if (code === 'EntryNotFound') {
    return new DownloadError(
      'notFound',
      `${subject} was not found at revision "${target.revision}".`,
      'The repository changed while downloading: run the download again.',
    );
  }
  if (code === 'GatedRepo' || (status === 403 && target.authenticated)) {
    const detail = serverMessage ? ` (${serverMessage})` : '';
    return new DownloadError(
      'unauthorized',
      `${target.repo} is gated: Hugging Face refused access${detail}.`,
      `Accept the model's conditions on ${page} while logged in, then ${target.authenticated ? 'retry with the same HF_TOKEN' : tokenStep(target.endpoint)}.`,
    );
  }
  if (status === 401 || status === 403) {
    return target.authenticated
      ? new DownloadError(
          'unauthorized',
          `Hugging Face rejected the token in HF_TOKEN for ${target.repo} (HTTP ${status}).`,
          `Check that the token is valid and can read ${page}, or ${tokenStep(target.endpoint)}.`,
        )
      : new DownloadError(
          'unauthorized',
          `Hugging Face refused access to ${target.repo} without a token (HTTP ${status}): it is private, gated, or does not exist.`,
          `Check the name on ${page}. If the model is gated or private, accept its conditions there and ${tokenStep(target.endpoint)}.`,
        );
  }
  if (status === 404) {
    return new DownloadError(
      'notFound',
      `${target.path === undefined ? `Repository ${target.repo}` : subject} was not found on ${target.endpoint}.`,
      'Check the name (organisation/model, as on the model page) and HF_ENDPOINT.',
    );
  }
  if (status === 429 || status >= 500) {
    return new DownloadError(
      'network',
      `${target.endpoint} answered HTTP ${status} for ${subject}.`,
      'The Hub is busy or down: try again in a few minutes.',
      {
        transient: true,
        retryAfterMs: retryAfterMs(headers.get('retry-after')),
      },
    );
  }
  return new DownloadError(
    'protocol',
    `${target.endpoint} answered HTTP ${status} for ${subject}${serverMessage ? `: ${serverMessage}` : ''}.`,
  );
}

/** A fetch that failed below HTTP (refused, reset, DNS, TLS, a dropped body): always worth a retry. */
export function hubNetworkError(error: unknown, url: string): DownloadError {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const host = new URL(url).host;
  return new DownloadError(
    'network',
    `The connection to ${host} failed: ${reason}.`,
    'Check the network connection (and HF_ENDPOINT, if set), then run the download again: it resumes.',
    {
      transient: true,
      cause: error,
    },
  );
}

function retryAfterMs(value: string | null): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

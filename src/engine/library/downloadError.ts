import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';

/**
 * Why a download failed, finer than the protocol's codes: the UI can offer "set a token" for `unauthorized`,
 * "free space" for `diskFull`, "retry" for `network`.
 */
export type DownloadFailure =
  /** 401/403: gated or private repository, or a rejected token. */
  | 'unauthorized'
  /** 404: no such repository, revision or file. */
  | 'notFound'
  /** Not enough free space before starting, or ENOSPC while writing. */
  | 'diskFull'
  /** The download folder cannot be written (permissions, a file in the way). */
  | 'unwritable'
  /** Another download into the same folder is running. */
  | 'busy'
  /** Connection errors, timeouts and 5xx answers that outlasted the retries. */
  | 'network'
  /** Bytes that did not match the Hub's size or hash, again after a re-fetch. */
  | 'integrity'
  /** An answer from the Hub that makes no sense (bad JSON, a path outside the folder). */
  | 'protocol';

const CODES: Readonly<Record<DownloadFailure, EngineErrorCode>> = {
  unauthorized: EngineErrorCode.Unauthorized,
  notFound: EngineErrorCode.ModelNotFound,
  diskFull: EngineErrorCode.DiskFull,
  unwritable: EngineErrorCode.CacheUnwritable,
  busy: EngineErrorCode.DownloadInProgress,
  network: EngineErrorCode.DownloadFailed,
  integrity: EngineErrorCode.DownloadFailed,
  protocol: EngineErrorCode.DownloadFailed,
};

export interface DownloadErrorOptions {
  /** Worth retrying automatically (a dropped connection, a 503), as opposed to a 404 or a full disk. */
  transient?: boolean;
  /** The server's Retry-After, when it sent one. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** A download that cannot go on. `failure` says exactly why; the protocol code groups the failures a UI treats alike. */
export class DownloadError extends EngineError {
  readonly transient: boolean;
  readonly retryAfterMs: number | undefined;

  constructor(
    readonly failure: DownloadFailure,
    message: string,
    hint?: string,
    options: DownloadErrorOptions = {},
  ) {
    super(CODES[failure], message, hint);
    this.transient = options.transient ?? false;
    this.retryAfterMs = options.retryAfterMs;
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

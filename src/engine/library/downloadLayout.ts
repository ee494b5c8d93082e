/**
 * Where a download keeps its files. In the model folder `<dir>`:
 *   <dir>/.hearth-download/<path>.part        bytes received so far (appended to on resume)
 *   <dir>/.hearth-download/<path>.part.json   what the part is of: size, hash, the Hub's etag
 *   <dir>/.hearth-download/<path>             the file, verified, waiting for the others
 *   <dir>/<path>                              every file, moved into place once all are verified
 *   <dir>/.hearth-complete                    written last: the folder holds a whole, verified snapshot
 *   <dir>/.hearth-download.lock               who runs the download into this folder (pid, host, token)
 *   <dir>/.hearth-download.lock.takeover-<h>  held while one process removes a lock whose owner died
 * Until the move, a folder that held a complete model (an older revision) stays complete and usable.
 */
import { isAbsolute, join, posix } from 'node:path';
import { defaultCacheDir } from '../base/defaultCacheDir';
import { DownloadError } from './downloadError';

export const STAGING_DIR = '.hearth-download';
export const COMPLETE_MARKER = '.hearth-complete';
export const LOCK_FILE = '.hearth-download.lock';
/** Without config.json a folder never opens as a checkpoint, so it is moved into place last. */
export const LAST_PLACED_FILE = 'config.json';

export interface FileLocations {
  /** Where the file belongs in the model folder. */
  final: string;
  /** Where it waits, verified, until every file is. */
  staged: string;
  part: string;
  sidecar: string;
}

export function fileLocations(dir: string, path: string): FileLocations {
  assertSafeRepoPath(path);
  const staged = join(dir, STAGING_DIR, path);
  return { final: join(dir, path), staged, part: `${staged}.part`, sidecar: `${staged}.part.json` };
}

/** `~/.cache/hearth/models/Qwen--Qwen3-4B-Instruct-2507-FP8` (the platform's cache folder elsewhere). */
export function defaultModelDir(repo: string, cacheDir: string = defaultCacheDir()): string {
  return join(cacheDir, 'models', repo.replace('/', '--'));
}

/**
 * A path from the Hub's listing is joined to the model folder, so it must stay inside it and must not
 * collide with the download's own bookkeeping. (A trusted Hub never sends such paths; a mirror might.)
 */
export function assertSafeRepoPath(path: string): void {
  if (!isSafeRepoPath(path)) {
    throw new DownloadError(
      'protocol',
      `The Hub listed a file with an unsafe path: "${path}".`,
      'Check HF_ENDPOINT: the server is not a Hugging Face Hub.',
    );
  }
}

export function isSafeRepoPath(path: string): boolean {
  const segments = path.split('/');
  return !(
    path === '' ||
    isAbsolute(path) ||
    /^[A-Za-z]:/.test(path) ||
    path.includes('\\') ||
    path.includes('\0') ||
    segments.some((segment) => segment === '' || segment === '.' || segment === '..') ||
    // The download's own names (staging folder, marker, lock) and its part files must not be shadowed.
    segments[0].startsWith('.hearth-') ||
    segments.at(-1)?.endsWith('.part') === true ||
    segments.at(-1)?.endsWith('.part.json') === true ||
    posix.normalize(path) !== path
  );
}

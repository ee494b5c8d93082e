/**
 * Downloads a Hugging Face checkpoint into a folder: pins the revision to a commit, lists its files, checks
 * the disk, fetches a few files at once into a staging folder (each resumable and verified, see
 * fileDownload.ts), then moves them all into place and writes the completion marker last (see
 * downloadLayout.ts and downloadMarker.ts). Cancelling through the signal leaves the parts in place: the
 * same call later resumes them. A folder that held an older complete revision stays usable until the move.
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { assertDiskSpace, freeDiskBytes } from './diskSpace';
import { DownloadError } from './downloadError';
import {
  assertSafeRepoPath,
  defaultModelDir,
  fileLocations,
  isSafeRepoPath,
  LAST_PLACED_FILE,
  STAGING_DIR,
} from './downloadLayout';
import { lockDownloadFolder } from './downloadLock';
import {
  readDownloadMarker,
  removeDownloadMarker,
  writeDownloadMarker,
  writePendingDownload,
  type DownloadMarker,
} from './downloadMarker';
import { DownloadProgressTracker, type DownloadProgress } from './downloadProgress';
import { downloadFile, type FileDownloadContext } from './fileDownload';
import { HuggingFaceClient, type RemoteFile } from './huggingFaceClient';
import { openPartFile, resumablePartBytes, sizeOnDisk, type OpenPartWriter } from './partFile';
import { DEFAULT_RETRY, withRetries, type RetryOptions } from './retryBackoff';

export interface DownloadModelOptions {
  repo: string;
  /** Branch, tag or commit; default main. */
  revision?: string;
  /** Default: defaultModelDir(repo), under the user's cache folder. */
  dir?: string;
  /** Default: HF_ENDPOINT and HF_TOKEN from the environment. */
  client?: HuggingFaceClient;
  /** Files transferred at once (default 3: enough to fill a fast link, few enough for a slow one). */
  concurrency?: number;
  onProgress?: (progress: DownloadProgress) => void;
  progressIntervalMs?: number;
  retry?: Partial<RetryOptions>;
  stallTimeoutMs?: number;
  /** Free bytes on the disk that holds a folder (default: statfs). */
  freeDiskBytes?: (dir: string) => Promise<number>;
  openPartWriter?: OpenPartWriter;
  signal?: AbortSignal;
}

export interface DownloadResult {
  dir: string;
  repo: string;
  revision: string;
  commit: string;
  files: RemoteFile[];
  totalBytes: number;
  /** Bytes received in this call (0 when everything was already there). */
  receivedBytes: number;
  /** The folder already held this commit, complete: nothing was fetched. */
  alreadyComplete: boolean;
}

export async function downloadModel(options: DownloadModelOptions): Promise<DownloadResult> {
  const { repo, signal } = options;
  const revision = options.revision ?? 'main';
  const dir = resolve(options.dir ?? defaultModelDir(repo));
  const client = options.client ?? HuggingFaceClient.fromEnvironment();
  const retry = { ...DEFAULT_RETRY, ...options.retry };

  const snapshot = await withRetries(() => client.snapshot(repo, revision, signal), retry, signal);
  const files = selectDownloadFiles(snapshot.files);
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  const result = { dir, repo, revision, commit: snapshot.commit, files, totalBytes };
  const previous = readDownloadMarker(dir);
  const verifiedInPlace = await filesVerifiedBefore(dir, previous, files);
  if (previous?.commit === snapshot.commit && verifiedInPlace.size === files.length)
    return { ...result, receivedBytes: 0, alreadyComplete: true };

  await makeFolder(join(dir, STAGING_DIR));
  const unlock = await lockDownloadFolder(dir);
  try {
    writePendingDownload(dir, { repo, revision });
    const needed = await bytesStillNeeded(dir, files, verifiedInPlace);
    assertDiskSpace(repo, dir, needed, await (options.freeDiskBytes ?? freeDiskBytes)(dir));
    const progress = new DownloadProgressTracker(
      totalBytes,
      files.length,
      options.onProgress,
      options.progressIntervalMs ?? 250,
    );
    progress.flush();
    await downloadAll(files, { options, client, dir, commit: snapshot.commit, verifiedInPlace, progress, retry });
    await moveIntoPlace(dir, files, previous, {
      repo,
      revision,
      commit: snapshot.commit,
      endpoint: client.endpoint,
      files,
      completedAt: new Date().toISOString(),
    });
    await rm(join(dir, STAGING_DIR), { recursive: true, force: true });
    progress.flush();
    return { ...result, receivedBytes: progress.bytesReceived, alreadyComplete: false };
  } finally {
    await unlock();
  }
}

interface DownloadRun {
  options: DownloadModelOptions;
  client: HuggingFaceClient;
  dir: string;
  commit: string;
  verifiedInPlace: ReadonlySet<string>;
  progress: DownloadProgressTracker;
  retry: RetryOptions;
}

/** A few files at a time; the first failure stops the others (their parts stay for the next run). */
async function downloadAll(files: RemoteFile[], run: DownloadRun): Promise<void> {
  const { options, progress } = run;
  const failure = new AbortController();
  const context: FileDownloadContext = {
    client: run.client,
    repo: options.repo,
    commit: run.commit,
    dir: run.dir,
    verifiedInPlace: run.verifiedInPlace,
    progress,
    retry: run.retry,
    openPartWriter: options.openPartWriter ?? openPartFile,
    stallTimeoutMs: options.stallTimeoutMs ?? 60_000,
    signal: options.signal === undefined ? failure.signal : AbortSignal.any([options.signal, failure.signal]),
  };
  // Largest first, so the small files fill the gaps at the end rather than the big one starting last.
  const queue = [...files].sort((a, b) => b.size - a.size);
  let firstError: Error | undefined;
  const worker = async () => {
    for (let file = queue.shift(); file !== undefined && firstError === undefined; file = queue.shift()) {
      try {
        await downloadFile(file, context);
      } catch (error) {
        firstError ??= error instanceof Error ? error : new Error(String(error));
        failure.abort(firstError);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 3) }, worker));
  if (firstError !== undefined) {
    progress.flush();
    options.signal?.throwIfAborted();
    throw firstError;
  }
}

/**
 * Only the weights Hearth reads: a repository that has safetensors may also carry the same weights in other
 * formats (PyTorch .bin, GGUF, ONNX), which would double the download for nothing.
 */
export function selectDownloadFiles(files: RemoteFile[]): RemoteFile[] {
  for (const file of files) assertSafeRepoPath(file.path);
  const hasSafetensors = files.some((file) => file.path.endsWith('.safetensors'));
  const otherWeights = /\.(bin|pt|pth|ckpt|h5|msgpack|gguf|onnx|onnx_data)$/;
  return files.filter((file) => !(hasSafetensors && otherWeights.test(file.path)));
}

/**
 * Files in place that the previous download verified and the listing still has, unchanged (same path, size
 * and hash): no need to read them again.
 */
async function filesVerifiedBefore(
  dir: string,
  previous: DownloadMarker | undefined,
  files: RemoteFile[],
): Promise<Set<string>> {
  const verified = new Set<string>();
  const before = new Map(previous?.files.map((file) => [file.path, file]));
  for (const file of files) {
    const old = before.get(file.path);
    const same =
      old !== undefined && old.size === file.size && old.sha256 === file.sha256 && old.gitBlobId === file.gitBlobId;
    if (same && (await sizeOnDisk(join(dir, file.path))) === file.size) verified.add(file.path);
  }
  return verified;
}

/** Bytes still to fetch: files in place or staged at the listed size count as present (verified later). */
async function bytesStillNeeded(
  dir: string,
  files: RemoteFile[],
  verifiedInPlace: ReadonlySet<string>,
): Promise<number> {
  let needed = 0;
  for (const file of files) {
    const at = fileLocations(dir, file.path);
    if (
      verifiedInPlace.has(file.path) ||
      (await sizeOnDisk(at.final)) === file.size ||
      (await sizeOnDisk(at.staged)) === file.size
    )
      continue;
    needed += file.size - (await resumablePartBytes(file, at));
  }
  return needed;
}

/**
 * Every file is verified: staged files replace what is in place. The old marker goes first, config.json and
 * the new marker come last, so at no point of the move (or after a crash in it) does the folder pass for a
 * model.
 */
async function moveIntoPlace(
  dir: string,
  files: RemoteFile[],
  previous: DownloadMarker | undefined,
  marker: DownloadMarker,
): Promise<void> {
  try {
    removeDownloadMarker(dir);
    const config = fileLocations(dir, LAST_PLACED_FILE);
    if ((await sizeOnDisk(config.staged)) === undefined && (await sizeOnDisk(config.final)) !== undefined)
      await rename(config.final, config.staged);
    for (const file of files) {
      if (file.path === LAST_PLACED_FILE) continue;
      const at = fileLocations(dir, file.path);
      if ((await sizeOnDisk(at.staged)) === undefined) continue;
      await makeFolder(dirname(at.final));
      await rename(at.staged, at.final);
    }
    // Files of the previous snapshot that this one no longer has (renamed shards) would confuse a loader.
    const listed = new Set(files.map((file) => file.path));
    for (const { path } of previous?.files ?? [])
      if (!listed.has(path) && isSafeRepoPath(path)) await rm(join(dir, path), { force: true });
    if ((await sizeOnDisk(config.staged)) !== undefined) await rename(config.staged, config.final);
    writeDownloadMarker(dir, marker);
  } catch (error) {
    throw unwritable(dir, error);
  }
}

/** Folders it creates are private (0700), like the rest of Hearth's cache they may sit in. */
async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw unwritable(path, error);
  }
}

function unwritable(dir: string, error: unknown): DownloadError {
  if (error instanceof DownloadError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new DownloadError(
    'unwritable',
    `Cannot write the model into ${dir}: ${reason}`,
    'Choose a download folder you can write to.',
    { cause: error },
  );
}

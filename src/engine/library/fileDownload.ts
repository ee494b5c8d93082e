/**
 * Downloads one file of a snapshot into the staging folder: resumes its part when that is safe, retries
 * dropped connections from where they dropped, verifies the bytes against the Hub's listing and only then
 * renames the part to the staged file (modelDownloader moves staged files into place once all are there).
 */
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ContentHasher, fileMatches } from './contentHasher';
import { diskFullWhileWriting } from './diskSpace';
import { DownloadError } from './downloadError';
import { fileLocations, type FileLocations } from './downloadLayout';
import type { DownloadProgressTracker } from './downloadProgress';
import { hubNetworkError } from './hubErrors';
import type { HuggingFaceClient, RemoteFile } from './huggingFaceClient';
import {
  discardPart,
  readSidecar,
  resumablePartBytes,
  sizeOnDisk,
  writeSidecar,
  type OpenPartWriter,
  type PartWriter,
} from './partFile';
import { backoff, isTransient, type RetryOptions } from './retryBackoff';

export interface FileDownloadContext {
  client: HuggingFaceClient;
  repo: string;
  commit: string;
  dir: string;
  /** Paths already in place, verified by an earlier download (the marker lists them with the same hash). */
  verifiedInPlace: ReadonlySet<string>;
  progress: DownloadProgressTracker;
  retry: RetryOptions;
  openPartWriter: OpenPartWriter;
  /** A connection that delivers nothing for this long is dropped and retried. */
  stallTimeoutMs: number;
  signal: AbortSignal;
}

/** The part as this run knows it: its length, and a hash of exactly those bytes. */
interface PartState {
  bytes: number;
  hasher: ContentHasher;
}

/** Re-fetches after a checksum mismatch before concluding the source itself is bad. */
const INTEGRITY_ATTEMPTS = 2;

export async function downloadFile(file: RemoteFile, context: FileDownloadContext): Promise<void> {
  const { progress, signal } = context;
  const at = fileLocations(context.dir, file.path);
  if (
    context.verifiedInPlace.has(file.path) ||
    (await matchesOnDisk(at.final, file, signal)) ||
    (await matchesOnDisk(at.staged, file, signal))
  ) {
    progress.addPresent(file.size);
    progress.fileFinished(file.path);
    return;
  }
  await mkdir(dirname(at.part), { recursive: true });
  progress.fileStarted(file.path);
  const state: PartState = { bytes: await resumablePartBytes(file, at), hasher: new ContentHasher(file) };
  progress.addPresent(state.bytes);
  try {
    let failures = 0;
    let integrityFailures = 0;
    for (;;) {
      const bytesBefore = state.bytes;
      try {
        await transfer(file, at, state, context);
        break;
      } catch (error) {
        if (signal.aborted) throw signal.reason ?? error;
        if (error instanceof ChecksumMismatch) {
          await restartPart(at, state, file, progress);
          if (++integrityFailures < INTEGRITY_ATTEMPTS) continue;
          throw new DownloadError(
            'integrity',
            `${file.path} of ${context.repo} does not match the Hub's listing (${error.message}), ${INTEGRITY_ATTEMPTS} times in a row.`,
            'Something between you and the Hub (HF_ENDPOINT, a proxy) serves damaged data: try again later or from another network.',
          );
        }
        if (!isTransient(error)) throw error;
        // A connection that made progress before dropping starts the count again: long files on flaky links finish.
        failures = state.bytes > bytesBefore ? 1 : failures + 1;
        if (failures > context.retry.attempts) throw error;
        await backoff(failures, error, context.retry, signal);
      }
    }
    await stage(at);
    progress.fileFinished(file.path);
  } finally {
    progress.fileStopped(file.path);
  }
}

/** The bytes received are not the listed file: they are dropped and fetched again. */
class ChecksumMismatch extends Error {}

/**
 * One request: from the part's end to the file's end. Throws a transient DownloadError when the connection
 * drops (the part keeps what arrived), ChecksumMismatch when the whole file arrived wrong.
 */
async function transfer(
  file: RemoteFile,
  at: FileLocations,
  state: PartState,
  context: FileDownloadContext,
): Promise<void> {
  const { client, progress } = context;
  await resyncWithDisk(file, at, state, context);
  const stall = new AbortController();
  const stallTimer = setTimeout(() => stall.abort(), context.stallTimeoutMs);
  const signal = AbortSignal.any([context.signal, stall.signal]);
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let writer: PartWriter | undefined;
  let overflow = false;
  try {
    let stream = await client.openFile(context.repo, context.commit, file.path, state.bytes, signal);
    // A part that holds the whole file gets an empty body (416): its hash, not the etag, says whether it is right.
    const partIsWhole = stream.start === file.size;
    if (
      state.bytes > 0 &&
      (stream.start !== state.bytes ||
        (!partIsWhole && (stream.etag === undefined || readSidecar(at.sidecar)?.etag !== stream.etag)))
    ) {
      // The part is of another version of the file (or the server ignores ranges): start over.
      if (stream.start !== 0) {
        await stream.body.cancel();
        stream = await client.openFile(context.repo, context.commit, file.path, 0, signal);
      }
      await restartPart(at, state, file, progress);
    }
    reader = stream.body.getReader();
    writer = await openWriter(at, file, stream.etag, state.bytes > 0, context);
    // Each chunk is on disk before the next is read, so a drop or a cancel keeps everything received.
    for (let chunk = await readChunk(reader, signal); !chunk.done; chunk = await readChunk(reader, signal)) {
      stallTimer.refresh();
      if (state.bytes + chunk.value.length > file.size) {
        overflow = true;
        break;
      }
      const writing = write(writer, chunk.value, file, context);
      state.hasher.update(chunk.value); // while the thread pool writes; resyncWithDisk repairs the hash if the write fails
      await writing;
      state.bytes += chunk.value.length;
      progress.addReceived(chunk.value.length);
    }
  } catch (error) {
    if (context.signal.aborted) throw error;
    if (stall.signal.aborted) {
      throw new DownloadError(
        'network',
        `No data for ${context.stallTimeoutMs / 1000} s while downloading ${file.path}.`,
        undefined,
        { transient: true },
      );
    }
    if (error instanceof DownloadError) throw error;
    throw hubNetworkError(error, client.endpoint);
  } finally {
    clearTimeout(stallTimer);
    await reader?.cancel().catch(() => undefined); // frees the connection when we stop early
    await writer?.close();
  }
  if (overflow) throw new ChecksumMismatch(`more than the listed ${file.size} bytes`);
  if (state.bytes < file.size) {
    throw new DownloadError(
      'network',
      `The connection ended ${file.size - state.bytes} bytes before the end of ${file.path}.`,
      undefined,
      { transient: true },
    );
  }
  const mismatch = state.hasher.mismatch();
  if (mismatch !== undefined) throw new ChecksumMismatch(mismatch);
}

/**
 * The next chunk, or the signal's reason once it aborts: fetch's body does not always settle a pending read
 * when the abort comes after the last byte arrived (a Cancel on the last chunk hung the download).
 */
function readChunk(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal,
): ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    reader
      .read()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Makes the hash cover exactly the bytes on disk. They differ after a resume from an earlier run (nothing
 * hashed yet) or a write that failed half-way (ENOSPC): then the part is read back once.
 */
async function resyncWithDisk(
  file: RemoteFile,
  at: FileLocations,
  state: PartState,
  context: FileDownloadContext,
): Promise<void> {
  const onDisk = (await sizeOnDisk(at.part)) ?? 0;
  if (state.hasher.bytesHashed === onDisk && state.bytes === onDisk) return;
  if (onDisk > file.size) {
    await restartPart(at, state, file, context.progress);
    return;
  }
  context.progress.addPresent(onDisk - state.bytes);
  state.bytes = onDisk;
  state.hasher = new ContentHasher(file);
  await state.hasher.updateFromFile(at.part, onDisk, context.signal);
}

async function restartPart(
  at: FileLocations,
  state: PartState,
  file: RemoteFile,
  progress: DownloadProgressTracker,
): Promise<void> {
  await discardPart(at);
  progress.discard(state.bytes);
  state.bytes = 0;
  state.hasher = new ContentHasher(file);
}

/** Records what the part is of, then opens it for the bytes to come. */
async function openWriter(
  at: FileLocations,
  file: RemoteFile,
  etag: string | undefined,
  append: boolean,
  context: FileDownloadContext,
): Promise<PartWriter> {
  try {
    writeSidecar(at.sidecar, file, etag);
    return await context.openPartWriter(at.part, append);
  } catch (error) {
    throw writeError(error, file.path, context.dir);
  }
}

async function write(
  writer: PartWriter,
  chunk: Uint8Array,
  file: RemoteFile,
  context: FileDownloadContext,
): Promise<void> {
  try {
    await writer.write(chunk);
  } catch (error) {
    throw writeError(error, file.path, context.dir);
  }
}

function writeError(error: unknown, what: string, dir: string): DownloadError {
  if ((error as NodeJS.ErrnoException).code === 'ENOSPC') return diskFullWhileWriting(what, dir, error);
  const reason = error instanceof Error ? error.message : String(error);
  return new DownloadError(
    'unwritable',
    `Cannot write ${what} in ${dir}: ${reason}`,
    'Choose a download folder you can write to.',
    { cause: error },
  );
}

/** Verified: the part becomes the staged file, in one rename (atomic within a file system). */
async function stage(at: FileLocations): Promise<void> {
  try {
    await rename(at.part, at.staged);
    await rm(at.sidecar, { force: true });
  } catch (error) {
    throw writeError(error, at.staged, dirname(at.staged));
  }
}

/** A file (in place, or staged by an earlier run) that is exactly the listed one; read in full to tell. */
async function matchesOnDisk(path: string, file: RemoteFile, signal: AbortSignal): Promise<boolean> {
  return fileMatches(path, file, (await sizeOnDisk(path)) ?? -1, signal);
}

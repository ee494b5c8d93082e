/**
 * The `.hearth-complete` marker: written last, after every file of the snapshot is verified and in place.
 *
 * How the engine tells a model folder apart from a partial download (downloadStatus), before opening it:
 *   - marker present                      → `complete`: every listed file was verified against the Hub (a
 *                                            newer revision may be downloading into `.hearth-download/`
 *                                            meanwhile; it replaces the files only once it is whole)
 *   - no marker, `.hearth-download/` there → `incomplete`: refuse it; running the download again resumes it
 *   - neither                             → `unmanaged`: a folder the user made; judge it by openCheckpoint
 * A first download puts nothing outside `.hearth-download/` until every file is verified, and config.json
 * goes in last, so even a tool that knows nothing of the marker never opens a partial one as a checkpoint.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../base/atomicFile';
import { CheckpointError } from '../checkpoint/checkpointError';
import type { RemoteFile } from './huggingFaceClient';
import { COMPLETE_MARKER, STAGING_DIR } from './downloadLayout';

/** In the staging folder; named so that no repository file can take its place (see isSafeRepoPath). */
const PENDING_FILE = '.hearth-pending.json';

export interface DownloadMarker {
  repo: string;
  revision: string;
  commit: string;
  endpoint: string;
  files: RemoteFile[];
  completedAt: string;
}

export type DownloadStatus = 'complete' | 'incomplete' | 'unmanaged';

export function downloadStatus(dir: string): DownloadStatus {
  if (readDownloadMarker(dir) !== undefined) return 'complete';
  return existsSync(join(dir, STAGING_DIR)) ? 'incomplete' : 'unmanaged';
}

/** For whatever opens a model folder: an interrupted download is refused, with how to finish it. */
export function assertNotPartialDownload(dir: string): void {
  if (downloadStatus(dir) !== 'incomplete') return;
  const pending = readPendingDownload(dir);
  throw new CheckpointError(
    'is an unfinished download',
    { file: dir },
    {
      hint: `Run the download again${pending === undefined ? '' : ` (hearth download ${pending.repo} --revision ${pending.revision} --dir "${dir}")`}: it resumes where it stopped.`,
    },
  );
}

/** What is being downloaded into `dir`, so a UI can offer to resume it. */
export interface PendingDownload {
  repo: string;
  revision: string;
}

export function writePendingDownload(dir: string, pending: PendingDownload): void {
  writeFileAtomic(join(dir, STAGING_DIR, PENDING_FILE), JSON.stringify(pending));
}

export function readPendingDownload(dir: string): PendingDownload | undefined {
  try {
    const pending = JSON.parse(readFileSync(join(dir, STAGING_DIR, PENDING_FILE), 'utf8')) as Partial<PendingDownload>;
    return typeof pending.repo === 'string' && typeof pending.revision === 'string'
      ? { repo: pending.repo, revision: pending.revision }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The marker, or undefined when there is none or it is unreadable (treated as not complete). */
export function readDownloadMarker(dir: string): DownloadMarker | undefined {
  try {
    const marker = JSON.parse(readFileSync(join(dir, COMPLETE_MARKER), 'utf8')) as Partial<DownloadMarker>;
    const valid = typeof marker.repo === 'string' && typeof marker.commit === 'string' && Array.isArray(marker.files);
    return valid ? (marker as DownloadMarker) : undefined;
  } catch {
    return undefined;
  }
}

export function writeDownloadMarker(dir: string, marker: DownloadMarker): void {
  writeFileAtomic(join(dir, COMPLETE_MARKER), `${JSON.stringify(marker, null, 2)}\n`);
}

export function removeDownloadMarker(dir: string): void {
  rmSync(join(dir, COMPLETE_MARKER), { force: true });
}

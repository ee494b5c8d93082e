import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { DownloadError } from './downloadError';

/** Bytes an unprivileged user may still write on the file system that holds `path` (or its nearest parent). */
export async function freeDiskBytes(path: string): Promise<number> {
  for (let current = path; ; current = dirname(current)) {
    try {
      const stats = await statfs(current);
      return stats.bavail * stats.bsize;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(current) === current) throw error;
    }
  }
}

/** Left free beyond the download itself, so finishing it does not leave the disk at zero. */
export const DISK_HEADROOM_BYTES = 100e6;

export function assertDiskSpace(what: string, dir: string, neededBytes: number, freeBytes: number): void {
  if (neededBytes + DISK_HEADROOM_BYTES <= freeBytes) return;
  throw new DownloadError(
    'diskFull',
    `Not enough disk space for ${what} in ${dir}: it needs ${formatDiskSize(neededBytes)} more, and ${formatDiskSize(freeBytes)} is free.`,
    `Free at least ${formatDiskSize(neededBytes + DISK_HEADROOM_BYTES - freeBytes)} on that disk, or download to a folder on another disk.`,
  );
}

/** The disk ran out while writing (ENOSPC). The parts stay, so the download resumes once space is freed. */
export function diskFullWhileWriting(what: string, dir: string, cause: unknown): DownloadError {
  return new DownloadError(
    'diskFull',
    `The disk holding ${dir} is full: ${what} could not be written.`,
    'Free some space and run the download again: it resumes where it stopped. Nothing incomplete was put in place of a model file.',
    { cause },
  );
}

/** Decimal units, as the Hub's pages and file managers show download sizes. */
export function formatDiskSize(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}
